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
    return std::shared_ptr<Store>(open_store(config));
}

bool same_store(const Config& a, const Config& b) {
    const DatabaseConfig& x = a.database;
    const DatabaseConfig& y = b.database;
    return a.state_dir == b.state_dir && x.dsn == y.dsn && x.pool_size == y.pool_size &&
           x.connect_timeout_ms == y.connect_timeout_ms &&
           x.statement_timeout_ms == y.statement_timeout_ms && x.max_retries == y.max_retries &&
           x.system_user == y.system_user;
}

}  // namespace dspamd::milter
