// dspamd's configuration: one TOML file parsed in one place into plain,
// immutable structs. Unknown keys, wrong types and out-of-range values are
// errors that name file:line:column. conf/dspamd.toml documents every key with
// its default; the defaults below and that file must agree (a test checks).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "classifier/bnr.h"
#include "classifier/combiner.h"
#include "classifier/mime/message.h"
#include "classifier/test_conditional.h"
#include "classifier/tokenizer.h"
#include "classifier/training.h"
#include "classifier/whitelist.h"

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

// Upper bounds of the logistic learner's settings, for the config file and
// per-user preferences alike: a bounded rate keeps each fixed-point weight
// step far inside int64.
inline constexpr double k_max_logistic_rate = 1000.0;
inline constexpr double k_max_logistic_ham_cost = 100.0;
inline constexpr double k_max_fisher_weight = 1000.0;
// Beyond a power of 4 every token but the rarest has a feature of nearly 0.
inline constexpr double k_max_logistic_rarity_power = 4.0;
// Beyond this a token never seen has a feature of nearly 0 and barely learns.
inline constexpr double k_max_logistic_evidence_weight = 100.0;
// fisher's class prior, in messages: beyond this it would outweigh any
// user's mail.
inline constexpr double k_max_fisher_prior_messages = 1000000.0;
// Taking back more than this many times a spam-heavy stream's lean would
// turn the learned spam evidence of every message upside down.
inline constexpr double k_max_logistic_balance = 10.0;
// The balance's prior, in messages: as fisher's.
inline constexpr double k_max_logistic_balance_messages = 1000000.0;

struct ClassifierConfig {
    TokenizerParams tokenizer;
    ScoringParams scoring;
    TrainingParams training;
    MimeLimits limits;
    // DSPAM's learning features (classifier/bnr.h, whitelist.h, sedation.h,
    // test_conditional.h); all off by default, as compiled into DSPAM.
    BnrParams bnr;
    WhitelistParams whitelist;
    TestConditionalParams test_conditional;
    int statistical_sedation = 0;  // DSPAM's training buffer, 0 (off)..10
};

struct UsersConfig {
    std::string default_user = "filter";  // user of dspamctl when no --user is given
    std::string merge_group;               // group merged into every user's counts ("" = none)
};

struct SignatureConfig {
    int expire_days = 14;  // signatures older than this can no longer be retrained
};

// What the milter does when it cannot judge a message (database down, bug).
enum class FailurePolicy : std::uint8_t { tempfail, accept };
// How a recipient address becomes a dspamd user.
enum class UserMapping : std::uint8_t { address, localpart, shared };
// What happens to spam (DSPAM's spamAction preference).
enum class SpamAction : std::uint8_t { tag, quarantine, reject };
// Where the signature id goes (DSPAM's signatureLocation preference).
enum class SignatureLocation : std::uint8_t { headers, message };

// Fields are grouped by type (not in the sample's order) so that the size
// check in test/engine/config_test.cpp stays a plain sum.
struct MilterConfig {
    std::string socket = "unix:/run/dspamd/dspamd.sock";  // libmilter's unix:/inet:/inet6: spec
    std::string socket_group = "postfix";  // group of a unix socket ("" = leave as created)
    std::string user = "dspamd";           // run as, when started as root
    std::string pid_file = "/run/dspamd/dspamd.pid";  // "" = none
    std::string shared_user = "filter";               // the one user of user_mapping = "shared"
    std::vector<std::string> trusted_networks = {"127.0.0.0/8", "::1/128"};
    std::int64_t max_message_bytes = 10485760;  // larger: accepted untagged, logged
    std::int64_t max_header_bytes = 262144;     // all header names and values together
    int socket_mode = 0660;                     // permissions of a unix socket
    int max_header_count = 1000;                // more headers: as oversize
    int timeout_s = 600;                        // libmilter's I/O timeout towards Postfix
    bool skip_authenticated = true;  // SASL-authenticated clients send outgoing mail
    UserMapping user_mapping = UserMapping::address;
    FailurePolicy on_database_error = FailurePolicy::tempfail;
    FailurePolicy on_internal_error = FailurePolicy::tempfail;
};

