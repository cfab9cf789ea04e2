// Runtime snapshots and the store they share.
#include "milter/runtime.h"

#include "engine/store_factory.h"

namespace dspamd::milter {

Runtime::Runtime(Config config, std::shared_ptr<Store> store, std::string host)
    : m_config(std::move(config)),
      m_policy(make_policy_params(m_config.milter)),
      m_store(std::move(store)),
      m_filter(std::make_unique<Filter>(m_config, *m_store)),
      m_host(std::move(host)) {}

std::shared_ptr<Store> open_milter_store(const Config& config) {
    if (!config.cache.enabled) {
        return std::shared_ptr<Store>(open_store(config));
    }
    CachedStoreOptions options;
    options.max_entries = static_cast<std::size_t>(config.cache.max_entries);
    options.max_queue = static_cast<std::size_t>(config.cache.max_queue);
    options.ttl_s = config.cache.ttl_s;
    options.flush_interval_ms = config.cache.flush_interval_ms;
    options.known_tokens_refresh_s = config.cache.known_tokens_refresh_s;
    options.preload = config.cache.preload;
    // The store the filter sees is the cache; the last reference going away
    // (after connections drained at exit, or a reload that changed the
    // database) destroys the CachedDatabase, which writes back what is queued.
    std::shared_ptr<CachedDatabase> database = open_cached_store(config, options);
    return std::shared_ptr<Store>(database, &database->store());
}

bool same_store(const Config& a, const Config& b) {
    const DatabaseConfig& x = a.database;
    const DatabaseConfig& y = b.database;
    return a.state_dir == b.state_dir && x.dsn == y.dsn && x.pool_size == y.pool_size &&
           x.connect_timeout_ms == y.connect_timeout_ms &&
           x.statement_timeout_ms == y.statement_timeout_ms && x.max_retries == y.max_retries &&
           x.system_user == y.system_user && a.cache.enabled == b.cache.enabled &&
           a.cache.max_entries == b.cache.max_entries && a.cache.max_queue == b.cache.max_queue &&
           a.cache.ttl_s == b.cache.ttl_s &&
           a.cache.flush_interval_ms == b.cache.flush_interval_ms &&
           a.cache.known_tokens_refresh_s == b.cache.known_tokens_refresh_s &&
           a.cache.preload == b.cache.preload;
}

}  // namespace dspamd::milter
