// Opening the configured store, and scratch stores for evaluations.
#include "engine/store_factory.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <pqxx/pqxx>

#include "engine/log.h"
#include "storage/embedded_cluster.h"
#include "storage/migrate.h"
#include "storage/pg_store.h"

namespace dspamd {
namespace {

PgStoreOptions store_options(const DatabaseConfig& database, std::string dsn) {
    PgStoreOptions options;
    options.dsn = std::move(dsn);
    options.pool_size = database.pool_size;
    options.connect_timeout_ms = database.connect_timeout_ms;
    options.statement_timeout_ms = database.statement_timeout_ms;
    options.max_retries = database.max_retries;
    return options;
}

EmbeddedClusterOptions cluster_options(const Config& config, std::filesystem::path state_dir) {
    EmbeddedClusterOptions options;
    options.state_dir = std::move(state_dir);
    options.system_user = config.database.system_user;
    return options;
}

// libpq's key=value strings take the last value of a repeated keyword.
std::string with_database(const std::string& dsn, const std::string& database) {
    if (dsn.rfind("postgres://", 0) == 0 || dsn.rfind("postgresql://", 0) == 0) {
        throw std::invalid_argument(
            "a scratch database needs the DSN in key=value form, not a URI");
    }
    return dsn + " dbname=" + database;
}

}  // namespace

std::string database_dsn(const Config& config) {
    if (!config.database.dsn.empty()) {
        return config.database.dsn;
    }
    EmbeddedCluster cluster(cluster_options(config, config.state_dir));
    return cluster.start();
}

std::unique_ptr<Store> open_store(const Config& config) {
    std::string dsn = database_dsn(config);
    migrate(dsn);
    return std::make_unique<PgStore>(store_options(config.database, std::move(dsn)));
}

CachedDatabase::CachedDatabase(std::unique_ptr<PgStore> database, CachedStoreOptions options)
    : m_database(std::move(database)),
      m_cache(std::make_unique<CachedStore>(*m_database, std::move(options))) {}

CachedDatabase::~CachedDatabase() {
    m_cache.reset();  // writes back into the database before it closes
}

std::unique_ptr<CachedDatabase> open_cached_store(const Config& config,
                                                  CachedStoreOptions options) {
    std::string dsn = database_dsn(config);
    migrate(dsn);
    if (!options.warn) {
        options.warn = [](const std::string& text) { log_warning(text); };
    }
    return std::make_unique<CachedDatabase>(
        std::make_unique<PgStore>(store_options(config.database, std::move(dsn))),
        std::move(options));
}

struct ScratchStore::Impl {
    std::unique_ptr<EmbeddedCluster> cluster;  // a private cluster, or
    std::string server_dsn;                    // the configured server and
    std::string database;                      //   a database made for the run
    std::filesystem::path directory;
    // The scratch database, whichever of the two it is.
    std::string dsn;
};

ScratchStore::ScratchStore(const Config& config) : m_impl(std::make_unique<Impl>()) {
    std::string dsn;
    if (config.database.dsn.empty()) {
        std::string pattern = (std::filesystem::temp_directory_path() / "dspamd-eval-XXXXXX");
        if (!mkdtemp(pattern.data())) {
            throw std::runtime_error("cannot create a temporary directory for the scratch store");
        }
        m_impl->directory = pattern;
        EmbeddedClusterOptions options = cluster_options(config, m_impl->directory);
        options.throwaway = true;  // removed after the run: durability buys nothing
        m_impl->cluster = std::make_unique<EmbeddedCluster>(options);
        dsn = m_impl->cluster->start();
        m_location = m_impl->directory.string() + " (" + dsn + ")";
    } else {
        m_impl->server_dsn = config.database.dsn;
        // Numbered within the process: eval --compare --jobs N makes several
        // at once on the same server.
        static std::atomic<unsigned> made{0};
        m_impl->database = "dspamd_eval_" + std::to_string(getpid()) + "_" + std::to_string(made++);
        pqxx::connection admin(m_impl->server_dsn);
        pqxx::nontransaction(admin).exec("CREATE DATABASE " + m_impl->database);
        dsn = with_database(m_impl->server_dsn, m_impl->database);
        m_location = "database " + m_impl->database;
    }
    migrate(dsn);
    m_store = std::make_unique<PgStore>(store_options(config.database, dsn));
    m_impl->dsn = dsn;
}

std::int64_t ScratchStore::token_rows() {
    pqxx::connection conn(m_impl->dsn);
    return pqxx::nontransaction(conn).exec("SELECT count(*) FROM tokens")[0][0].as<std::int64_t>();
}

ScratchStore::~ScratchStore() {
    m_store.reset();  // closes the pool's connections first
    if (m_keep) {
        return;
    }
    try {
        if (m_impl->cluster) {
            m_impl->cluster->stop();
            std::error_code ec;
            std::filesystem::remove_all(m_impl->directory, ec);
        } else if (!m_impl->database.empty()) {
            pqxx::connection admin(m_impl->server_dsn);
            pqxx::nontransaction(admin).exec("DROP DATABASE IF EXISTS " + m_impl->database);
        }
    } catch (const std::exception& e) {
        log_warning(std::string("could not remove the scratch store: ") + e.what());
    }
}

}  // namespace dspamd
