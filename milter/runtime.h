// What every connection works with: the configuration, the store, the
// Filter on top, the parsed policy and the host name, as one immutable
// snapshot. SIGHUP builds a new snapshot and swaps it in atomically; a
// connection keeps the snapshot it started with until it closes, so a reload
// never changes the rules in the middle of a message.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "engine/config.h"
#include "engine/filter.h"
#include "milter/policy.h"
#include "storage/store.h"

namespace dspamd::milter {

class Runtime {
public:
    // `store` may be shared with the snapshot this one replaces.
    Runtime(Config config, std::shared_ptr<Store> store, std::string host);
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;

    const Config& config() const { return m_config; }
    const PolicyParams& policy() const { return m_policy; }
    const std::string& host() const { return m_host; }
    Store& store() const { return *m_store; }
    const std::shared_ptr<Store>& shared_store() const { return m_store; }
    // The Filter is thread-safe; its caches are its own business.
    Filter& filter() const { return *m_filter; }

private:
    Config m_config;
    PolicyParams m_policy;
    std::shared_ptr<Store> m_store;
    std::unique_ptr<Filter> m_filter;  // refers to m_config and *m_store
    std::string m_host;
};

// Opens the store the milter uses. The one place to wrap it (a cache, a
// decorator) for every snapshot.
std::shared_ptr<Store> open_milter_store(const Config& config);

// True when `a` and `b` would open the same store, so a reload keeps it.
bool same_store(const Config& a, const Config& b);

// The current snapshot, swapped atomically.
class RuntimeHolder {
public:
    std::shared_ptr<const Runtime> get() const { return m_current.load(); }
    void set(std::shared_ptr<const Runtime> runtime) { m_current.store(std::move(runtime)); }

private:
    std::atomic<std::shared_ptr<const Runtime>> m_current;
};

}  // namespace dspamd::milter
