// A small pool of PostgreSQL connections. A connection belongs to one thread
// at a time through a Lease (RAII): leased, used, returned. Connections are
// opened lazily up to the pool size, each with the connect timeout in its
// connection string and its statement_timeout set once; a broken connection
// is closed when returned, never handed out again.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <pqxx/connection>

namespace dspamd {

struct PgPoolOptions {
    std::string dsn;                   // libpq connection string or URI
    int pool_size = 4;                 // at most this many connections
    int connect_timeout_ms = 5000;     // libpq's connect_timeout (whole seconds, at least 2)
    int statement_timeout_ms = 10000;  // the server's statement_timeout per connection
};

// `dsn` (key=value or URI) as a key=value connection string with
// connect_timeout set from `connect_timeout_ms` (whole seconds, at least 2),
// overriding one in the DSN. Throws std::invalid_argument on a bad DSN.
std::string make_conninfo(const std::string& dsn, int connect_timeout_ms);

class PgPool {
public:
    // Called on each new connection before first use (e.g. to register
    // prepared statements).
    using Setup = std::function<void(pqxx::connection&)>;

    class Lease {
    public:
        Lease(Lease&& other) noexcept;
        Lease& operator=(Lease&&) = delete;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease();

        pqxx::connection& connection() { return *m_connection; }
        pqxx::connection* operator->() { return m_connection.get(); }

        // The connection is unusable (broken, or its state unknown): close it
        // instead of returning it to the pool.
        void discard() { m_discard = true; }

    private:
        friend class PgPool;
        Lease(PgPool& pool, std::unique_ptr<pqxx::connection> connection);

        PgPool* m_pool;
        std::unique_ptr<pqxx::connection> m_connection;
        bool m_discard = false;
    };

    // Validates the options and the connection string; connects nothing yet.
    // Throws std::invalid_argument.
    PgPool(PgPoolOptions options, Setup setup);
    ~PgPool();
    PgPool(const PgPool&) = delete;
    PgPool& operator=(const PgPool&) = delete;

    // A connection for the calling thread: an idle one, a new one while the
    // pool is not full, else the next one returned. Throws StoreUnavailable
    // when the server cannot be reached or no connection frees up within the
    // connect timeout plus the statement timeout.
    Lease lease();

    // The connection string actually used (the DSN with connect_timeout set).
    const std::string& conninfo() const { return m_conninfo; }

    // Closes the idle connections (e.g. after the server restarted).
    void clear_idle();

private:
    void give_back(std::unique_ptr<pqxx::connection> connection, bool discard);
    std::unique_ptr<pqxx::connection> open_connection();

    PgPoolOptions m_options;
    Setup m_setup;
    std::string m_conninfo;
    std::mutex m_mutex;
    std::condition_variable m_returned;
    std::vector<std::unique_ptr<pqxx::connection>> m_idle;
    int m_open = 0;  // leased + idle + being opened
};

}  // namespace dspamd
