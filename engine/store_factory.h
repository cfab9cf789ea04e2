// Opening the configured store: PostgreSQL at the configured DSN, or, when
// none is configured, the embedded cluster in state_dir (created and started
// on first use). Migrations are applied before the store is handed out. The
// milter puts a CachedStore in front of it (storage/cached_store.h).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "engine/config.h"
#include "storage/cached_store.h"
#include "storage/store.h"

namespace dspamd {

// The DSN to use; starts the embedded cluster when none is configured.
std::string database_dsn(const Config& config);

// A ready PgStore on database_dsn(config), schema migrated.
std::unique_ptr<Store> open_store(const Config& config);

class PgStore;

// A PgStore with a CachedStore in front, owning both: the cache is destroyed
// first, writing back what it has queued. Thread-safe like CachedStore.
class CachedDatabase {
public:
    CachedDatabase(std::unique_ptr<PgStore> database, CachedStoreOptions options);
    ~CachedDatabase();
    CachedDatabase(const CachedDatabase&) = delete;
    CachedDatabase& operator=(const CachedDatabase&) = delete;

    Store& store() { return *m_cache; }  // what the filter uses
    CachedStore& cache() { return *m_cache; }
    PgStore& database() { return *m_database; }

private:
    std::unique_ptr<PgStore> m_database;
    std::unique_ptr<CachedStore> m_cache;  // declared last: destroyed first
};

// open_store() behind a CachedStore. Flusher failures are logged as
// warnings unless options.warn is set.
std::unique_ptr<CachedDatabase> open_cached_store(const Config& config,
                                                  CachedStoreOptions options = {});

// A fresh, empty store for one evaluation run: a private cluster in a
// temporary directory, or a new database on the configured server. Removed
// when destroyed unless kept.
class ScratchStore {
public:
    explicit ScratchStore(const Config& config);
    ~ScratchStore();
    ScratchStore(const ScratchStore&) = delete;
    ScratchStore& operator=(const ScratchStore&) = delete;

    Store& store() { return *m_store; }
    void keep() { m_keep = true; }
    const std::string& location() const { return m_location; }  // for the "kept at" message
    // Token rows stored for all users: the storage cost of a run.
    std::int64_t token_rows();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    std::unique_ptr<Store> m_store;
    std::string m_location;
    bool m_keep = false;
};

}  // namespace dspamd
