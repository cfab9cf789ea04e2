// Reads dspamd.toml into Config. The whole file is walked once, table by
// table, by a TableReader that knows which keys it was asked for: whatever is
// left over is an unknown key. Every error names file:line:column of the
// offending key or value and says what was expected, so an operator can fix
// the file without reading this code. Keys that are absent keep the built-in
// defaults of the structs; an array (ignored_headers) replaces its default
// whole.
#include "engine/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <charconv>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <limits>
#include <optional>
#include <sstream>
#include <string_view>
#include <type_traits>
#include <utility>

#include "classifier/mime/ascii.h"
#include "classifier/sedation.h"
#include "engine/network.h"

namespace dspamd {
namespace {

// A configuration file is small; anything bigger is a mistake (or hostile).
constexpr std::size_t k_max_config_bytes = 1024 * 1024;
constexpr std::size_t k_max_ignored_headers = 1000;
constexpr std::size_t k_max_header_pattern_bytes = 256;

// Upper bounds that catch unit mistakes (seconds written as milliseconds,
// megabytes as bytes) as well as values that would exhaust memory or stack.
constexpr std::int64_t k_max_timeout_ms = 300'000;  // Postfix's milter_content_timeout
constexpr std::int64_t k_max_bytes = std::int64_t{1} << 30;
constexpr std::int64_t k_max_count = 1'000'000;
// Test-conditional passes per correction: each is one more apply.
constexpr std::int64_t k_max_test_conditional_iterations = 20;
constexpr std::int64_t k_max_depth = 100;  // MIME nesting is walked recursively
constexpr std::int64_t k_max_expire_days = 3650;
constexpr int k_max_enum_values = 64;  // bounds the walk over an enum's names
constexpr std::int64_t k_max_milter_timeout_s = 86400;
constexpr std::size_t k_max_socket_spec = 256;
constexpr std::size_t k_max_text_setting_bytes = 256;  // subject prefix, reject text, patterns
constexpr std::size_t k_max_networks = 1000;
constexpr std::size_t k_max_retrain_patterns = 100;
constexpr std::size_t k_max_command_words = 32;

std::string quote(std::string_view text) {
    std::string out = "\"";
    out += text;
    out += '"';
    return out;
}

std::string number_text(double value) {
    std::ostringstream out;
    out << std::setprecision(12) << value;
    return out.str();
}

std::string_view type_name(toml::node_type type) {
    switch (type) {
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a floating-point number";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
        case toml::node_type::none:
            break;
    }
    return "nothing";
}

// A range of floating-point values; an infinite bound is no bound.
struct RealRange {
    double low;
    bool low_inclusive;
    double high;
    bool high_inclusive;

    bool contains(double v) const {
        if (!std::isfinite(v)) {
            return false;
        }
        bool above = low_inclusive ? v >= low : v > low;
        bool below = high_inclusive ? v <= high : v < high;
        return above && below;
    }
    std::string text() const {
        if (std::isinf(high)) {
            return (low_inclusive ? "a number >= " : "a number > ") + number_text(low);
        }
        return std::string("a number in ") + (low_inclusive ? "[" : "(") + number_text(low) + ", " +
               number_text(high) + (high_inclusive ? "]" : ")");
    }
};

constexpr double k_unbounded = std::numeric_limits<double>::infinity();
constexpr RealRange k_open_unit{0.0, false, 1.0, false};

// Reads the keys of one table; `m_prefix` is its dotted path for messages.
class TableReader {
public:
    TableReader(const toml::table& table, std::string prefix, std::string file)
        : m_table(table), m_prefix(std::move(prefix)), m_file(std::move(file)) {}

    // The node of `key` (nullptr when absent); marks the key as known.
    const toml::node* node(std::string_view key) {
        m_known.emplace_back(key);
        return m_table.get(key);
    }

    // The node of `key` without marking it (for checks across keys).
    const toml::node* find(std::string_view key) const { return m_table.get(key); }

    std::string path(std::string_view key) const {
        return m_prefix.empty() ? std::string(key) : m_prefix + "." + std::string(key);
    }

