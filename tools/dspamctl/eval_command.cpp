// dspamctl eval: the TREC online protocol on a fresh store, with figures
// printed as a list or as one JSON object; with --compare, a matrix of
// settings, each on a fresh store of its own, printed as one table.
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "engine/eval.h"
#include "engine/eval_compare.h"
#include "engine/store_factory.h"
#include "storage/memory_store.h"
#include "tools/dspamctl/commands.h"
#include "tools/dspamctl/eval_report.h"

namespace dspamd::cli {
namespace {

// --tokenizer, --algorithm, --mode and the feature switches go through the
// configuration reader, so they accept exactly what the file does and say so
// when they do not.
void apply_overrides(const Arguments& args, ClassifierConfig& settings) {
    for (const auto& [option, key] : {std::pair{"tokenizer", "tokenizer"},
                                      {"algorithm", "algorithm"},
                                      {"mode", "training_mode"}}) {
        if (auto value = args.value(option)) {
            try {
                set_classifier_key(settings, key, *value);
            } catch (const ConfigError& e) {
                throw UsageError(std::string("--") + option + ": " + e.what());
            }
        }
    }
    // DSPAM's learning features, off unless asked for.
    for (const auto& [flag, key] : {std::pair{"bnr", "enable_bnr"},
                                    {"whitelist", "enable_whitelist"},
                                    {"tct", "test_conditional_training"}}) {
        if (args.flag(flag)) {
            set_classifier_key(settings, key, "true");
        }
    }
    if (auto level = args.value("sedation")) {
        try {
            set_classifier_key(settings, "statistical_sedation", *level);
        } catch (const ConfigError& e) {
            throw UsageError(std::string("--sedation: ") + e.what());
        }
    }
}

void print_progress(const EvalProgress& p) {
    static const bool k_tty = isatty(STDERR_FILENO) != 0;
    if (!k_tty && p.done % 1000 != 0 && p.done != p.total) {
        return;
    }
    double rate = p.seconds > 0 ? static_cast<double>(p.done) / p.seconds : 0;
    std::fprintf(stderr, "%s[%5zu/%zu] %3zu%%  errors %zu  %.1f msgs/s%s", k_tty ? "\r" : "",
                 p.done, p.total, p.total ? p.done * 100 / p.total : 100, p.errors, rate,
                 k_tty && p.done != p.total ? "" : "\n");
    std::fflush(stderr);
}

// A fresh store for one run of a matrix; the store is gone when it returns.
EvalResult evaluate_fresh(const Config& config, const std::string& store_kind,
                          const std::vector<IndexEntry>& index, const EvalOptions& options) {
    if (store_kind == "memory") {
        MemoryStore store;
        Filter filter(config, store);
        return run_eval(filter, index, options);
    }
    ScratchStore scratch(config);
    Filter filter(config, scratch.store());
    return run_eval(filter, index, options);
}

std::size_t parse_jobs(const Arguments& args) {
    const std::string text = args.value_or("jobs", "1");
    std::size_t jobs = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), jobs);
    if (error != std::errc{} || end != text.data() + text.size() || jobs < 1 ||
        jobs > k_max_compare_jobs) {
        throw UsageError("--jobs must be a number from 1 to " + std::to_string(k_max_compare_jobs));
    }
    return jobs;
}

