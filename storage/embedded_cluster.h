// The embedded default store: a private PostgreSQL cluster in dspamd's state
// directory, reached over a unix socket only (no TCP). start() creates it on
// first use (initdb), starts it when it is not running and creates the
// database; it returns the DSN for PgStore. Run as root, the cluster belongs
// to an unprivileged system user (PostgreSQL refuses root), created if missing.
// The cluster trusts local connections, so its socket directory (run/) is
// 0700: only root and the cluster's owner can connect.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace dspamd {

// A command of the cluster's life cycle failed; the message names the command
// and the log to read.
class ClusterError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct EmbeddedClusterOptions {
    std::filesystem::path state_dir;     // holds pgdata/, run/ (the socket) and pg.log
    std::string system_user = "dspamd";  // owner of the cluster when started as root
    std::filesystem::path bin_dir;       // initdb, pg_ctl; empty: found (see bin_dir())
    int start_timeout_s = 60;            // pg_ctl -t: how long start and stop may wait
    // A cluster for one run that is removed afterwards (evaluations,
    // benchmarks): no fsync, so a crash may corrupt it, which costs nothing.
    bool throwaway = false;
};

class EmbeddedCluster {
public:
    static constexpr const char* k_database = "dspamd";
    static constexpr const char* k_role = "dspamd";

    explicit EmbeddedCluster(EmbeddedClusterOptions options);

    // Initializes, starts and prepares the cluster as needed; returns dsn().
    // Safe to call when it is already running, and from two processes at once
    // (a lock file serializes them). Throws ClusterError.
    std::string start();

    // Stops the cluster (fast shutdown: open transactions are rolled back).
    // Nothing to do when it is not running. Throws ClusterError.
    void stop();

    bool running() const;

    // host=<state>/run dbname=dspamd user=dspamd
    std::string dsn() const;

    const std::filesystem::path& data_dir() const { return m_data_dir; }
    const std::filesystem::path& socket_dir() const { return m_socket_dir; }
    const std::filesystem::path& log_file() const { return m_log_file; }

    // The PostgreSQL binaries used: the option, else the version that created
    // data_dir() (/usr/lib/postgresql/<PG_VERSION>/bin), else the build's
    // `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin.
    std::filesystem::path bin_dir() const;

private:
    struct Owner;  // the account commands run as

    Owner owner() const;
    void prepare_directories(const Owner& who) const;
    void init_data_dir(const Owner& who) const;
    void start_server(const Owner& who) const;
    void create_database() const;
    int pg_ctl_status(const Owner& who) const;

    EmbeddedClusterOptions m_options;
    std::filesystem::path m_data_dir;
    std::filesystem::path m_socket_dir;
    std::filesystem::path m_log_file;
};

}  // namespace dspamd
