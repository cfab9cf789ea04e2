// The private PostgreSQL cluster of a test executable: created on first use in
// a temporary directory by EmbeddedCluster, migrated, and stopped and removed
// when the executable exits. One per process, shared by its test cases.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "storage/embedded_cluster.h"

namespace dspamd::test {

class TestCluster {
public:
    // Starts the cluster on first call (initdb, start, migrations).
    static TestCluster& instance();

    ~TestCluster();
    TestCluster(const TestCluster&) = delete;
    TestCluster& operator=(const TestCluster&) = delete;

    EmbeddedCluster& cluster() { return *m_cluster; }
    const std::string& dsn() const { return m_dsn; }
    const std::filesystem::path& directory() const { return m_directory; }

    // A fresh temporary directory under the system's temp dir (removed by the
    // caller).
    static std::filesystem::path make_temp_dir(const std::string& stem);

private:
    TestCluster();

    std::filesystem::path m_directory;
    std::unique_ptr<EmbeddedCluster> m_cluster;
    std::string m_dsn;
};

}  // namespace dspamd::test
