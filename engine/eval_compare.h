// A matrix of evaluations (dspamctl eval --compare): axes of classifier
// settings, each with the values to try, expanded into one run per
// combination and evaluated on fresh stores, several at a time.
//
// An axis is any [classifier] key of the configuration file ("tokenizer",
// "algorithm", "training_mode" or its short form "mode", "scoring.fisher_x",
// ...), and its values are checked by the configuration reader itself
// (set_classifier_key), so every setting and every name the file accepts
// works here without a list of its own.
#pragma once

#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config.h"
#include "engine/eval.h"

namespace dspamd {

// A malformed axis, an unknown key or value, or too many runs.
class CompareError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

inline constexpr std::size_t k_max_compare_runs = 1000;   // combinations in one matrix
inline constexpr std::size_t k_max_compare_values = 100;  // values of one axis
inline constexpr std::size_t k_max_compare_jobs = 64;     // runs evaluated at once

struct CompareAxis {
    std::string key;                  // the [classifier] key, "mode" spelled "training_mode"
    std::vector<std::string> values;  // as given, in order
};

// "KEY=VALUE[,VALUE...]". Throws CompareError.
CompareAxis parse_compare_axis(std::string_view spec);

struct CompareRun {
    std::vector<std::string> values;  // one per axis, in the axes' order
    Config config;                    // the base configuration with those values set
};

// One run per combination, the first axis varying slowest. Every value is
// checked against the configuration reader first. Throws CompareError (a
// repeated key, an unknown key or value, more than k_max_compare_runs runs).
std::vector<CompareRun> expand_compare(const Config& base, const std::vector<CompareAxis>& axes);

// Evaluates one run on a fresh store of the caller's choice.
using EvaluateRun = std::function<EvalResult(const CompareRun&)>;
// Called as each run finishes (index into runs), one call at a time.
using RunFinished = std::function<void(std::size_t, const EvalResult&)>;

// Evaluates every run with up to `jobs` threads; results in the runs' order.
// When a run throws, no further run starts and the first exception is
// rethrown once the running ones are done.
std::vector<EvalResult> run_compare(const std::vector<CompareRun>& runs, std::size_t jobs,
                                    const EvaluateRun& evaluate, const RunFinished& finished);

}  // namespace dspamd
