// The schema migration runner: applies schema/NNNN_name.sql files in order,
// each once, each in its own transaction, recorded in schema_migrations with
// a checksum. A session advisory lock keeps two processes from migrating at
// the same time; running it again is a no-op.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace pqxx {
class connection_base;
}

namespace dspamd {

class MigrationError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Migration {
    int version = 0;   // NNNN of the file name
    std::string name;  // the file name, e.g. "0001_initial.sql"
    std::filesystem::path path;
    std::string sql;
};

struct MigrationReport {
    std::vector<std::string> applied;          // applied by this run, in order
    std::vector<std::string> already_applied;  // found recorded
};

// The schema directory: `explicit_dir` when given (it must exist), else the
// source tree's schema/ (DSPAMD_SOURCE_SCHEMA_DIR) when present, else the
// installed one (DSPAMD_SCHEMA_DIR). Throws MigrationError when none exists.
std::filesystem::path find_schema_dir(const std::filesystem::path& explicit_dir = {});

// The migrations in `dir` sorted by version; other files are ignored.
// Throws MigrationError on unreadable files or duplicate versions.
std::vector<Migration> load_migrations(const std::filesystem::path& dir);

// Applies what is missing on `conn`. Throws MigrationError when a recorded
// migration's file has changed since it was applied, or when one fails (its
// transaction is rolled back; the ones before it stay applied).
MigrationReport migrate(pqxx::connection_base& conn, const std::vector<Migration>& migrations);

// Connects to `dsn` and applies the migrations of find_schema_dir(schema_dir).
// Throws StoreUnavailable when the server cannot be reached.
MigrationReport migrate(const std::string& dsn, const std::filesystem::path& schema_dir = {});

}  // namespace dspamd