// --compare: every operand KEY=VALUES is an axis, the other one the index.
int compare(const Arguments& args, const Config& config, const std::string& store_kind) {
    if (args.value("scores") || args.flag("keep-store")) {
        throw UsageError("--scores and --keep-store take a single run, not --compare");
    }
    std::vector<std::string> paths;
    std::vector<CompareAxis> axes;
    std::vector<CompareRun> runs;
    try {
        for (const std::string& operand : args.operands()) {
            if (operand.find('=') == std::string::npos) {
                paths.push_back(operand);
            } else {
                axes.push_back(parse_compare_axis(operand));
            }
        }
        runs = expand_compare(config, axes);
    } catch (const CompareError& e) {
        throw UsageError(std::string("--compare: ") + e.what());
    }
    if (paths.size() != 1) {
        throw UsageError("eval takes exactly one INDEX file");
    }
    const std::size_t jobs = parse_jobs(args);
    std::vector<IndexEntry> index;
    try {
        index = read_index(paths.front());
    } catch (const std::runtime_error& e) {
        throw InputError(e.what());
    }

    // Axes beyond the three that every row shows get columns of their own.
    std::vector<std::size_t> extra_axes;
    for (std::size_t i = 0; i < axes.size(); ++i) {
        if (axes[i].key != "tokenizer" && axes[i].key != "algorithm" &&
            axes[i].key != "training_mode") {
            extra_axes.push_back(i);
        }
    }
    auto settings_of = [&](const CompareRun& run) {
        Settings extra;
        for (const std::size_t i : extra_axes) {
            extra.emplace_back(axes[i].key, run.values[i]);
        }
        return run_settings(run.config.classifier, extra);
    };

    EvalOptions options;
    options.user = args.value_or("user", "eval");
    const bool quiet = args.flag("quiet");
    std::size_t finished = 0;
    const std::vector<EvalResult> results = run_compare(
        runs, jobs,
        [&](const CompareRun& run) {
            return evaluate_fresh(run.config, store_kind, index, options);
        },
        [&](std::size_t i, const EvalResult& result) {
            ++finished;
            if (quiet) {
                return;
            }
            std::string described;
            for (const auto& [name, value] : settings_of(runs[i])) {
                described += " " + name + "=" + value;
            }
            std::fprintf(stderr, "[%zu/%zu]%s: (1-ROCA)%% %.3f in %.1f s\n", finished, runs.size(),
                         described.c_str(), result.metrics.one_minus_roca, result.seconds);
            std::fflush(stderr);
        });

    std::vector<MatrixRow> rows;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        rows.push_back({settings_of(runs[i]), results[i]});
    }
    if (args.flag("json")) {
        print_matrix_json(stdout, rows, store_kind);
    } else {
        print_matrix(stdout, rows);
    }
    return k_exit_ok;
}

}  // namespace

int eval_command(const std::vector<std::string>& argv) {
    Arguments args(
        argv,
        with_common({"scores", "store", "tokenizer", "algorithm", "mode", "jobs", "sedation"},
                    k_common_values),
        with_common({"json", "keep-store", "quiet", "compare", "bnr", "whitelist", "tct"},
                    k_common_flags));
    Config config = load_cli_config(args);
    apply_overrides(args, config.classifier);
    const std::string store_kind = args.value_or("store", "postgres");
    if (store_kind != "postgres" && store_kind != "memory") {
        throw UsageError("--store must be postgres or memory");
    }
    if (args.flag("compare")) {
        return compare(args, config, store_kind);
    }
    if (args.operands().size() != 1) {
        throw UsageError("eval takes exactly one INDEX file");
    }
    if (args.value("jobs")) {
        throw UsageError(
            "--jobs runs the settings of --compare in parallel: use it with --compare");
    }

    std::vector<IndexEntry> index;
    try {
        index = read_index(args.operands().front());
    } catch (const std::runtime_error& e) {
        throw InputError(e.what());
    }
    std::ofstream scores;
    EvalOptions options;
    options.user = args.value_or("user", "eval");
    if (auto path = args.value("scores")) {
        scores.open(*path);
        if (!scores) {
            throw InputError(*path + ": cannot write the scores file");
        }
        options.scores = &scores;
    }
    if (!args.flag("quiet")) {
        options.progress = print_progress;
    }

    EvalResult result;
    if (store_kind == "memory" || !args.flag("keep-store")) {
        result = evaluate_fresh(config, store_kind, index, options);
    } else {
        ScratchStore scratch(config);
        scratch.keep();
        std::fprintf(stderr, "keeping the store at %s\n", scratch.location().c_str());
        Filter filter(config, scratch.store());
        result = run_eval(filter, index, options);
    }
    const Settings settings = run_settings(config.classifier);
    if (args.flag("json")) {
        print_run_json(stdout, result, settings, store_kind);
    } else {
        print_run(stdout, result, settings, store_kind);
    }
    return k_exit_ok;
}

}  // namespace dspamd::cli
