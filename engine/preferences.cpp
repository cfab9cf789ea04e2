// Per-user preferences over the global classifier settings.
#include "engine/preferences.h"

#include <charconv>

#include "classifier/sedation.h"

namespace dspamd {
namespace {

// DSPAM's on/off preferences.
bool parse_switch(const std::string& value, bool& out) {
    if (value == "on") {
        out = true;
    } else if (value == "off") {
        out = false;
    } else {
        return false;
    }
    return true;
}

template <typename Int>
bool parse_int(const std::string& value, Int& out, Int low, Int high) {
    Int parsed{};
    const char* end = value.data() + value.size();
    auto [ptr, ec] = std::from_chars(value.data(), end, parsed);
    if (ec != std::errc{} || ptr != end || parsed < low || parsed > high) {
        return false;
    }
    out = parsed;
    return true;
}

constexpr std::int64_t k_max_whitelist_threshold = 1'000'000;

// A finite number in [low, high] (or (low, high] when low is exclusive),
// written in full: "10", "0.1". Leaves `out` alone otherwise.
bool parse_number(const std::string& text, double low, bool low_inclusive, double high,
                  double& out) {
    double value = 0.0;
    const char* end = text.data() + text.size();
    const auto [ptr, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc{} || ptr != end || text.empty()) {
        return false;
    }
    const bool above = low_inclusive ? value >= low : value > low;
    if (!above || !(value <= high)) {
        return false;
    }
    out = value;
    return true;
}

}  // namespace

ClassifierConfig apply_preferences(const ClassifierConfig& base,
                                   const std::map<std::string, std::string>& preferences,
                                   std::vector<std::string>& warnings) {
    ClassifierConfig settings = base;
    for (const auto& [key, value] : preferences) {
        bool ok = true;
        if (key == "trainingMode") {
            ok = parse_training_mode(value, settings.training.mode);
        } else if (key == "algorithm") {
            ok = parse_algorithm(value, settings.scoring.algorithm);
        } else if (key == "tokenizer") {
            ok = parse_tokenizer_kind(value, settings.tokenizer.kind);
        } else if (key == "enableBNR") {
            ok = parse_switch(value, settings.bnr.enabled);
        } else if (key == "enableWhitelist") {
            ok = parse_switch(value, settings.whitelist.enabled);
        } else if (key == "whitelistThreshold") {
            ok = parse_int<std::int64_t>(value, settings.whitelist.threshold, 0,
                                         k_max_whitelist_threshold);
        } else if (key == "statisticalSedation") {
            ok = parse_int<int>(value, settings.statistical_sedation, 0, k_max_sedation);
        } else if (key == "testConditionalTraining") {
            ok = parse_switch(value, settings.test_conditional.enabled);
        } else if (key == "logisticRate") {
            ok = parse_number(value, 0.0, false, k_max_logistic_rate,
                              settings.scoring.logistic_rate);
        } else if (key == "logisticHamCost") {
            ok = parse_number(value, 0.0, false, k_max_logistic_ham_cost,
                              settings.scoring.logistic_ham_cost);
        } else if (key == "fisherWeight") {
            ok =
                parse_number(value, 0.0, true, k_max_fisher_weight, settings.scoring.fisher_weight);
        } else {
            continue;  // preferences of other parts (actions, web UI) are not ours
        }
        if (!ok) {
            warnings.push_back("preference " + key + ": ignoring unknown value \"" + value + "\"");
        }
    }
    return settings;
}

}  // namespace dspamd