    [[noreturn]] void fail(const toml::source_region& where, const std::string& what,
                           const std::string& message) const {
        std::ostringstream out;
        out << m_file << ':' << where.begin.line << ':' << where.begin.column << ": " << what
            << ": " << message;
        throw ConfigError(out.str());
    }

    [[noreturn]] void fail_type(const toml::node& value, const std::string& what,
                                std::string_view expected) const {
        fail(value.source(), what,
             "expected " + std::string(expected) + ", got " + std::string(type_name(value.type())));
    }

    // A sub-table, or nullptr when absent.
    const toml::table* table(std::string_view key) {
        const toml::node* value = node(key);
        if (value == nullptr) {
            return nullptr;
        }
        if (!value->is_table()) {
            fail_type(*value, path(key), "a table");
        }
        return value->as_table();
    }

    // A reader for a sub-table, or nothing when the file does not have it.
    std::optional<TableReader> sub_table(std::string_view key) {
        if (const toml::table* sub = table(key)) {
            return TableReader(*sub, path(key), m_file);
        }
        return std::nullopt;
    }

    void string(std::string_view key, std::string& out, bool allow_empty) {
        const toml::node* value = node(key);
        if (value == nullptr) {
            return;
        }
        out = checked_string(*value, path(key), allow_empty);
    }

    void boolean(std::string_view key, bool& out) {
        const toml::node* value = node(key);
        if (value == nullptr) {
            return;
        }
        const auto* flag = value->as_boolean();
        if (flag == nullptr) {
            fail_type(*value, path(key), "true or false");
        }
        out = flag->get();
    }

    template <typename Int>
    void integer(std::string_view key, Int& out, std::int64_t low, std::int64_t high) {
        static_assert(std::is_integral_v<Int>);
        const toml::node* value = node(key);
        if (value == nullptr) {
            return;
        }
        const auto* number = value->as_integer();
        if (number == nullptr) {
            fail_type(*value, path(key), "an integer");
        }
        std::int64_t v = number->get();
        if (v < low || v > high) {
            fail(value->source(), path(key),
                 std::to_string(v) + " is out of range (expected an integer in " +
                     std::to_string(low) + ".." + std::to_string(high) + ")");
        }
        out = static_cast<Int>(v);
    }

    // Integers are accepted too: "robinson_s = 1" means 1.0.
    void real(std::string_view key, double& out, const RealRange& range) {
        const toml::node* value = node(key);
        if (value == nullptr) {
            return;
        }
        double v = 0.0;
        if (const auto* f = value->as_floating_point()) {
            v = f->get();
        } else if (const auto* i = value->as_integer()) {
            v = static_cast<double>(i->get());
        } else {
            fail_type(*value, path(key), "a number");
        }
        if (!range.contains(v)) {
            fail(value->source(), path(key),
                 number_text(v) + " is out of range (expected " + range.text() + ")");
        }
        out = v;
    }

    // `name` spells every value of the scoped enum, numbered from 0 up to the
    // first it calls "unknown" (classifier/names.cpp), so the list of
    // expected values in messages follows names.cpp by itself.
    template <typename Enum>
    void enumeration(std::string_view key, Enum& out, bool (*parse)(std::string_view, Enum&),
                     std::string_view (*name)(Enum)) {
        // A scoped enum has a fixed underlying type, so any int is a valid value.
        static_assert(std::is_enum_v<Enum> && !std::is_convertible_v<Enum, int>);
        const toml::node* value = node(key);
        if (value == nullptr) {
            return;
        }
        std::string text = checked_string(*value, path(key), true);
        if (!parse(text, out)) {
            std::string expected;
            for (int i = 0; i < k_max_enum_values; ++i) {
                std::string_view spelled = name(static_cast<Enum>(i));
                if (spelled == "unknown") {
                    break;
                }
                expected += expected.empty() ? "" : ", ";
                expected += spelled;
            }
            fail(value->source(), path(key),
                 "unknown value " + quote(text) + " (expected one of " + expected + ")");
        }
    }

