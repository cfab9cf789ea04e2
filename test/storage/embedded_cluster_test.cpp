// Integration tests of EmbeddedCluster: a real initdb, pg_ctl start and stop
// in a temporary state directory, as the unprivileged system user when the
// tests run as root.
#include "storage/embedded_cluster.h"

#include <doctest/doctest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <pqxx/pqxx>

#include "test/storage/test_cluster.h"

namespace dspamd {
namespace {

namespace fs = std::filesystem;

// Removes the state directory however the test case ends, stopping the
// cluster first.
struct StateDir {
    fs::path path = test::TestCluster::make_temp_dir("dspamd-ectest");
    ~StateDir() {
        try {
            EmbeddedClusterOptions options;
            options.state_dir = path;
            EmbeddedCluster(options).stop();
        } catch (const std::exception& e) {
            MESSAGE(e.what());
        }
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

EmbeddedClusterOptions options_in(const fs::path& dir) {
    EmbeddedClusterOptions options;
    options.state_dir = dir;
    return options;
}

TEST_CASE("embedded cluster: refuses unusable state directories") {
    CHECK_THROWS_AS(EmbeddedCluster(options_in("")), ClusterError);
    CHECK_THROWS_AS(EmbeddedCluster(options_in("/tmp/it's")), ClusterError);
    CHECK_THROWS_AS(EmbeddedCluster(options_in("/tmp/$HOME")), ClusterError);
    CHECK_THROWS_AS(EmbeddedCluster(options_in("/tmp/" + std::string(100, 'x'))), ClusterError);
    EmbeddedClusterOptions zero = options_in("/tmp/x");
    zero.start_timeout_s = 0;
    CHECK_THROWS_AS(EmbeddedCluster{zero}, ClusterError);
}

TEST_CASE("embedded cluster: paths, DSN and binaries") {
    const EmbeddedCluster cluster(options_in("/var/lib/dspamd/"));
    CHECK(cluster.data_dir() == "/var/lib/dspamd/pgdata");
    CHECK(cluster.socket_dir() == "/var/lib/dspamd/run");
    CHECK(cluster.log_file() == "/var/lib/dspamd/pg.log");
    CHECK(cluster.dsn() == "host=/var/lib/dspamd/run dbname=dspamd user=dspamd");
    CHECK(fs::exists(cluster.bin_dir() / "pg_ctl"));
    CHECK(fs::exists(cluster.bin_dir() / "initdb"));
}

TEST_CASE("embedded cluster: create, restart, stop") {
    StateDir state;
    EmbeddedCluster cluster(options_in(state.path));
    CHECK_FALSE(cluster.running());
    const std::string dsn = cluster.start();
    CHECK(dsn == cluster.dsn());
    CHECK(cluster.running());
    CHECK(fs::exists(cluster.data_dir() / "PG_VERSION"));
    CHECK(fs::exists(cluster.log_file()));

    struct stat info {};
    REQUIRE(stat(cluster.socket_dir().c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0700);
    if (geteuid() == 0) {
        // PostgreSQL refuses root: the cluster belongs to the system user.
        const passwd* pw = getpwnam("dspamd");
        REQUIRE(pw != nullptr);
        REQUIRE(stat(cluster.data_dir().c_str(), &info) == 0);
        CHECK(info.st_uid == pw->pw_uid);
    }

    {
        pqxx::connection conn(dsn);
        pqxx::nontransaction txn(conn);
        // Unix socket only: no TCP listener.
        CHECK(txn.exec1("SHOW listen_addresses")[0].as<std::string>().empty());
        CHECK(txn.exec1("SELECT current_database()")[0].as<std::string>() == "dspamd");
        CHECK(txn.exec1("SHOW server_encoding")[0].as<std::string>() == "UTF8");
        txn.exec("CREATE TABLE kept (x int)");
        txn.exec("INSERT INTO kept VALUES (42)");
    }

    // Already running: nothing to do.
    CHECK(cluster.start() == dsn);
    CHECK(cluster.running());

    cluster.stop();
    CHECK_FALSE(cluster.running());
    CHECK_THROWS_AS(pqxx::connection(dsn + " connect_timeout=2"), pqxx::broken_connection);
    cluster.stop();  // not running: nothing to do

    // Exists but stopped: started again, data kept.
    EmbeddedCluster again(options_in(state.path));
    CHECK(again.start() == dsn);
    pqxx::connection conn(dsn);
    pqxx::nontransaction txn(conn);
    CHECK(txn.exec1("SELECT x FROM kept")[0].as<int>() == 42);
}

TEST_CASE("embedded cluster: a foreign pgdata is not overwritten") {
    StateDir state;
    fs::create_directories(state.path / "pgdata");
    { std::ofstream(state.path / "pgdata" / "precious.txt") << "do not delete\n"; }
    EmbeddedCluster cluster(options_in(state.path));
    try {
        cluster.start();
        FAIL("start() should have refused the directory");
    } catch (const ClusterError& e) {
        CHECK(std::string(e.what()).find("PG_VERSION") != std::string::npos);
    }
    CHECK(fs::exists(state.path / "pgdata" / "precious.txt"));
}

TEST_CASE("embedded cluster: a failing command is named with its output") {
    StateDir state;
    EmbeddedClusterOptions options = options_in(state.path);
    options.bin_dir = "/nonexistent/bin";
    EmbeddedCluster cluster(options);
    try {
        cluster.start();
        FAIL("start() should have failed");
    } catch (const ClusterError& e) {
        const std::string message = e.what();
        CAPTURE(message);
        CHECK(message.find("/nonexistent/bin/initdb") != std::string::npos);
        CHECK(message.find("cannot execute") != std::string::npos);
    }
}

}  // namespace
}  // namespace dspamd
