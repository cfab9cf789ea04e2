// Tests of engine/config.cpp: every class of error names file:line:column and
// what was expected; a complete file sets every field; and conf/dspamd.toml,
// the documented sample, documents every key and equals the built-in defaults,
// so it cannot drift from the structs.
#include "engine/config.h"

#include <doctest/doctest.h>
#include <toml++/toml.h>

#include <unistd.h>
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace dspamd {
namespace {

const std::filesystem::path k_sample =
    std::filesystem::path(DSPAMD_SOURCE_DIR) / "conf" / "dspamd.toml";

// Every key the parser knows, dotted, in the order of the sample. A field
// added to a struct must be added here, to config.cpp and to the sample; the
// size checks below make sure that is not forgotten.
const std::vector<std::string> k_all_keys = {
    "state_dir",
    "database.dsn",
    "database.pool_size",
    "database.connect_timeout_ms",
    "database.statement_timeout_ms",
    "database.max_retries",
    "database.system_user",
    "classifier.tokenizer",
    "classifier.algorithm",
    "classifier.training_mode",
    "classifier.tum_maturity",
    "classifier.tum_min_confidence",
    "classifier.toe_warmup",
    "classifier.tone_margin",
    "classifier.max_tokens",
    "classifier.max_words",
    "classifier.enable_bnr",
    "classifier.enable_whitelist",
    "classifier.whitelist_threshold",
    "classifier.statistical_sedation",
    "classifier.test_conditional_training",
    "classifier.test_conditional_iterations",
    "classifier.ignored_headers",
    "classifier.scoring.min_hits",
    "classifier.scoring.unknown_probability",
    "classifier.scoring.processor_bias",
    "classifier.scoring.prob_min",
    "classifier.scoring.prob_max",
    "classifier.scoring.graham_tokens",
    "classifier.scoring.burton_tokens",
    "classifier.scoring.robinson_tokens",
    "classifier.scoring.robinson_s",
    "classifier.scoring.robinson_x",
    "classifier.scoring.robinson_cutoff",
    "classifier.scoring.chi_s",
    "classifier.scoring.chi_x",
    "classifier.scoring.chi_cutoff",
    "classifier.scoring.exclusion_radius",
    "classifier.scoring.spam_threshold",
    "classifier.scoring.fisher_s",
    "classifier.scoring.fisher_x",
    "classifier.scoring.fisher_cutoff",
    "classifier.scoring.fisher_header_weight",
    "classifier.scoring.fisher_prior_messages",
    "classifier.scoring.logistic_rate",
    "classifier.scoring.logistic_ham_cost",
    "classifier.scoring.logistic_margin",
    "classifier.scoring.logistic_decay_hits",
    "classifier.scoring.logistic_rarity_power",
    "classifier.scoring.logistic_evidence_weight",
    "classifier.scoring.logistic_balance",
    "classifier.scoring.logistic_balance_messages",
    "classifier.scoring.fisher_weight",
    "classifier.scoring.logistic_cutoff",
    "limits.max_message_bytes",
    "limits.max_header_bytes",
    "limits.max_headers",
    "limits.max_parts",
    "limits.max_depth",
    "limits.max_text_bytes",
    "users.default_user",
    "users.merge_group",
    "signatures.expire_days",
    "milter.socket",
    "milter.socket_group",
    "milter.socket_mode",
    "milter.user",
    "milter.pid_file",
    "milter.max_message_bytes",
    "milter.max_header_count",
    "milter.max_header_bytes",
    "milter.trusted_networks",
    "milter.skip_authenticated",
    "milter.user_mapping",
    "milter.shared_user",
    "milter.on_database_error",
    "milter.on_internal_error",
    "milter.timeout_s",
    "actions.spam_action",
    "actions.subject_prefix",
    "actions.reject_confidence",
    "actions.reject_text",
    "actions.signature_location",
    "actions.show_factors",
    "actions.quarantine_copy_bytes",
    "retrain.spam_addresses",
    "retrain.innocent_addresses",
    "retrain.release_command",
    "history.expire_days",
    "cache.enabled",
    "cache.max_entries",
    "cache.max_queue",
    "cache.ttl_s",
    "cache.flush_interval_ms",
    "cache.known_tokens_refresh_s",
    "cache.preload",
};

// A struct that grows a field fails here: teach config.cpp, conf/dspamd.toml,
// k_all_keys and check_equal below about it, then update the size.
static_assert(sizeof(DatabaseConfig) == 2 * sizeof(std::string) + 4 * sizeof(int),
              "DatabaseConfig changed: update config.cpp, the sample and this test");
static_assert(sizeof(TokenizerParams) == 3 * sizeof(std::size_t) + sizeof(std::vector<std::string>),
              "TokenizerParams changed: update config.cpp, the sample and this test");
static_assert(sizeof(ScoringParams) == 2 * sizeof(int) + 3 * sizeof(std::size_t) +
                                           26 * sizeof(double) +
                                           sizeof(double) /* one bool, padded */,
              "ScoringParams changed: update config.cpp, the sample and this test");
static_assert(sizeof(TrainingParams) == 3 * sizeof(std::int64_t) + 2 * sizeof(double),
              "TrainingParams changed: update config.cpp, the sample and this test");
static_assert(sizeof(BnrParams) == sizeof(bool),
              "BnrParams changed: update config.cpp, the sample and this test");
static_assert(sizeof(WhitelistParams) == 2 * sizeof(std::int64_t) /* a bool, padded */,
              "WhitelistParams changed: update config.cpp, the sample and this test");
static_assert(sizeof(TestConditionalParams) == 2 * sizeof(int) /* a bool, padded */,
              "TestConditionalParams changed: update config.cpp, the sample and this test");
static_assert(sizeof(MimeLimits) == 6 * sizeof(std::size_t),
              "MimeLimits changed: update config.cpp, the sample and this test");
static_assert(sizeof(UsersConfig) == 2 * sizeof(std::string),
              "UsersConfig changed: update config.cpp, the sample and this test");
static_assert(sizeof(SignatureConfig) == sizeof(int),
              "SignatureConfig changed: update config.cpp, the sample and this test");
static_assert(sizeof(MilterConfig) == 5 * sizeof(std::string) + sizeof(std::vector<std::string>) +
                                          2 * sizeof(std::int64_t) + 3 * sizeof(int) +
                                          sizeof(int) /* one bool and three enums */,
              "MilterConfig changed: update config.cpp, the sample and this test");
static_assert(sizeof(ActionsConfig) == 2 * sizeof(std::string) + sizeof(double) +
                                           sizeof(std::int64_t) +
                                           sizeof(double) /* two enums and a bool, padded */,
              "ActionsConfig changed: update config.cpp, the sample and this test");
static_assert(sizeof(RetrainConfig) == 3 * sizeof(std::vector<std::string>),
              "RetrainConfig changed: update config.cpp, the sample and this test");
static_assert(sizeof(HistoryConfig) == sizeof(int),
              "HistoryConfig changed: update config.cpp, the sample and this test");
static_assert(sizeof(CacheConfig) == 2 * sizeof(std::int64_t) + 4 * sizeof(int) /* 3 ints
                                                                         and 2 bools, padded */,
              "CacheConfig changed: update config.cpp, the sample and this test");

std::string error_of(const std::string& text, const std::string& name = "t.toml") {
    try {
        parse_config(text, name);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

std::string error_of_load(const std::filesystem::path& path) {
    try {
        load_config(path);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Field by field, every setting except where the file came from and state_dir.
void check_equal(const Config& a, const Config& b) {
    CHECK(a.database.dsn == b.database.dsn);
    CHECK(a.database.pool_size == b.database.pool_size);
    CHECK(a.database.connect_timeout_ms == b.database.connect_timeout_ms);
    CHECK(a.database.statement_timeout_ms == b.database.statement_timeout_ms);
    CHECK(a.database.max_retries == b.database.max_retries);
    CHECK(a.database.system_user == b.database.system_user);

    const ClassifierConfig& ca = a.classifier;
    const ClassifierConfig& cb = b.classifier;
    CHECK(ca.tokenizer.kind == cb.tokenizer.kind);
    CHECK(ca.tokenizer.max_tokens == cb.tokenizer.max_tokens);
    CHECK(ca.tokenizer.max_words == cb.tokenizer.max_words);
    CHECK(ca.tokenizer.ignored_headers == cb.tokenizer.ignored_headers);
    CHECK(ca.training.mode == cb.training.mode);
    CHECK(ca.training.tum_maturity == cb.training.tum_maturity);
    CHECK(ca.training.tum_min_confidence == cb.training.tum_min_confidence);
    CHECK(ca.training.toe_warmup == cb.training.toe_warmup);
    CHECK(ca.training.tone_margin == cb.training.tone_margin);
    CHECK(ca.bnr.enabled == cb.bnr.enabled);
    CHECK(ca.whitelist.enabled == cb.whitelist.enabled);
    CHECK(ca.whitelist.threshold == cb.whitelist.threshold);
    CHECK(ca.statistical_sedation == cb.statistical_sedation);
    CHECK(ca.test_conditional.enabled == cb.test_conditional.enabled);
    CHECK(ca.test_conditional.max_iterations == cb.test_conditional.max_iterations);

    CHECK(ca.scoring.algorithm == cb.scoring.algorithm);
    CHECK(ca.scoring.min_hits == cb.scoring.min_hits);
    // Exact: the sample must spell the very same doubles.
    CHECK(ca.scoring.unknown_probability == cb.scoring.unknown_probability);
    CHECK(ca.scoring.processor_bias == cb.scoring.processor_bias);
    CHECK(ca.scoring.prob_min == cb.scoring.prob_min);
    CHECK(ca.scoring.prob_max == cb.scoring.prob_max);
    CHECK(ca.scoring.graham_tokens == cb.scoring.graham_tokens);
    CHECK(ca.scoring.burton_tokens == cb.scoring.burton_tokens);
    CHECK(ca.scoring.robinson_tokens == cb.scoring.robinson_tokens);
    CHECK(ca.scoring.robinson_s == cb.scoring.robinson_s);
    CHECK(ca.scoring.robinson_x == cb.scoring.robinson_x);
    CHECK(ca.scoring.robinson_cutoff == cb.scoring.robinson_cutoff);
    CHECK(ca.scoring.chi_s == cb.scoring.chi_s);
    CHECK(ca.scoring.chi_x == cb.scoring.chi_x);
    CHECK(ca.scoring.chi_cutoff == cb.scoring.chi_cutoff);
    CHECK(ca.scoring.exclusion_radius == cb.scoring.exclusion_radius);
    CHECK(ca.scoring.spam_threshold == cb.scoring.spam_threshold);
    CHECK(ca.scoring.fisher_s == cb.scoring.fisher_s);
    CHECK(ca.scoring.fisher_x == cb.scoring.fisher_x);
    CHECK(ca.scoring.fisher_cutoff == cb.scoring.fisher_cutoff);
    CHECK(ca.scoring.fisher_header_weight == cb.scoring.fisher_header_weight);
    CHECK(ca.scoring.fisher_prior_messages == cb.scoring.fisher_prior_messages);
    CHECK(ca.scoring.logistic_rate == cb.scoring.logistic_rate);
    CHECK(ca.scoring.logistic_ham_cost == cb.scoring.logistic_ham_cost);
    CHECK(ca.scoring.logistic_margin == cb.scoring.logistic_margin);
    CHECK(ca.scoring.logistic_decay_hits == cb.scoring.logistic_decay_hits);
    CHECK(ca.scoring.logistic_rarity_power == cb.scoring.logistic_rarity_power);
    CHECK(ca.scoring.logistic_evidence_weight == cb.scoring.logistic_evidence_weight);
    CHECK(ca.scoring.logistic_balance == cb.scoring.logistic_balance);
    CHECK(ca.scoring.logistic_balance_messages == cb.scoring.logistic_balance_messages);
    CHECK(ca.scoring.fisher_weight == cb.scoring.fisher_weight);
    CHECK(ca.scoring.logistic_cutoff == cb.scoring.logistic_cutoff);

    CHECK(ca.limits.max_message_bytes == cb.limits.max_message_bytes);
    CHECK(ca.limits.max_header_bytes == cb.limits.max_header_bytes);
    CHECK(ca.limits.max_headers == cb.limits.max_headers);
    CHECK(ca.limits.max_parts == cb.limits.max_parts);
    CHECK(ca.limits.max_depth == cb.limits.max_depth);
    CHECK(ca.limits.max_text_bytes == cb.limits.max_text_bytes);

    CHECK(a.users.default_user == b.users.default_user);
    CHECK(a.users.merge_group == b.users.merge_group);
    CHECK(a.signatures.expire_days == b.signatures.expire_days);

    const MilterConfig& ma = a.milter;
    const MilterConfig& mb = b.milter;
    CHECK(ma.socket == mb.socket);
    CHECK(ma.socket_group == mb.socket_group);
    CHECK(ma.socket_mode == mb.socket_mode);
    CHECK(ma.user == mb.user);
    CHECK(ma.pid_file == mb.pid_file);
    CHECK(ma.max_message_bytes == mb.max_message_bytes);
    CHECK(ma.max_header_count == mb.max_header_count);
    CHECK(ma.max_header_bytes == mb.max_header_bytes);
    CHECK(ma.trusted_networks == mb.trusted_networks);
    CHECK(ma.skip_authenticated == mb.skip_authenticated);
    CHECK(ma.user_mapping == mb.user_mapping);
    CHECK(ma.shared_user == mb.shared_user);
    CHECK(ma.on_database_error == mb.on_database_error);
    CHECK(ma.on_internal_error == mb.on_internal_error);
    CHECK(ma.timeout_s == mb.timeout_s);

    CHECK(a.actions.spam_action == b.actions.spam_action);
    CHECK(a.actions.subject_prefix == b.actions.subject_prefix);
    CHECK(a.actions.reject_confidence == b.actions.reject_confidence);
    CHECK(a.actions.reject_text == b.actions.reject_text);
    CHECK(a.actions.signature_location == b.actions.signature_location);
    CHECK(a.actions.show_factors == b.actions.show_factors);
    CHECK(a.actions.quarantine_copy_bytes == b.actions.quarantine_copy_bytes);

    CHECK(a.retrain.spam_addresses == b.retrain.spam_addresses);
    CHECK(a.retrain.innocent_addresses == b.retrain.innocent_addresses);
    CHECK(a.retrain.release_command == b.retrain.release_command);
    CHECK(a.history.expire_days == b.history.expire_days);

    CHECK(a.cache.enabled == b.cache.enabled);
    CHECK(a.cache.max_entries == b.cache.max_entries);
    CHECK(a.cache.max_queue == b.cache.max_queue);
    CHECK(a.cache.ttl_s == b.cache.ttl_s);
    CHECK(a.cache.flush_interval_ms == b.cache.flush_interval_ms);
    CHECK(a.cache.known_tokens_refresh_s == b.cache.known_tokens_refresh_s);
    CHECK(a.cache.preload == b.cache.preload);
}

// Sets an environment variable for one scope and restores it after.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const char* value) : m_name(name) {
        if (const char* old = std::getenv(name)) {
            m_old = old;
            m_had = true;
        }
        if (value == nullptr) {
            ::unsetenv(name);
        } else {
            ::setenv(name, value, 1);
        }
    }
    ~ScopedEnv() {
        if (m_had) {
            ::setenv(m_name.c_str(), m_old.c_str(), 1);
        } else {
            ::unsetenv(m_name.c_str());
        }
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    std::string m_name;
    std::string m_old;
    bool m_had = false;
};

}  // namespace

TEST_CASE("an empty file gives the built-in defaults") {
    Config config = parse_config("", "empty.toml");
    CHECK(config.source == "empty.toml");
    CHECK(config.state_dir == Config{}.state_dir);
    check_equal(config, Config{});
}

TEST_CASE("a complete file sets every field") {
    const std::string text = R"(
state_dir = "/srv/dspamd"

[database]
dsn = "host=db dbname=dspam"
pool_size = 8
connect_timeout_ms = 2000
statement_timeout_ms = 4000
max_retries = 0
system_user = "postgres"

[classifier]
tokenizer = "sbph"
algorithm = "robinson"
training_mode = "tum"
tum_maturity = 7
tum_min_confidence = 0.5
toe_warmup = 0
tone_margin = 5.5
max_tokens = 999
max_words = 77
enable_bnr = true
enable_whitelist = true
whitelist_threshold = 3
statistical_sedation = 7
test_conditional_training = true
test_conditional_iterations = 2
ignored_headers = ["X-Spam-*", "Received", "x-virus-status"]

[classifier.scoring]
min_hits = 0
unknown_probability = 0.3
processor_bias = true
prob_min = 0.01
prob_max = 0.99
graham_tokens = 16
burton_tokens = 28
robinson_tokens = 26
robinson_s = 1
robinson_x = 0.4
robinson_cutoff = 0.55
chi_s = 2
chi_x = 0.45
chi_cutoff = 0.6
exclusion_radius = 0.0
spam_threshold = 0.95
fisher_s = 0.2
fisher_x = 0.6
fisher_cutoff = 0.7
logistic_rate = 5
logistic_ham_cost = 2
logistic_margin = 6
fisher_weight = 0.2
logistic_cutoff = 0.6

[limits]
max_message_bytes = 1000
max_header_bytes = 900
max_headers = 10
max_parts = 5
max_depth = 3
max_text_bytes = 800

[users]
default_user = "alice"
merge_group = "shared"

[signatures]
expire_days = 30

[milter]
socket = "inet:8891@127.0.0.1"
socket_group = ""
socket_mode = 0o600
user = "mail"
pid_file = ""
max_message_bytes = 5000
max_header_count = 50
max_header_bytes = 4000
trusted_networks = ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"]
skip_authenticated = false
user_mapping = "shared"
shared_user = "everyone"
on_database_error = "accept"
on_internal_error = "accept"
timeout_s = 30

[actions]
spam_action = "reject"
subject_prefix = "[SPAM]"
reject_confidence = 0.5
reject_text = "Go away"
signature_location = "message"
show_factors = true
quarantine_copy_bytes = 0

[retrain]
spam_addresses = ["junk+{user}@example.org"]
innocent_addresses = []
release_command = ["/usr/sbin/postsuper", "-H"]

[history]
expire_days = 7
)";
    Config c = parse_config(text, "full.toml");
    CHECK(c.state_dir == "/srv/dspamd");
    CHECK(c.database.dsn == "host=db dbname=dspam");
    CHECK(c.database.pool_size == 8);
    CHECK(c.database.connect_timeout_ms == 2000);
    CHECK(c.database.statement_timeout_ms == 4000);
    CHECK(c.database.max_retries == 0);
    CHECK(c.database.system_user == "postgres");
    CHECK(c.classifier.tokenizer.kind == TokenizerKind::sbph);
    CHECK(c.classifier.scoring.algorithm == Algorithm::robinson);
    CHECK(c.classifier.training.mode == TrainingMode::tum);
    CHECK(c.classifier.training.tum_maturity == 7);
    CHECK(c.classifier.training.tum_min_confidence == 0.5);
    CHECK(c.classifier.training.toe_warmup == 0);
    CHECK(c.classifier.training.tone_margin == 5.5);
    CHECK(c.classifier.tokenizer.max_tokens == 999);
    CHECK(c.classifier.tokenizer.max_words == 77);
    CHECK(c.classifier.tokenizer.ignored_headers ==
          std::vector<std::string>{"X-Spam-*", "Received", "x-virus-status"});
    CHECK(c.classifier.bnr.enabled);
    CHECK(c.classifier.whitelist.enabled);
    CHECK(c.classifier.whitelist.threshold == 3);
    CHECK(c.classifier.statistical_sedation == 7);
    CHECK(c.classifier.test_conditional.enabled);
    CHECK(c.classifier.test_conditional.max_iterations == 2);
    const ScoringParams& s = c.classifier.scoring;
    CHECK(s.min_hits == 0);
    CHECK(s.unknown_probability == 0.3);
    CHECK(s.processor_bias);
    CHECK(s.prob_min == 0.01);
    CHECK(s.prob_max == 0.99);
    CHECK(s.graham_tokens == 16);
    CHECK(s.burton_tokens == 28);
    CHECK(s.robinson_tokens == 26);
    CHECK(s.robinson_s == 1.0);  // an integer where a number is expected
    CHECK(s.robinson_x == 0.4);
    CHECK(s.robinson_cutoff == 0.55);
    CHECK(s.chi_s == 2.0);
    CHECK(s.chi_x == 0.45);
    CHECK(s.chi_cutoff == 0.6);
    CHECK(s.exclusion_radius == 0.0);
    CHECK(s.spam_threshold == 0.95);
    CHECK(s.fisher_s == 0.2);
    CHECK(s.fisher_x == 0.6);
    CHECK(s.fisher_cutoff == 0.7);
    CHECK(s.logistic_rate == 5.0);
    CHECK(s.logistic_ham_cost == 2.0);
    CHECK(s.logistic_margin == 6.0);
    CHECK(s.fisher_weight == 0.2);
    CHECK(s.logistic_cutoff == 0.6);
    const MimeLimits& l = c.classifier.limits;
    CHECK(l.max_message_bytes == 1000);
    CHECK(l.max_header_bytes == 900);
    CHECK(l.max_headers == 10);
    CHECK(l.max_parts == 5);
    CHECK(l.max_depth == 3);
    CHECK(l.max_text_bytes == 800);
    CHECK(c.users.default_user == "alice");
    CHECK(c.users.merge_group == "shared");
    CHECK(c.signatures.expire_days == 30);
    const MilterConfig& m = c.milter;
    CHECK(m.socket == "inet:8891@127.0.0.1");
    CHECK(m.socket_group.empty());
    CHECK(m.socket_mode == 0600);
    CHECK(m.user == "mail");
    CHECK(m.pid_file.empty());
    CHECK(m.max_message_bytes == 5000);
    CHECK(m.max_header_count == 50);
    CHECK(m.max_header_bytes == 4000);
    CHECK(m.trusted_networks ==
          std::vector<std::string>{"10.0.0.0/8", "2001:db8::/32", "192.0.2.7"});
    CHECK_FALSE(m.skip_authenticated);
    CHECK(m.user_mapping == UserMapping::shared);
    CHECK(m.shared_user == "everyone");
    CHECK(m.on_database_error == FailurePolicy::accept);
    CHECK(m.on_internal_error == FailurePolicy::accept);
    CHECK(m.timeout_s == 30);
    CHECK(c.actions.spam_action == SpamAction::reject);
    CHECK(c.actions.subject_prefix == "[SPAM]");
    CHECK(c.actions.reject_confidence == 0.5);
    CHECK(c.actions.reject_text == "Go away");
    CHECK(c.actions.signature_location == SignatureLocation::message);
    CHECK(c.actions.show_factors);
    CHECK(c.actions.quarantine_copy_bytes == 0);
    CHECK(c.retrain.spam_addresses == std::vector<std::string>{"junk+{user}@example.org"});
    CHECK(c.retrain.innocent_addresses.empty());
    CHECK(c.retrain.release_command == std::vector<std::string>{"/usr/sbin/postsuper", "-H"});
    CHECK(c.history.expire_days == 7);
}

TEST_CASE("milter, actions and retrain values are checked") {
    CHECK(error_of("[milter]\nsocket = \"/run/x.sock\"\n") ==
          "t.toml:2:10: milter.socket: invalid value \"/run/x.sock\" (expected "
          "unix:/absolute/path, inet:port[@host] or inet6:port[@host])");
    CHECK(error_of("[milter]\nsocket = \"unix:relative\"\n")
              .starts_with("t.toml:2:10: milter.socket"));
    CHECK(error_of("[milter]\nsocket = \"inet:0\"\n").starts_with("t.toml:2:10: milter.socket"));
    CHECK(error_of("[milter]\nsocket = \"inet:99999@h\"\n")
              .starts_with("t.toml:2:10: milter.socket"));
    CHECK(parse_config("[milter]\nsocket = \"inet6:8891\"\n", "t").milter.socket == "inet6:8891");
    CHECK(error_of("[milter]\nsocket_mode = 0o1777\n") ==
          "t.toml:2:15: milter.socket_mode: 1023 is out of range (expected an integer in 0..511)");
    CHECK(error_of("[milter]\npid_file = \"run/x.pid\"\n") ==
          "t.toml:2:12: milter.pid_file: invalid value \"run/x.pid\" (expected an absolute path)");
    CHECK(error_of("[milter]\ntrusted_networks = [\"10.0.0.1/8\"]\n") ==
          "t.toml:2:21: milter.trusted_networks[0]: invalid value \"10.0.0.1/8\" (expected an "
          "address or network in CIDR notation, host bits zero)");
    CHECK(error_of("[milter]\ntrusted_networks = [\"10.0.0.0/33\"]\n")
              .starts_with("t.toml:2:21: milter.trusted_networks[0]: invalid value"));
    CHECK(error_of("[milter]\nuser_mapping = \"domain\"\n") ==
          "t.toml:2:16: milter.user_mapping: unknown value \"domain\" (expected one of address, "
          "localpart, shared)");
    CHECK(error_of("[milter]\non_database_error = \"reject\"\n") ==
          "t.toml:2:21: milter.on_database_error: unknown value \"reject\" (expected one of "
          "tempfail, accept)");
    CHECK(error_of("[actions]\nspam_action = \"drop\"\n") ==
          "t.toml:2:15: actions.spam_action: unknown value \"drop\" (expected one of tag, "
          "quarantine, reject)");
    CHECK(error_of("[actions]\nsignature_location = \"body\"\n")
              .starts_with("t.toml:2:22: actions.signature_location: unknown value \"body\""));
    CHECK(error_of("[actions]\nreject_confidence = 1.5\n") ==
          "t.toml:2:21: actions.reject_confidence: 1.5 is out of range (expected a number in "
          "[0, 1])");
    CHECK(error_of("[actions]\nreject_text = \"\"\n") ==
          "t.toml:2:15: actions.reject_text: must not be empty");
    CHECK(error_of("[actions]\nsubject_prefix = \"[Späm]\"\n")
              .starts_with("t.toml:2:18: actions.subject_prefix: invalid value"));
    CHECK(error_of("[retrain]\nspam_addresses = [\"spam\"]\n")
              .starts_with("t.toml:2:19: retrain.spam_addresses[0]: invalid value \"spam\""));
    CHECK(error_of("[retrain]\nspam_addresses = [\"{user}-{user}@\"]\n")
              .starts_with("t.toml:2:19: retrain.spam_addresses[0]: invalid value"));
    CHECK(error_of("[retrain]\ninnocent_addresses = [\"ham-{usr}@\"]\n")
              .starts_with("t.toml:2:23: retrain.innocent_addresses[0]: invalid value"));
    CHECK(error_of("[retrain]\nrelease_command = [\"postsuper\", \"-H\"]\n") ==
          "t.toml:2:19: retrain.release_command: the program must be an absolute path, not "
          "\"postsuper\"");
    CHECK(error_of("[history]\nexpire_days = 0\n") ==
          "t.toml:2:15: history.expire_days: 0 is out of range (expected an integer in 1..3650)");
    CHECK(error_of("[milter]\nsokcet = \"unix:/x\"\n")
              .starts_with(
                  "t.toml:2:1: milter.sokcet: unknown key (expected one of socket, socket_group,"));
}

TEST_CASE("the sample has the one socket line the tests rewrite") {
    std::string text = read_file(k_sample);
    std::regex line(R"(^socket = ".*"$)", std::regex::multiline);
    auto begin = std::sregex_iterator(text.begin(), text.end(), line);
    CHECK(std::distance(begin, std::sregex_iterator()) == 1);
    CHECK(text.find("\nsocket = \"unix:/run/dspamd/dspamd.sock\"\n") != std::string::npos);
}

TEST_CASE("other TOML spellings of the same tables are accepted") {
    Config c = parse_config(
        "database = { pool_size = 2 }\nsignatures.expire_days = 9\n"
        "[classifier]\nalgorithm = \"naive\"\nscoring.min_hits = 9\nignored_headers = []\n",
        "t.toml");
    CHECK(c.database.pool_size == 2);
    CHECK(c.signatures.expire_days == 9);
    CHECK(c.classifier.scoring.min_hits == 9);
    CHECK(c.classifier.scoring.algorithm == Algorithm::naive);
    CHECK(c.classifier.tokenizer.ignored_headers.empty());
}

TEST_CASE("unknown keys are errors at every level") {
    CHECK(error_of("state_dri = \"/x\"\n") ==
          "t.toml:1:1: state_dri: unknown key (expected one of state_dir, database, "
          "classifier, limits, users, signatures, milter, actions, retrain, history, cache)");
    CHECK(error_of("[databse]\npool_size = 3\n") ==
          "t.toml:1:2: databse: unknown key (expected one of state_dir, database, "
          "classifier, limits, users, signatures, milter, actions, retrain, history, cache)");
    CHECK(error_of("[database]\n  pool_sise = 3\n") ==
          "t.toml:2:3: database.pool_sise: unknown key (expected one of dsn, pool_size, "
          "connect_timeout_ms, statement_timeout_ms, max_retries, system_user)");
    CHECK(error_of("database = { pool_size = 3, foo = 1 }\n") ==
          "t.toml:1:29: database.foo: unknown key (expected one of dsn, pool_size, "
          "connect_timeout_ms, statement_timeout_ms, max_retries, system_user)");
    CHECK(error_of("[classifier.scoring]\nmin_hits = 1\nrobinson_z = 0.5\n") ==
          "t.toml:3:1: classifier.scoring.robinson_z: unknown key (expected one of min_hits, "
          "unknown_probability, processor_bias, prob_min, prob_max, graham_tokens, burton_tokens, "
          "robinson_tokens, robinson_s, robinson_x, robinson_cutoff, chi_s, chi_x, chi_cutoff, "
          "exclusion_radius, spam_threshold, fisher_s, fisher_x, fisher_cutoff, fisher_header_weight, "
          "fisher_prior_messages, logistic_rate, "
          "logistic_ham_cost, logistic_margin, logistic_decay_hits, logistic_rarity_power, "
          "logistic_evidence_weight, logistic_balance, logistic_balance_messages, fisher_weight, "
          "logistic_cutoff)");
    CHECK(error_of("[limits]\nmax_size = 1\n") ==
          "t.toml:2:1: limits.max_size: unknown key (expected one of max_message_bytes, "
          "max_header_bytes, max_headers, max_parts, max_depth, max_text_bytes)");
    CHECK(error_of("[users]\ngroup = \"\"\n") ==
          "t.toml:2:1: users.group: unknown key (expected one of default_user, merge_group)");
    CHECK(error_of("[signatures]\nexpire = 1\n") ==
          "t.toml:2:1: signatures.expire: unknown key (expected one of expire_days)");
    // The first unknown key in file order is the one reported.
    CHECK(error_of("[classifier]\nzzz = 1\naaa = 2\n").starts_with("t.toml:2:1: classifier.zzz:"));
}

TEST_CASE("wrong types are errors") {
    CHECK(error_of("[database]\npool_size = \"4\"\n") ==
          "t.toml:2:13: database.pool_size: expected an integer, got a string");
    CHECK(error_of("[database]\npool_size = 4.0\n") ==
          "t.toml:2:13: database.pool_size: expected an integer, got a floating-point number");
    CHECK(error_of("state_dir = 1\n") ==
          "t.toml:1:13: state_dir: expected a string, got an integer");
    CHECK(error_of("database = 5\n") == "t.toml:1:12: database: expected a table, got an integer");
    CHECK(error_of("[classifier]\nscoring = []\n") ==
          "t.toml:2:11: classifier.scoring: expected a table, got an array");
    CHECK(error_of("[classifier.scoring]\nprob_min = \"low\"\n") ==
          "t.toml:2:12: classifier.scoring.prob_min: expected a number, got a string");
    CHECK(error_of("[classifier.scoring]\nprocessor_bias = 1\n") ==
          "t.toml:2:18: classifier.scoring.processor_bias: expected true or false, got an "
          "integer");
    CHECK(error_of("[classifier]\nalgorithm = true\n") ==
          "t.toml:2:13: classifier.algorithm: expected a string, got a boolean");
    CHECK(error_of("[classifier]\nignored_headers = \"X-Spam-*\"\n") ==
          "t.toml:2:19: classifier.ignored_headers: expected an array of strings, got a string");
    CHECK(error_of("[classifier]\nignored_headers = [\"X-Spam-*\", 3]\n") ==
          "t.toml:2:32: classifier.ignored_headers[1]: expected a string, got an integer");
    CHECK(error_of("[signatures]\nexpire_days = 1979-05-27\n") ==
          "t.toml:2:15: signatures.expire_days: expected an integer, got a date");
}

TEST_CASE("out-of-range values are errors") {
    CHECK(error_of("[database]\npool_size = 65\n") ==
          "t.toml:2:13: database.pool_size: 65 is out of range (expected an integer in 1..64)");
    CHECK(error_of("[database]\nconnect_timeout_ms = 0\n") ==
          "t.toml:2:22: database.connect_timeout_ms: 0 is out of range (expected an integer in "
          "1..300000)");
    CHECK(error_of("[limits]\nmax_parts = -1\n") ==
          "t.toml:2:13: limits.max_parts: -1 is out of range (expected an integer in 1..1000000)");
    CHECK(error_of("[limits]\nmax_depth = 101\n") ==
          "t.toml:2:13: limits.max_depth: 101 is out of range (expected an integer in 1..100)");
    CHECK(error_of("[classifier.scoring]\nprob_min = 0\n") ==
          "t.toml:2:12: classifier.scoring.prob_min: 0 is out of range (expected a number in "
          "(0, 1))");
    CHECK(error_of("[classifier.scoring]\nprob_max = 1.0\n") ==
          "t.toml:2:12: classifier.scoring.prob_max: 1 is out of range (expected a number in "
          "(0, 1))");
    CHECK(error_of("[classifier.scoring]\nprob_min = nan\n") ==
          "t.toml:2:12: classifier.scoring.prob_min: nan is out of range (expected a number in "
          "(0, 1))");
    CHECK(error_of("[classifier.scoring]\nrobinson_s = -0.5\n") ==
          "t.toml:2:14: classifier.scoring.robinson_s: -0.5 is out of range (expected a number "
          "> 0)");
    CHECK(error_of("[classifier.scoring]\nrobinson_s = inf\n") ==
          "t.toml:2:14: classifier.scoring.robinson_s: inf is out of range (expected a number "
          "> 0)");
    CHECK(error_of("[classifier.scoring]\nexclusion_radius = 0.5\n") ==
          "t.toml:2:20: classifier.scoring.exclusion_radius: 0.5 is out of range (expected a "
          "number in [0, 0.5))");
    CHECK(error_of("[classifier]\nstatistical_sedation = 11\n") ==
          "t.toml:2:24: classifier.statistical_sedation: 11 is out of range (expected an "
          "integer in 0..10)");
    CHECK(error_of("[classifier]\ntest_conditional_iterations = 0\n") ==
          "t.toml:2:31: classifier.test_conditional_iterations: 0 is out of range (expected an "
          "integer in 1..20)");
    CHECK(error_of("[signatures]\nexpire_days = 0\n") ==
          "t.toml:2:15: signatures.expire_days: 0 is out of range (expected an integer in "
          "1..3650)");
    CHECK(error_of("[users]\ndefault_user = \"\"\n") ==
          "t.toml:2:16: users.default_user: must not be empty");
    CHECK(error_of("[database]\nsystem_user = \"dspam\\n\"\n") ==
          "t.toml:2:15: database.system_user: must not contain control characters");
}

TEST_CASE("prob_min must stay below prob_max, the defaults included") {
    CHECK(error_of("[classifier.scoring]\nprob_min = 0.5\nprob_max = 0.4\n") ==
          "t.toml:3:12: classifier.scoring.prob_max: prob_min (0.5) must be less than prob_max "
          "(0.4)");
    CHECK(error_of("[classifier.scoring]\nprob_min = 0.99999\n") ==
          "t.toml:2:12: classifier.scoring.prob_min: prob_min (0.99999) must be less than "
          "prob_max (0.9999)");
}

TEST_CASE("ignored header patterns are header names, '*' matching any run") {
    CHECK(parse_config("[classifier]\nignored_headers = [\"X-*Scanner*\", \"*\"]\n", "t.toml")
              .classifier.tokenizer.ignored_headers ==
          std::vector<std::string>{"X-*Scanner*", "*"});
    CHECK(error_of("[classifier]\nignored_headers = [\"\"]\n") ==
          "t.toml:2:20: classifier.ignored_headers[0]: must not be empty");
    CHECK(error_of("[classifier]\nignored_headers = [\"X-Spam\", \"Subject:\"]\n") ==
          "t.toml:2:30: classifier.ignored_headers[1]: invalid header name \"Subject:\" "
          "(expected a header name of at most 256 printable ASCII characters without ':', '*' "
          "matching any run)");
    CHECK(error_of("[classifier]\nignored_headers = [\"Sübject\"]\n")
              .starts_with(
                  "t.toml:2:20: classifier.ignored_headers[0]: invalid header name \"Sübject\""));
    CHECK(error_of("[classifier]\nignored_headers = [\"" + std::string(257, 'X') + "\"]\n")
              .starts_with("t.toml:2:20: classifier.ignored_headers[0]: invalid header name"));
    CHECK(error_of("[classifier]\nignored_headers = [\"X Spam\"]\n")
              .starts_with(
                  "t.toml:2:20: classifier.ignored_headers[0]: invalid header name \"X Spam\""));
}

TEST_CASE("unknown enum names are errors that list the known ones") {
    // The example of the error format: the value is on line 12, column 13.
    std::string text =
        "# dspamd\n\nstate_dir = \"/x\"\n\n[database]\npool_size = 4\n\n"
        "[classifier]\ntokenizer = \"osb\"\n# combining\n\n"
        "algorithm = \"chi_sqare\"\n";
    CHECK(error_of(text, "dspamd.toml") ==
          "dspamd.toml:12:13: classifier.algorithm: unknown value \"chi_sqare\" (expected one of "
          "graham, burton, robinson, chi-square, naive, fisher, logistic, fisher-logistic)");
    CHECK(error_of("[classifier]\ntokenizer = \"OSB\"\n") ==
          "t.toml:2:13: classifier.tokenizer: unknown value \"OSB\" (expected one of word, "
          "chain, osb, sbph)");
    CHECK(error_of("[classifier]\ntraining_mode = \"tefd\"\n") ==
          "t.toml:2:17: classifier.training_mode: unknown value \"tefd\" (expected one of teft, "
          "toe, tum, notrain, tone)");
}

TEST_CASE("TOML syntax errors carry the position") {
    CHECK(error_of("[database]\npool_size = \n") ==
          "t.toml:2:13: Error while parsing key-value pair: expected value, saw '\\n'");
    CHECK(error_of("state_dir = 'a'\nstate_dir = 'b'\n") ==
          "t.toml:2:13: Error while parsing key-value pair: cannot redefine existing string "
          "'state_dir'");
    CHECK(error_of("[database\n").starts_with("t.toml:1:"));
    CHECK(error_of("\xff\n") == "t.toml:1:1: Encountered invalid utf-8 sequence");
}

TEST_CASE("an oversized file is refused before parsing") {
    std::string text(1024 * 1024 + 1, '#');
    CHECK(error_of(text) == "t.toml:1:1: the file is larger than 1048576 bytes");
}

TEST_CASE("load_config reads a file and names it in errors") {
    std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                ("dspamd_config_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::filesystem::path good = dir / "good.toml";
    std::filesystem::path bad = dir / "bad.toml";
    std::ofstream(good) << "[database]\npool_size = 7\n";
    std::ofstream(bad) << "[database]\npool_size = 70\n";

    Config c = load_config(good);
    CHECK(c.source == good);
    CHECK(c.database.pool_size == 7);
    CHECK(error_of_load(bad) == bad.string() +
                                    ":2:13: database.pool_size: 70 is out of range (expected an "
                                    "integer in 1..64)");
    CHECK(error_of_load(dir / "missing.toml") ==
          (dir / "missing.toml").string() +
              ": cannot open the configuration file: No such file or directory");
    CHECK(error_of_load(dir).starts_with(dir.string() + ": cannot "));
    std::filesystem::remove_all(dir);
}

std::string error_of_setting(std::string_view key, std::string_view value) {
    ClassifierConfig classifier;
    try {
        set_classifier_key(classifier, key, value);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

TEST_CASE("set_classifier_key sets one key as the file would, over what is set") {
    ClassifierConfig c;
    c.scoring.fisher_x = 0.3;
    set_classifier_key(c, "tokenizer", "osb");  // bare names are read as strings
    set_classifier_key(c, "algorithm", "chi-square");
    set_classifier_key(c, "training_mode", "tum");
    set_classifier_key(c, "scoring.fisher_s", "0.5");
    set_classifier_key(c, "tone_margin", "7");  // an integer where a number is expected
    set_classifier_key(c, "scoring.processor_bias", "false");
    CHECK(c.tokenizer.kind == TokenizerKind::osb);
    CHECK(c.scoring.algorithm == Algorithm::chi_square);
    CHECK(c.training.mode == TrainingMode::tum);
    CHECK(c.scoring.fisher_s == 0.5);
    CHECK(c.training.tone_margin == 7.0);
    CHECK_FALSE(c.scoring.processor_bias);
    CHECK(c.scoring.fisher_x == 0.3);  // untouched keys keep their values
    CHECK(c.tokenizer.max_tokens == TokenizerParams{}.max_tokens);

    // Errors name the key and what was expected, without a file position.
    CHECK(error_of_setting("tokenizer", "trigram") ==
          "classifier.tokenizer: unknown value \"trigram\" (expected one of word, chain, osb, "
          "sbph)");
    CHECK(error_of_setting("algoritm", "naive")
              .starts_with("classifier.algoritm: unknown key (expected one of tokenizer, "
                           "algorithm, training_mode"));
    CHECK(error_of_setting("scoring.fisher_x", "2") ==
          "classifier.scoring.fisher_x: 2 is out of range (expected a number in (0, 1))");
    CHECK(error_of_setting("max_tokens", "many") ==
          "classifier.max_tokens: expected an integer, got a string");
    CHECK(error_of_setting("scoring.prob_min", "0.99995") ==
          "classifier.scoring.prob_min: prob_min (0.99995) must be less than prob_max (0.9999)");
    CHECK(error_of_setting("tokenizer", "a\"b") ==
          "classifier.tokenizer: \"a\"b\" is not a value of a classifier key");
    CHECK(error_of_setting("", "x") == "\"\" is not a classifier key");
    CHECK(error_of_setting("a b", "x") == "\"a b\" is not a classifier key");
    CHECK(error_of_setting("a..b", "1").starts_with("classifier.a..b: "));
}

TEST_CASE("default_config_path prefers $DSPAMD_CONFIG") {
    {
        ScopedEnv env("DSPAMD_CONFIG", "/tmp/mine.toml");
        CHECK(default_config_path() == "/tmp/mine.toml");
    }
    {
        ScopedEnv env("DSPAMD_CONFIG", "");
        CHECK(default_config_path() == std::filesystem::path(DSPAMD_SYSCONFDIR) / "dspamd.toml");
    }
    {
        ScopedEnv env("DSPAMD_CONFIG", nullptr);
        CHECK(default_config_path() == std::filesystem::path(DSPAMD_SYSCONFDIR) / "dspamd.toml");
    }
}

TEST_CASE("the sample conf/dspamd.toml equals the built-in defaults") {
    Config sample = load_config(k_sample);
    CHECK(sample.state_dir == "/var/lib/dspamd");
    check_equal(sample, Config{});
}

TEST_CASE("the sample has the state_dir line the tools rewrite") {
    std::string text = read_file(k_sample);
    std::regex line(R"(^state_dir = ".*"$)", std::regex::multiline);
    auto begin = std::sregex_iterator(text.begin(), text.end(), line);
    CHECK(std::distance(begin, std::sregex_iterator()) == 1);
    CHECK(text.find("\nstate_dir = \"/var/lib/dspamd\"\n") != std::string::npos);
}

TEST_CASE("the sample documents exactly the keys the parser knows, each with a comment") {
    std::string text = read_file(k_sample);
    toml::table root = toml::parse(text, k_sample.string());
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) {
        lines.push_back(l);
    }

    // Flatten the sample's keys in file order, with the line of each.
    std::vector<std::pair<std::string, std::size_t>> found;
    std::function<void(const toml::table&, const std::string&)> walk =
        [&](const toml::table& table, const std::string& prefix) {
            for (const auto& [key, value] : table) {
                std::string dotted =
                    prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
                if (const toml::table* sub = value.as_table()) {
                    walk(*sub, dotted);
                } else {
                    found.emplace_back(dotted, key.source().begin.line);
                }
            }
        };
    walk(root, "");
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.second < b.second; });

    std::vector<std::string> keys;
    for (const auto& [key, line] : found) {
        keys.push_back(key);
        // The key's comment: the lines above it, past keys that share it
        // (prob_min and prob_max).
        std::size_t above = line - 2;  // lines are 1-based, the vector 0-based
        while (above > 0 && lines[above].find(" = ") != std::string::npos &&
               !lines[above].starts_with("#")) {
            --above;
        }
        INFO(key);
        CHECK(lines[above].starts_with("#"));
    }
    CHECK(keys == k_all_keys);

    // Each listed key is known to the parser: a wrong type is reported as
    // such, not as an unknown key.
    for (const std::string& key : k_all_keys) {
        INFO(key);
        std::string error = error_of(key + " = 1979-05-27\n");
        CHECK(error.find(key + ": expected ") != std::string::npos);
    }
}

}  // namespace dspamd
