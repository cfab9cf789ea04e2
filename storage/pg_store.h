// PgStore: the Store on PostgreSQL (schema/). One round trip per fetch, one
// transaction per apply, through a small pool of connections. Connection
// trouble and timeouts become StoreUnavailable; serialization failures and
// deadlocks are retried a few times; other errors are internal.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "storage/pg_pool.h"
#include "storage/store.h"

namespace dspamd {

struct PgStoreOptions {
    std::string dsn;    // libpq connection string or URI
    int pool_size = 4;  // connections; each used by one thread at a time
    int connect_timeout_ms = 5000;
    int statement_timeout_ms = 10000;
    int max_retries = 3;  // on serialization failures and deadlocks only
};

// DSPAM's purge.sql, in days since a token row was last learned.
struct TokenPurgeOptions {
    int stale_days = 60;     // rows with (innocent_hits * 2) + spam_hits < 5
    int hapax_days = 15;     // rows with one hit in one class only
    int unused_days = 90;    // any row
    int batch_size = 10000;  // rows deleted per transaction
};

class PgStore final : public Store {
public:
    // Connects nothing yet (connections open on first use). The schema must
    // have been migrated (storage/migrate.h). Throws std::invalid_argument on
    // bad options.
    explicit PgStore(PgStoreOptions options);

    UserId user_id(std::string_view name) override;
    void set_merge_group(UserId user, std::optional<UserId> group) override;
    Snapshot fetch(UserId user, std::span<const Token> tokens) override;
    void apply(UserId user, const TrainingDelta& delta, const SignatureRecord* signature) override;
    void apply_batch(UserId user, const TrainingDelta& delta,
                     std::span<const SignatureRecord> signatures) override;
    std::optional<Signature> load_signature(UserId user, std::string_view id) override;
    void scan_tokens(std::optional<UserId> user, const TokenChunkSink& sink) override;
    std::int64_t token_rows(UserId user) override;
    std::map<std::string, std::string> preferences(UserId user) override;
    void set_preference(UserId user, std::string_view key, std::string_view value) override;
    std::vector<UserStats> stats(std::optional<std::string_view> user) override;
    void record_history(UserId user, const HistoryEntry& entry) override;
    void record_history_batch(std::span<const UserHistoryEntry> rows) override;
    std::vector<HistoryEntry> history(UserId user, std::size_t limit) override;
    std::int64_t purge_history(int older_than_days) override;
    std::int64_t add_quarantine(UserId user, const QuarantineEntry& entry) override;
    std::optional<QuarantineEntry> find_quarantine_by_signature(
        UserId user, std::string_view signature) override;
    std::int64_t release_quarantine(std::string_view queue_id, std::string_view host) override;

    // Deletes the signatures created more than `older_than_days` days ago
    // (they can no longer be corrected); returns how many.
    std::int64_t purge_signatures(int older_than_days);

    // Deletes stale token rows like DSPAM's purge.sql, in batches; returns
    // how many.
    std::int64_t purge_tokens(const TokenPurgeOptions& options = {});

    const std::string& conninfo() const { return m_pool.conninfo(); }

private:
    template <typename Work>
    auto run(const char* what, Work&& work);

    PgStoreOptions m_options;
    PgPool m_pool;
    std::mutex m_users_mutex;
    std::unordered_map<std::string, UserId> m_user_ids;  // names never change id
};

}  // namespace dspamd
