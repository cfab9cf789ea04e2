// Applies the numbered SQL migrations of schema/ to a database, each once and
// in its own transaction, under a session advisory lock so that a daemon and
// a tool starting together cannot both apply the same file.
#include "storage/migrate.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <pqxx/pqxx>
#include <sstream>

#include "storage/pg_pool.h"
#include "storage/sql.h"
#include "storage/store.h"

namespace dspamd {

namespace fs = std::filesystem;

namespace {

constexpr int k_migrate_connect_timeout_ms = 10000;
constexpr std::uintmax_t k_max_migration_bytes = 4 * 1024 * 1024;

// "0001_initial.sql" -> 1; -1 when the name does not follow NNNN_name.sql.
int version_of(const std::string& name) {
    std::size_t digits = 0;
    while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits]))) {
        ++digits;
    }
    if (digits == 0 || digits > 9 || digits >= name.size() || name[digits] != '_' ||
        !name.ends_with(".sql")) {
        return -1;
    }
    return std::stoi(name.substr(0, digits));
}

// Unlocks the advisory lock however migrate() leaves.
class AdvisoryLock {
public:
    explicit AdvisoryLock(pqxx::connection_base& conn) : m_conn(conn) {
        pqxx::nontransaction txn(m_conn);
        txn.exec_params(sql::k_migrations_lock, sql::k_migration_lock_key);
    }
    ~AdvisoryLock() {
        try {
            pqxx::nontransaction txn(m_conn);
            txn.exec_params(sql::k_migrations_unlock, sql::k_migration_lock_key);
        } catch (const std::exception&) {
            // The lock ends with the session anyway.
        }
    }
    AdvisoryLock(const AdvisoryLock&) = delete;
    AdvisoryLock& operator=(const AdvisoryLock&) = delete;

private:
    pqxx::connection_base& m_conn;
};

}  // namespace

fs::path find_schema_dir(const fs::path& explicit_dir) {
    std::error_code ec;
    if (!explicit_dir.empty()) {
        if (!fs::is_directory(explicit_dir, ec)) {
            throw MigrationError("schema directory " + explicit_dir.string() + " does not exist");
        }
        return explicit_dir;
    }
    for (const fs::path& candidate :
         {fs::path(DSPAMD_SOURCE_SCHEMA_DIR), fs::path(DSPAMD_SCHEMA_DIR)}) {
        if (!candidate.empty() && fs::is_directory(candidate, ec)) {
            return candidate;
        }
    }
    throw MigrationError(std::string("no schema directory found (looked in ") +
                         DSPAMD_SOURCE_SCHEMA_DIR + " and " + DSPAMD_SCHEMA_DIR + ")");
}

std::vector<Migration> load_migrations(const fs::path& dir) {
    std::vector<Migration> migrations;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        const int version = version_of(name);
        if (version < 0 || !entry.is_regular_file(ec)) {
            continue;
        }
        if (entry.file_size(ec) > k_max_migration_bytes) {
            throw MigrationError("migration " + entry.path().string() + " is larger than " +
                                 std::to_string(k_max_migration_bytes) + " bytes");
        }
        std::ifstream in(entry.path(), std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        if (!in) {
            throw MigrationError("cannot read migration " + entry.path().string());
        }
        migrations.push_back(Migration{version, name, entry.path(), text.str()});
    }
    if (ec) {
        throw MigrationError("cannot list schema directory " + dir.string() + ": " + ec.message());
    }
    std::sort(migrations.begin(), migrations.end(),
              [](const Migration& a, const Migration& b) { return a.version < b.version; });
    for (std::size_t i = 1; i < migrations.size(); ++i) {
        if (migrations[i].version == migrations[i - 1].version) {
            throw MigrationError("migrations " + migrations[i - 1].name + " and " +
                                 migrations[i].name + " have the same number");
        }
    }
    if (migrations.empty()) {
        throw MigrationError("no migrations (NNNN_name.sql) in " + dir.string());
    }
    return migrations;
}

MigrationReport migrate(pqxx::connection_base& conn, const std::vector<Migration>& migrations) {
    MigrationReport report;
    AdvisoryLock lock(conn);
    {
        pqxx::work txn(conn);
        txn.exec(sql::k_migrations_bootstrap);
        txn.commit();
    }
    std::map<int, std::pair<std::string, std::string>> recorded;  // version -> name, checksum
    {
        pqxx::nontransaction txn(conn);
        for (const pqxx::row& row : txn.exec(sql::k_migrations_applied)) {
            recorded.emplace(row[0].as<int>(),
                             std::make_pair(row[1].as<std::string>(), row[2].as<std::string>()));
        }
    }
    for (const Migration& migration : migrations) {
        pqxx::work txn(conn);
        const std::string checksum =
            txn.exec_params(sql::k_migrations_checksum, migration.sql)[0][0].as<std::string>();
        if (const auto found = recorded.find(migration.version); found != recorded.end()) {
            if (found->second.second != checksum) {
                throw MigrationError(
                    "migration " + migration.name + " was changed after it was applied (as " +
                    found->second.first + "); add a new migration instead of editing one");
            }
            report.already_applied.push_back(migration.name);
            continue;
        }
        try {
            txn.exec(migration.sql);
        } catch (const pqxx::sql_error& e) {
            throw MigrationError("migration " + migration.path.string() + " failed: " + e.what());
        }
        txn.exec_params(sql::k_migrations_record, migration.version, migration.name, checksum);
        txn.commit();
        report.applied.push_back(migration.name);
    }
    return report;
}

MigrationReport migrate(const std::string& dsn, const fs::path& schema_dir) {
    const std::vector<Migration> migrations = load_migrations(find_schema_dir(schema_dir));
    try {
        pqxx::connection conn(make_conninfo(dsn, k_migrate_connect_timeout_ms));
        return migrate(conn, migrations);
    } catch (const pqxx::broken_connection& e) {
        throw StoreUnavailable(std::string("cannot migrate the database: ") + e.what());
    }
}

}  // namespace dspamd
