// dspamd's configuration: one TOML file parsed in one place into plain,
// immutable structs. Unknown keys, wrong types and out-of-range values are
// errors that name file:line:column. conf/dspamd.toml documents every key with
// its default; the defaults below and that file must agree (a test checks).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "classifier/combiner.h"
#include "classifier/mime/message.h"
#include "classifier/tokenizer.h"
#include "classifier/training.h"

namespace dspamd {

class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;  // message starts with "file:line:column: "
};

struct DatabaseConfig {
    std::string dsn;                // empty: the embedded cluster in state_dir
    int pool_size = 4;              // connections; each used by one thread at a time
    int connect_timeout_ms = 5000;
    int statement_timeout_ms = 10000;
    int max_retries = 3;            // on serialization failures and deadlocks only
    std::string system_user = "dspamd";  // runs the embedded cluster when started as root
};

struct ClassifierConfig {
    TokenizerParams tokenizer;
    ScoringParams scoring;
    TrainingParams training;
    MimeLimits limits;
};

struct UsersConfig {
    std::string default_user = "filter";  // user of dspamctl when no --user is given
    std::string merge_group;               // group merged into every user's counts ("" = none)
};

struct SignatureConfig {
    int expire_days = 14;  // signatures older than this can no longer be retrained
};

struct Config {
    std::filesystem::path source;     // the file it came from ("" = built-in defaults)
    std::filesystem::path state_dir = "/var/lib/dspamd";
    DatabaseConfig database;
    ClassifierConfig classifier;
    UsersConfig users;
    SignatureConfig signatures;
};

// Parses `path`; throws ConfigError.
Config load_config(const std::filesystem::path& path);

// The same from text (tests); `name` stands for the file in messages.
Config parse_config(std::string_view text, const std::string& name);

// The file the tools read when --config is not given: $DSPAMD_CONFIG, then
// the installed default.
std::filesystem::path default_config_path();

}  // namespace dspamd
