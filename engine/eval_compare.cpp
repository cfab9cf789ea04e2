// Expanding and running an evaluation matrix.
#include "engine/eval_compare.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "classifier/mime/ascii.h"

namespace dspamd {
namespace {

// The CLI's --mode names the training_mode key; both spellings are one axis.
std::string canonical_key(std::string_view key) {
    return key == "mode" ? std::string("training_mode") : std::string(key);
}

}  // namespace

CompareAxis parse_compare_axis(std::string_view spec) {
    const std::size_t equals = spec.find('=');
    if (equals == std::string_view::npos) {
        throw CompareError("\"" + std::string(spec) +
                           "\": an axis is KEY=VALUE[,VALUE...], e.g. tokenizer=chain,osb");
    }
    const std::string_view key = mime::trim(spec.substr(0, equals));
    if (key.empty()) {
        throw CompareError("\"" + std::string(spec) + "\": the axis has no key");
    }
    CompareAxis axis;
    axis.key = canonical_key(key);
    std::string_view rest = spec.substr(equals + 1);
    for (;;) {
        const std::size_t comma = rest.find(',');
        const std::string_view value = mime::trim(rest.substr(0, comma));
        if (value.empty()) {
            throw CompareError("\"" + std::string(spec) + "\": an empty value");
        }
        if (axis.values.size() == k_max_compare_values) {
            throw CompareError("\"" + std::string(spec) + "\": more than " +
                               std::to_string(k_max_compare_values) + " values");
        }
        axis.values.emplace_back(value);
        if (comma == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(comma + 1);
    }
    return axis;
}

std::vector<CompareRun> expand_compare(const Config& base, const std::vector<CompareAxis>& axes) {
    std::size_t combinations = 1;
    for (std::size_t i = 0; i < axes.size(); ++i) {
        const CompareAxis& axis = axes[i];
        for (std::size_t j = 0; j < i; ++j) {
            if (axes[j].key == axis.key) {
                throw CompareError("the axis " + axis.key + " is given twice");
            }
        }
        if (axis.values.empty()) {
            throw CompareError("the axis " + axis.key + " has no values");
        }
        // Each value alone first, so that a bad one is named before any run.
        for (const std::string& value : axis.values) {
            ClassifierConfig probe = base.classifier;
            try {
                set_classifier_key(probe, axis.key, value);
            } catch (const ConfigError& e) {
                throw CompareError(e.what());
            }
        }
        combinations *= axis.values.size();
        if (combinations > k_max_compare_runs) {
            throw CompareError("the matrix has more than " + std::to_string(k_max_compare_runs) +
                               " combinations");
        }
    }

    std::vector<CompareRun> runs;
    runs.reserve(combinations);
    std::vector<std::size_t> position(axes.size(), 0);  // an odometer, last axis fastest
    for (std::size_t n = 0; n < combinations; ++n) {
        CompareRun run;
        run.config = base;
        for (std::size_t i = 0; i < axes.size(); ++i) {
            const std::string& value = axes[i].values[position[i]];
            try {
                // Values checked alone can still clash together (prob_min >= prob_max).
                set_classifier_key(run.config.classifier, axes[i].key, value);
            } catch (const ConfigError& e) {
                throw CompareError(e.what());
            }
            run.values.push_back(value);
        }
        runs.push_back(std::move(run));
        for (std::size_t i = axes.size(); i-- > 0;) {
            if (++position[i] < axes[i].values.size()) {
                break;
            }
            position[i] = 0;
        }
    }
    return runs;
}

std::vector<EvalResult> run_compare(const std::vector<CompareRun>& runs, std::size_t jobs,
                                    const EvaluateRun& evaluate, const RunFinished& finished) {
    if (jobs < 1 || jobs > k_max_compare_jobs) {
        throw CompareError("jobs must be between 1 and " + std::to_string(k_max_compare_jobs));
    }
    std::vector<EvalResult> results(runs.size());
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::mutex mutex;  // guards first_error and serialises `finished`
    std::exception_ptr first_error;

    auto worker = [&] {
        for (std::size_t i = next++; i < runs.size() && !failed; i = next++) {
            try {
                results[i] = evaluate(runs[i]);
                std::lock_guard lock(mutex);
                if (finished) {
                    finished(i, results[i]);
                }
            } catch (...) {
                std::lock_guard lock(mutex);
                if (!first_error) {
                    first_error = std::current_exception();
                }
                failed = true;
            }
        }
    };
    std::vector<std::thread> threads;
    const std::size_t count = std::min(jobs, runs.size());
    for (std::size_t t = 1; t < count; ++t) {
        threads.emplace_back(worker);
    }
    worker();  // the calling thread is one of the jobs
    for (std::thread& thread : threads) {
        thread.join();
    }
    if (first_error) {
        std::rethrow_exception(first_error);
    }
    return results;
}

}  // namespace dspamd