    // Header name patterns: a field name (RFC 5322 ftext) in which '*'
    // matches any run of characters.
    void header_patterns(std::string_view key, std::vector<std::string>& out) {
        const toml::node* value = node(key);
        if (value == nullptr) {
            return;
        }
        const toml::array* array = value->as_array();
        if (array == nullptr) {
            fail_type(*value, path(key), "an array of strings");
        }
        if (array->size() > k_max_ignored_headers) {
            fail(value->source(), path(key),
                 "too many entries (expected at most " + std::to_string(k_max_ignored_headers) +
                     ")");
        }
        std::vector<std::string> patterns;
        for (std::size_t i = 0; i < array->size(); ++i) {
            const toml::node& element = *array->get(i);
            std::string what = path(key) + "[" + std::to_string(i) + "]";
            std::string pattern = checked_string(element, what, false);
            if (!valid_header_pattern(pattern)) {
                fail(element.source(), what,
                     "invalid header name " + quote(pattern) +
                         " (expected a header name of at most " +
                         std::to_string(k_max_header_pattern_bytes) +
                         " printable ASCII characters without ':', '*' matching any run)");
            }
            patterns.push_back(std::move(pattern));
        }
        out = std::move(patterns);
    }

    // An array of strings, each accepted by `valid`; `expected` says what a
    // valid entry is. The array replaces the default whole.
    void string_array(std::string_view key, std::vector<std::string>& out, std::size_t max_entries,
                      bool (*valid)(std::string_view), std::string_view expected) {
        const toml::node* value = node(key);
        if (value == nullptr) {
            return;
        }
        const toml::array* array = value->as_array();
        if (array == nullptr) {
            fail_type(*value, path(key), "an array of strings");
        }
        if (array->size() > max_entries) {
            fail(value->source(), path(key),
                 "too many entries (expected at most " + std::to_string(max_entries) + ")");
        }
        std::vector<std::string> entries;
        for (std::size_t i = 0; i < array->size(); ++i) {
            const toml::node& element = *array->get(i);
            std::string what = path(key) + "[" + std::to_string(i) + "]";
            std::string entry = checked_string(element, what, false);
            if (!valid(entry)) {
                fail(element.source(), what,
                     "invalid value " + quote(entry) + " (expected " + std::string(expected) + ")");
            }
            entries.push_back(std::move(entry));
        }
        out = std::move(entries);
    }

    // A string accepted by `valid` (checked after the type and control characters).
    void checked(std::string_view key, std::string& out, bool allow_empty,
                 bool (*valid)(std::string_view), std::string_view expected) {
        const toml::node* value = node(key);
        if (value == nullptr) {
            return;
        }
        std::string text = checked_string(*value, path(key), allow_empty);
        if (!(allow_empty && text.empty()) && !valid(text)) {
            fail(value->source(), path(key),
                 "invalid value " + quote(text) + " (expected " + std::string(expected) + ")");
        }
        out = std::move(text);
    }

    // Fails on the first key (in file order) that no read asked for.
    void finish() const {
        const toml::key* unknown = nullptr;
        for (const auto& [key, value] : m_table) {
            if (is_known(key.str())) {
                continue;
            }
            if (unknown == nullptr || before(key.source(), unknown->source())) {
                unknown = &key;
            }
        }
        if (unknown == nullptr) {
            return;
        }
        std::string expected;
        for (const auto& known : m_known) {
            expected += expected.empty() ? "" : ", ";
            expected += known;
        }
        fail(unknown->source(), path(unknown->str()),
             "unknown key (expected one of " + expected + ")");
    }

private:
    std::string checked_string(const toml::node& value, const std::string& what,
                               bool allow_empty) const {
        const auto* text = value.as_string();
        if (text == nullptr) {
            fail_type(value, what, "a string");
        }
        const std::string& s = text->get();
        if (!allow_empty && s.empty()) {
            fail(value.source(), what, "must not be empty");
        }
        for (unsigned char c : s) {
            if (c < 0x20 || c == 0x7f) {
                fail(value.source(), what, "must not contain control characters");
            }
        }
        return s;
    }

    static bool valid_header_pattern(std::string_view pattern) {
        if (pattern.empty() || pattern.size() > k_max_header_pattern_bytes) {
            return false;
        }
        for (char ch : pattern) {
            auto c = static_cast<unsigned char>(ch);
            if (c < 33 || c > 126 || c == ':') {
                return false;
            }
        }
        return true;
    }