struct ActionsConfig {
    std::string subject_prefix;                              // DSPAM's spamSubject ("" = none)
    std::string reject_text = "Message classified as spam";  // after "550 5.7.1 "
    double reject_confidence = 0.95;             // reject only spam at least this confident
    std::int64_t quarantine_copy_bytes = 262144;  // bytes of a held message kept for preview
    SpamAction spam_action = SpamAction::tag;     // a user's spamAction preference overrides it
    SignatureLocation signature_location = SignatureLocation::headers;
    bool show_factors = false;  // X-DSPAM-Factors
};

struct RetrainConfig {
    // Recipient patterns of retraining requests: "{user}" stands for the local
    // part of the user's address; without it, the sender's own user is meant.
    std::vector<std::string> spam_addresses = {"spam-{user}@", "spam@"};
    std::vector<std::string> innocent_addresses = {"notspam-{user}@", "notspam@"};
    // Run with the queue id appended to release a false positive from
    // Postfix's hold queue (e.g. postsuper -H); empty: only the table records it.
    std::vector<std::string> release_command;
};

struct HistoryConfig {
    int expire_days = 30;  // history rows older than this are purged
};

// The milter's in-memory token cache (storage/cached_store.h): counts are
// read from memory and written back to PostgreSQL in batches.
struct CacheConfig {
    std::int64_t max_entries = 500'000;  // cached token rows, about 160 bytes each
    std::int64_t max_queue = 500'000;    // rows waiting for write-back; past it: tempfail
    int ttl_s = 60;                      // other hosts' learning shows up within this
    int flush_interval_ms = 1000;        // a crash loses at most this much training
    int known_tokens_refresh_s = 60;     // rebuild of the known-token filter; 0: none
    bool enabled = true;
    bool preload = true;                 // a user's rows read into memory on its first message
};

struct Config {
    std::filesystem::path source;     // the file it came from ("" = built-in defaults)
    std::filesystem::path state_dir = "/var/lib/dspamd";
    DatabaseConfig database;
    ClassifierConfig classifier;
    UsersConfig users;
    SignatureConfig signatures;
    MilterConfig milter;
    ActionsConfig actions;
    RetrainConfig retrain;
    HistoryConfig history;
    CacheConfig cache;
};

bool parse_failure_policy(std::string_view name, FailurePolicy& out);
std::string_view failure_policy_name(FailurePolicy policy);
bool parse_user_mapping(std::string_view name, UserMapping& out);
std::string_view user_mapping_name(UserMapping mapping);
bool parse_spam_action(std::string_view name, SpamAction& out);
std::string_view spam_action_name(SpamAction action);
bool parse_signature_location(std::string_view name, SignatureLocation& out);
std::string_view signature_location_name(SignatureLocation location);

// Parses `path`; throws ConfigError.
Config load_config(const std::filesystem::path& path);

// The same from text (tests); `name` stands for the file in messages.
Config parse_config(std::string_view text, const std::string& name);

// Sets one [classifier] key over `classifier`, checked as if the file had
// `key = value` in its [classifier] table; a dotted key reaches a sub-table
// ("scoring.fisher_x"). A value that is not a TOML value is read as a string
// ("chain", "chi-square"). For settings given on the command line, so every
// key the file knows works there too. Throws ConfigError with a message that
// starts with the classifier key's path (there is no file position).
void set_classifier_key(ClassifierConfig& classifier, std::string_view key,
                        std::string_view value);

// The file the tools read when --config is not given: $DSPAMD_CONFIG, then
// the installed default.
std::filesystem::path default_config_path();

}  // namespace dspamd
