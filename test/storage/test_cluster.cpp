// The per-executable test cluster: one initdb per test process, cleaned up at
// exit even when test cases fail.
#include "test/storage/test_cluster.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <vector>

#include "storage/migrate.h"

namespace dspamd::test {

namespace fs = std::filesystem;

fs::path TestCluster::make_temp_dir(const std::string& stem) {
    // /tmp rather than $TMPDIR: the socket path must stay short.
    std::string pattern = "/tmp/" + stem + "-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (mkdtemp(buffer.data()) == nullptr) {
        throw std::runtime_error("mkdtemp " + pattern + " failed");
    }
    return fs::path(buffer.data());
}

TestCluster& TestCluster::instance() {
    static TestCluster cluster;
    return cluster;
}

TestCluster::TestCluster() : m_directory(make_temp_dir("dspamd-pgtest")) {
    try {
        EmbeddedClusterOptions options;
        options.state_dir = m_directory;
        m_cluster = std::make_unique<EmbeddedCluster>(options);
        m_dsn = m_cluster->start();
        migrate(m_dsn);
    } catch (...) {
        if (m_cluster) {
            try {
                m_cluster->stop();
            } catch (const std::exception& e) {
                std::cerr << "test cluster: " << e.what() << '\n';
            }
        }
        std::error_code ec;
        fs::remove_all(m_directory, ec);
        throw;
    }
}

TestCluster::~TestCluster() {
    try {
        m_cluster->stop();
    } catch (const std::exception& e) {
        std::cerr << "test cluster: cannot stop: " << e.what() << '\n';
    }
    std::error_code ec;
    fs::remove_all(m_directory, ec);
}

}  // namespace dspamd::test