    bool is_known(std::string_view key) const {
        for (const auto& known : m_known) {
            if (known == key) {
                return true;
            }
        }
        return false;
    }

    static bool before(const toml::source_region& a, const toml::source_region& b) {
        return std::pair(a.begin.line, a.begin.column) < std::pair(b.begin.line, b.begin.column);
    }

    const toml::table& m_table;
    std::string m_prefix;
    std::string m_file;
    std::vector<std::string> m_known;
};

void read_database(TableReader& reader, DatabaseConfig& db) {
    reader.string("dsn", db.dsn, true);
    reader.integer("pool_size", db.pool_size, 1, 64);
    reader.integer("connect_timeout_ms", db.connect_timeout_ms, 1, k_max_timeout_ms);
    reader.integer("statement_timeout_ms", db.statement_timeout_ms, 1, k_max_timeout_ms);
    reader.integer("max_retries", db.max_retries, 0, 100);
    reader.string("system_user", db.system_user, false);
    reader.finish();
}

void read_scoring(TableReader& reader, ScoringParams& scoring) {
    reader.integer("min_hits", scoring.min_hits, 0, k_max_count);
    reader.real("unknown_probability", scoring.unknown_probability, k_open_unit);
    reader.boolean("processor_bias", scoring.processor_bias);
    reader.real("prob_min", scoring.prob_min, k_open_unit);
    reader.real("prob_max", scoring.prob_max, k_open_unit);
    reader.integer("graham_tokens", scoring.graham_tokens, 1, k_max_count);
    reader.integer("burton_tokens", scoring.burton_tokens, 1, k_max_count);
    reader.integer("robinson_tokens", scoring.robinson_tokens, 1, k_max_count);
    reader.real("robinson_s", scoring.robinson_s, RealRange{0.0, false, k_unbounded, false});
    reader.real("robinson_x", scoring.robinson_x, k_open_unit);
    reader.real("robinson_cutoff", scoring.robinson_cutoff, k_open_unit);
    reader.real("chi_s", scoring.chi_s, RealRange{0.0, false, k_unbounded, false});
    reader.real("chi_x", scoring.chi_x, k_open_unit);
    reader.real("chi_cutoff", scoring.chi_cutoff, k_open_unit);
    // A radius of 0.5 or more would exclude every token.
    reader.real("exclusion_radius", scoring.exclusion_radius, RealRange{0.0, true, 0.5, false});
    reader.real("spam_threshold", scoring.spam_threshold, k_open_unit);
    reader.real("fisher_s", scoring.fisher_s, RealRange{0.0, false, k_unbounded, false});
    reader.real("fisher_x", scoring.fisher_x, k_open_unit);
    reader.real("fisher_cutoff", scoring.fisher_cutoff, k_open_unit);
    reader.real("fisher_header_weight", scoring.fisher_header_weight,
                RealRange{0.0, true, k_max_fisher_weight, true});
    reader.real("fisher_prior_messages", scoring.fisher_prior_messages,
                RealRange{0.0, true, k_max_fisher_prior_messages, true});
    // A bounded rate keeps each fixed-point step far inside int64.
    reader.real("logistic_rate", scoring.logistic_rate,
                RealRange{0.0, false, k_max_logistic_rate, true});
    reader.real("logistic_ham_cost", scoring.logistic_ham_cost,
                RealRange{0.0, false, k_max_logistic_ham_cost, true});
    reader.real("logistic_margin", scoring.logistic_margin,
                RealRange{0.0, true, k_unbounded, false});
    reader.real("logistic_decay_hits", scoring.logistic_decay_hits,
                RealRange{0.0, true, k_unbounded, false});
    reader.real("logistic_rarity_power", scoring.logistic_rarity_power,
                RealRange{0.0, true, k_max_logistic_rarity_power, true});
    reader.real("logistic_evidence_weight", scoring.logistic_evidence_weight,
                RealRange{0.0, true, k_max_logistic_evidence_weight, true});
    reader.real("logistic_balance", scoring.logistic_balance,
                RealRange{0.0, true, k_max_logistic_balance, true});
    reader.real("logistic_balance_messages", scoring.logistic_balance_messages,
                RealRange{0.0, true, k_max_logistic_balance_messages, true});
    reader.real("fisher_weight", scoring.fisher_weight,
                RealRange{0.0, true, k_max_fisher_weight, true});
    reader.real("logistic_cutoff", scoring.logistic_cutoff, k_open_unit);
    reader.finish();

    if (scoring.prob_min >= scoring.prob_max) {
        // Point at whichever of the two the file set (prob_max when both).
        const toml::node* where = reader.find("prob_max");
        std::string key = "prob_max";
        if (where == nullptr) {
            where = reader.find("prob_min");
            key = "prob_min";
        }
        reader.fail(where->source(), reader.path(key),
                    "prob_min (" + number_text(scoring.prob_min) +
                        ") must be less than prob_max (" + number_text(scoring.prob_max) + ")");
    }
}

void read_classifier(TableReader& reader, ClassifierConfig& classifier) {
    reader.enumeration("tokenizer", classifier.tokenizer.kind, parse_tokenizer_kind,
                       tokenizer_kind_name);
    reader.enumeration("algorithm", classifier.scoring.algorithm, parse_algorithm, algorithm_name);
    reader.enumeration("training_mode", classifier.training.mode, parse_training_mode,
                       training_mode_name);
    reader.integer("tum_maturity", classifier.training.tum_maturity, 1, k_max_count);
    reader.real("tum_min_confidence", classifier.training.tum_min_confidence,
                RealRange{0.0, true, 1.0, true});
    reader.integer("toe_warmup", classifier.training.toe_warmup, 0, k_max_count);
    // A margin of 0 learns nothing but corrections, like TOE.
    reader.real("tone_margin", classifier.training.tone_margin,
                RealRange{0.0, true, k_unbounded, false});
    reader.integer("max_tokens", classifier.tokenizer.max_tokens, 1, k_max_count);
    reader.integer("max_words", classifier.tokenizer.max_words, 0, k_max_count);
    reader.header_patterns("ignored_headers", classifier.tokenizer.ignored_headers);
    reader.boolean("enable_bnr", classifier.bnr.enabled);
    reader.boolean("enable_whitelist", classifier.whitelist.enabled);
    reader.integer("whitelist_threshold", classifier.whitelist.threshold, 0, k_max_count);
    reader.integer("statistical_sedation", classifier.statistical_sedation, 0, k_max_sedation);
    reader.boolean("test_conditional_training", classifier.test_conditional.enabled);
    reader.integer("test_conditional_iterations", classifier.test_conditional.max_iterations, 1,
                   k_max_test_conditional_iterations);
    if (auto scoring = reader.sub_table("scoring")) {
        read_scoring(*scoring, classifier.scoring);
    }
    reader.finish();
}

void read_limits(TableReader& reader, MimeLimits& limits) {
    reader.integer("max_message_bytes", limits.max_message_bytes, 1, k_max_bytes);
    reader.integer("max_header_bytes", limits.max_header_bytes, 1, k_max_bytes);
    reader.integer("max_headers", limits.max_headers, 1, k_max_count);
    reader.integer("max_parts", limits.max_parts, 1, k_max_count);
    reader.integer("max_depth", limits.max_depth, 1, k_max_depth);
    reader.integer("max_text_bytes", limits.max_text_bytes, 1, k_max_bytes);
    reader.finish();
}

void read_users(TableReader& reader, UsersConfig& users) {
    reader.string("default_user", users.default_user, false);
    reader.string("merge_group", users.merge_group, true);
    reader.finish();
}

void read_signatures(TableReader& reader, SignatureConfig& signatures) {
    reader.integer("expire_days", signatures.expire_days, 1, k_max_expire_days);
    reader.finish();
}

// libmilter's connection spec: unix:/abs/path (local: is its synonym),
// inet:port[@host] or inet6:port[@host].
bool valid_socket(std::string_view spec) {
    if (spec.size() > k_max_socket_spec) {
        return false;
    }
    for (std::string_view unix_prefix : {"unix:", "local:"}) {
        if (spec.starts_with(unix_prefix)) {
            std::string_view path = spec.substr(unix_prefix.size());
            // sockaddr_un's sun_path holds 108 bytes with its NUL.
            return path.starts_with('/') && path.size() < 108;
        }
    }
    for (std::string_view inet_prefix : {"inet:", "inet6:"}) {
        if (spec.starts_with(inet_prefix)) {
            std::string_view rest = spec.substr(inet_prefix.size());
            std::string_view port = rest.substr(0, rest.find('@'));
            int number = 0;
            auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
            return ec == std::errc() && end == port.data() + port.size() && number >= 1 &&
                   number <= 65535 &&
                   (rest.find('@') == std::string_view::npos || rest.size() > port.size() + 1);
        }
    }
    return false;
}

bool valid_absolute_path(std::string_view path) {
    return path.starts_with('/');
}

bool valid_network(std::string_view text) {
    return parse_network(text).has_value();
}

// Printable ASCII: SMTP replies and header values that must stay 7-bit.
bool valid_printable(std::string_view text) {
    return text.size() <= k_max_text_setting_bytes &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

// A retraining address pattern: "local@" or "local@domain", where the local
// part may hold one "{user}" and nothing else in braces.
bool valid_retrain_pattern(std::string_view pattern) {
    const std::size_t at = pattern.find('@');
    if (pattern.size() > k_max_text_setting_bytes || at == 0 || at == std::string_view::npos ||
        pattern.find('@', at + 1) != std::string_view::npos || !valid_printable(pattern) ||
        pattern.find(' ') != std::string_view::npos) {
        return false;
    }
    std::string_view local = pattern.substr(0, at);
    const std::size_t user = local.find("{user}");
    if (user != std::string_view::npos &&
        local.find("{user}", user + 1) != std::string_view::npos) {
        return false;
    }
    // Braces only as the one "{user}".
    for (std::size_t i = 0; i < local.size(); ++i) {
        if ((local[i] == '{' || local[i] == '}') &&
            (user == std::string_view::npos || i < user || i >= user + 6)) {
            return false;
        }
    }
    return pattern.substr(at + 1).find_first_of("{}") == std::string_view::npos;
}

void read_milter(TableReader& reader, MilterConfig& milter) {
    reader.checked("socket", milter.socket, false, valid_socket,
                   "unix:/absolute/path, inet:port[@host] or inet6:port[@host]");
    reader.string("socket_group", milter.socket_group, true);
    reader.integer("socket_mode", milter.socket_mode, 0, 0777);
    reader.string("user", milter.user, false);
    reader.checked("pid_file", milter.pid_file, true, valid_absolute_path, "an absolute path");
    reader.integer("max_message_bytes", milter.max_message_bytes, 1, k_max_bytes);
    reader.integer("max_header_count", milter.max_header_count, 1, k_max_count);
    reader.integer("max_header_bytes", milter.max_header_bytes, 1, k_max_bytes);
    reader.string_array("trusted_networks", milter.trusted_networks, k_max_networks, valid_network,
                        "an address or network in CIDR notation, host bits zero");
    reader.boolean("skip_authenticated", milter.skip_authenticated);
    reader.enumeration("user_mapping", milter.user_mapping, parse_user_mapping, user_mapping_name);
    reader.string("shared_user", milter.shared_user, false);
    reader.enumeration("on_database_error", milter.on_database_error, parse_failure_policy,
                       failure_policy_name);
    reader.enumeration("on_internal_error", milter.on_internal_error, parse_failure_policy,
                       failure_policy_name);
    reader.integer("timeout_s", milter.timeout_s, 1, k_max_milter_timeout_s);
    reader.finish();
}

void read_actions(TableReader& reader, ActionsConfig& actions) {
    reader.enumeration("spam_action", actions.spam_action, parse_spam_action, spam_action_name);
    reader.checked("subject_prefix", actions.subject_prefix, true, valid_printable,
                   "printable ASCII of at most 256 characters");
    reader.real("reject_confidence", actions.reject_confidence, RealRange{0.0, true, 1.0, true});
    reader.checked("reject_text", actions.reject_text, false, valid_printable,
                   "printable ASCII of at most 256 characters");
    reader.enumeration("signature_location", actions.signature_location, parse_signature_location,
                       signature_location_name);
    reader.boolean("show_factors", actions.show_factors);
    reader.integer("quarantine_copy_bytes", actions.quarantine_copy_bytes, 0, k_max_bytes);
    reader.finish();
}

void read_retrain(TableReader& reader, RetrainConfig& retrain) {
    constexpr std::string_view k_pattern_text =
        "a printable address pattern \"local@\" or \"local@domain\" whose local part may hold "
        "one {user}";
    reader.string_array("spam_addresses", retrain.spam_addresses, k_max_retrain_patterns,
                        valid_retrain_pattern, k_pattern_text);
    reader.string_array("innocent_addresses", retrain.innocent_addresses, k_max_retrain_patterns,
                        valid_retrain_pattern, k_pattern_text);
    const toml::node* command = reader.find("release_command");
    reader.string_array(
        "release_command", retrain.release_command, k_max_command_words,
        [](std::string_view) { return true; }, "");
    if (!retrain.release_command.empty() && !retrain.release_command.front().starts_with('/')) {
        reader.fail(
            command->source(), reader.path("release_command"),
            "the program must be an absolute path, not " + quote(retrain.release_command.front()));
    }
    reader.finish();
}

void read_history(TableReader& reader, HistoryConfig& history) {
    reader.integer("expire_days", history.expire_days, 1, k_max_expire_days);
    reader.finish();
}

void read_cache(TableReader& reader, CacheConfig& cache) {
    constexpr std::int64_t k_max_rows = 100'000'000;
    reader.boolean("enabled", cache.enabled);
    reader.integer("max_entries", cache.max_entries, 1'000, k_max_rows);
    reader.integer("max_queue", cache.max_queue, 1'000, k_max_rows);
    reader.integer("ttl_s", cache.ttl_s, 0, 86'400);
    reader.integer("flush_interval_ms", cache.flush_interval_ms, 10, 60'000);
    reader.integer("known_tokens_refresh_s", cache.known_tokens_refresh_s, 0, 86'400);
    reader.boolean("preload", cache.preload);
    reader.finish();
}

// The names of an enum's values, numbered from 0; "unknown" past the last.
template <typename Enum, std::size_t N>
std::string_view enum_name(Enum value, const std::array<std::string_view, N>& names) {
    const auto index = static_cast<std::size_t>(value);
    return index < N ? names[index] : "unknown";
}

template <typename Enum, std::size_t N>
bool parse_enum(std::string_view text, Enum& out, const std::array<std::string_view, N>& names) {
    for (std::size_t i = 0; i < N; ++i) {
        if (names[i] == text) {
            out = static_cast<Enum>(i);
            return true;
        }
    }
    return false;
}

constexpr std::array<std::string_view, 2> k_failure_policy_names = {"tempfail", "accept"};
constexpr std::array<std::string_view, 3> k_user_mapping_names = {"address", "localpart", "shared"};
constexpr std::array<std::string_view, 3> k_spam_action_names = {"tag", "quarantine", "reject"};
constexpr std::array<std::string_view, 2> k_signature_location_names = {"headers", "message"};

}  // namespace

bool parse_failure_policy(std::string_view name, FailurePolicy& out) {
    return parse_enum(name, out, k_failure_policy_names);
}
std::string_view failure_policy_name(FailurePolicy policy) {
    return enum_name(policy, k_failure_policy_names);
}
bool parse_user_mapping(std::string_view name, UserMapping& out) {
    return parse_enum(name, out, k_user_mapping_names);
}
std::string_view user_mapping_name(UserMapping mapping) {
    return enum_name(mapping, k_user_mapping_names);
}
bool parse_spam_action(std::string_view name, SpamAction& out) {
    return parse_enum(name, out, k_spam_action_names);
}
std::string_view spam_action_name(SpamAction action) {
    return enum_name(action, k_spam_action_names);
}
bool parse_signature_location(std::string_view name, SignatureLocation& out) {
    return parse_enum(name, out, k_signature_location_names);
}
std::string_view signature_location_name(SignatureLocation location) {
    return enum_name(location, k_signature_location_names);
}

Config parse_config(std::string_view text, const std::string& name) {
    if (text.size() > k_max_config_bytes) {
        throw ConfigError(name + ":1:1: the file is larger than " +
                          std::to_string(k_max_config_bytes) + " bytes");
    }
    toml::table root;
    try {
        root = toml::parse(text, name);
    } catch (const toml::parse_error& e) {
        std::ostringstream out;
        out << name << ':' << e.source().begin.line << ':' << e.source().begin.column << ": "
            << e.description();
        throw ConfigError(out.str());
    }

    Config config;
    config.source = name;
    TableReader reader(root, "", name);
    std::string state_dir = config.state_dir.string();
    reader.string("state_dir", state_dir, false);
    config.state_dir = state_dir;
    if (auto database = reader.sub_table("database")) {
        read_database(*database, config.database);
    }
    if (auto classifier = reader.sub_table("classifier")) {
        read_classifier(*classifier, config.classifier);
    }
    if (auto limits = reader.sub_table("limits")) {
        read_limits(*limits, config.classifier.limits);
    }
    if (auto users = reader.sub_table("users")) {
        read_users(*users, config.users);
    }
    if (auto signatures = reader.sub_table("signatures")) {
        read_signatures(*signatures, config.signatures);
    }
    if (auto milter = reader.sub_table("milter")) {
        read_milter(*milter, config.milter);
    }
    if (auto actions = reader.sub_table("actions")) {
        read_actions(*actions, config.actions);
    }
    if (auto retrain = reader.sub_table("retrain")) {
        read_retrain(*retrain, config.retrain);
    }
    if (auto history = reader.sub_table("history")) {
        read_history(*history, config.history);
    }
    if (auto cache = reader.sub_table("cache")) {
        read_cache(*cache, config.cache);
    }
    reader.finish();
    return config;
}

void set_classifier_key(ClassifierConfig& classifier, std::string_view key,
                        std::string_view value) {
    const auto bare_key_char = [](char c) {
        return mime::is_alnum(c) || c == '_' || c == '-' || c == '.';
    };
    if (key.empty() || key.size() > k_max_text_setting_bytes ||
        !std::all_of(key.begin(), key.end(), bare_key_char)) {
        throw ConfigError("\"" + std::string(key) + "\" is not a classifier key");
    }
    // Quotes, backslashes and control characters would need TOML escapes; no
    // classifier value has them.
    const auto plain_char = [](char c) {
        return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f && c != '"' && c != '\\';
    };
    if (value.size() > k_max_text_setting_bytes ||
        !std::all_of(value.begin(), value.end(), plain_char)) {
        throw ConfigError("classifier." + std::string(key) + ": \"" + std::string(value) +
                          "\" is not a value of a classifier key");
    }
    toml::table table;
    const std::string origin = "classifier setting";
    try {
        table = toml::parse(std::string(key) + " = " + std::string(value), origin);
    } catch (const toml::parse_error&) {
        try {
            table = toml::parse(std::string(key) + " = " + quote(value), origin);
        } catch (const toml::parse_error& e) {
            throw ConfigError("classifier." + std::string(key) + ": " +
                              std::string(e.description()));
        }
    }
    try {
        TableReader reader(table, "classifier", origin);
        read_classifier(reader, classifier);
    } catch (const ConfigError& e) {
        // "origin:line:column: what: message": the position means nothing here.
        std::string_view message = e.what();
        for (int separators = 0; separators < 3 && !message.empty(); ++separators) {
            message.remove_prefix(std::min(message.size(), message.find(':') + 1));
        }
        throw ConfigError(std::string(mime::trim(message)));
    }
}

Config load_config(const std::filesystem::path& path) {
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw ConfigError(path.string() +
                          ": cannot open the configuration file: " + std::strerror(errno));
    }
    // Read one byte past the cap so that parse_config sees an oversized file.
    std::string text(k_max_config_bytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) {
        throw ConfigError(path.string() +
                          ": cannot read the configuration file: " + std::strerror(errno));
    }
    text.resize(static_cast<std::size_t>(in.gcount()));
    return parse_config(text, path.string());
}

std::filesystem::path default_config_path() {
    const char* env = std::getenv("DSPAMD_CONFIG");
    if (env != nullptr && *env != '\0') {
        return env;
    }
    return DSPAMD_SYSCONFDIR "/dspamd.toml";
}

}  // namespace dspamd
