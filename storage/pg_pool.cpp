// The connection pool of PgStore: lazily opened connections, one lease per
// thread at a time, broken connections dropped on return.
#include "storage/pg_pool.h"

#include <libpq-fe.h>

#include <pqxx/nontransaction>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <utility>

#include "storage/store.h"

namespace dspamd {

namespace {

// libpq treats connect_timeout values below 2 seconds as 2.
constexpr int k_min_connect_timeout_s = 2;
constexpr int k_max_pool_size = 1000;

std::string quote_conninfo_value(const char* value) {
    std::string quoted = "'";
    for (const char* p = value; *p != '\0'; ++p) {
        if (*p == '\'' || *p == '\\') {
            quoted += '\\';
        }
        quoted += *p;
    }
    quoted += '\'';
    return quoted;
}

}  // namespace

std::string make_conninfo(const std::string& dsn, int connect_timeout_ms) {
    char* error = nullptr;
    PQconninfoOption* parsed = PQconninfoParse(dsn.c_str(), &error);
    if (parsed == nullptr) {
        std::string message = error != nullptr ? error : "out of memory";
        PQfreemem(error);
        while (!message.empty() && message.back() == '\n') {
            message.pop_back();
        }
        throw std::invalid_argument("invalid database DSN: " + message);
    }
    std::string conninfo;
    for (const PQconninfoOption* option = parsed; option->keyword != nullptr; ++option) {
        const std::string keyword = option->keyword;
        if (option->val == nullptr || keyword == "connect_timeout") {
            continue;
        }
        conninfo += keyword + "=" + quote_conninfo_value(option->val) + " ";
    }
    PQconninfoFree(parsed);
    const int timeout_s = std::max(k_min_connect_timeout_s, (connect_timeout_ms + 999) / 1000);
    conninfo += "connect_timeout=" + std::to_string(timeout_s);
    conninfo += " fallback_application_name=dspamd";
    return conninfo;
}

PgPool::Lease::Lease(PgPool& pool, std::unique_ptr<pqxx::connection> connection)
    : m_pool(&pool), m_connection(std::move(connection)) {}

PgPool::Lease::Lease(Lease&& other) noexcept
    : m_pool(other.m_pool),
      m_connection(std::move(other.m_connection)),
      m_discard(other.m_discard) {}

PgPool::Lease::~Lease() {
    if (m_connection) {
        m_pool->give_back(std::move(m_connection), m_discard);
    }
}

PgPool::PgPool(PgPoolOptions options, Setup setup)
    : m_options(std::move(options)), m_setup(std::move(setup)) {
    if (m_options.pool_size < 1 || m_options.pool_size > k_max_pool_size) {
        throw std::invalid_argument("database pool size must be between 1 and " +
                                    std::to_string(k_max_pool_size));
    }
    if (m_options.connect_timeout_ms < 1 || m_options.statement_timeout_ms < 1) {
        throw std::invalid_argument("database timeouts must be positive");
    }
    m_conninfo = make_conninfo(m_options.dsn, m_options.connect_timeout_ms);
}

PgPool::~PgPool() = default;

std::unique_ptr<pqxx::connection> PgPool::open_connection() {
    try {
        auto connection = std::make_unique<pqxx::connection>(m_conninfo);
        // Bounds every statement, lock waits included, so that a message never
        // waits longer than the milter's timeouts allow.
        pqxx::nontransaction txn(*connection);
        txn.exec("SET statement_timeout = " + std::to_string(m_options.statement_timeout_ms));
        txn.commit();
        if (m_setup) {
            m_setup(*connection);
        }
        return connection;
    } catch (const pqxx::broken_connection& e) {
        throw StoreUnavailable(std::string("cannot connect to the database: ") + e.what());
    }
}

PgPool::Lease PgPool::lease() {
    std::unique_lock lock(m_mutex);
    const auto deadline =
        std::chrono::steady_clock::now() +
        std::chrono::milliseconds(m_options.connect_timeout_ms + m_options.statement_timeout_ms);
    for (;;) {
        if (!m_idle.empty()) {
            auto connection = std::move(m_idle.back());
            m_idle.pop_back();
            return Lease(*this, std::move(connection));
        }
        if (m_open < m_options.pool_size) {
            // Connect without holding the mutex: a slow server must not block
            // the threads that return connections.
            ++m_open;
            lock.unlock();
            try {
                return Lease(*this, open_connection());
            } catch (...) {
                lock.lock();
                --m_open;
                m_returned.notify_one();
                throw;
            }
        }
        if (m_returned.wait_until(lock, deadline) == std::cv_status::timeout && m_idle.empty() &&
            m_open >= m_options.pool_size) {
            throw StoreUnavailable("all " + std::to_string(m_options.pool_size) +
                                   " database connections stayed busy");
        }
    }
}

void PgPool::give_back(std::unique_ptr<pqxx::connection> connection, bool discard) {
    const bool reusable = !discard && connection->is_open();
    std::unique_ptr<pqxx::connection> closing;
    {
        std::lock_guard lock(m_mutex);
        if (reusable) {
            m_idle.push_back(std::move(connection));
        } else {
            --m_open;
            closing = std::move(connection);
        }
    }
    m_returned.notify_one();
    // `closing` (if any) disconnects here, outside the mutex.
}

void PgPool::clear_idle() {
    std::vector<std::unique_ptr<pqxx::connection>> closing;
    {
        std::lock_guard lock(m_mutex);
        m_open -= static_cast<int>(m_idle.size());
        closing.swap(m_idle);
    }
    m_returned.notify_all();
}

}  // namespace dspamd
