// dspamctl eval: the TREC online protocol on a fresh store, with figures
// printed as a table or as one JSON object.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "engine/eval.h"
#include "engine/store_factory.h"
#include "storage/memory_store.h"
#include "tools/dspamctl/commands.h"

namespace dspamd::cli {
namespace {

void apply_overrides(const Arguments& args, ClassifierConfig& settings) {
    if (auto name = args.value("tokenizer");
        name && !parse_tokenizer_kind(*name, settings.tokenizer.kind)) {
        throw UsageError("--tokenizer must be word, chain, osb or sbph");
    }
    if (auto name = args.value("algorithm");
        name && !parse_algorithm(*name, settings.scoring.algorithm)) {
        throw UsageError(
            "--algorithm must be graham, burton, robinson, chi-square, naive, fisher, logistic "
            "or fisher-logistic");
    }
    if (auto name = args.value("mode"); name && !parse_training_mode(*name, settings.training.mode)) {
        throw UsageError("--mode must be teft, toe, tum, notrain or tone");
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

double rows_per_message(const EvalResult& r) {
    return r.messages > 0 ? static_cast<double>(r.token_rows) / static_cast<double>(r.messages) : 0;
}

void print_table(const EvalResult& r, const ClassifierConfig& s, const std::string& store) {
    const Confusion& c = r.metrics.confusion;
    std::printf("settings   tokenizer=%s algorithm=%s mode=%s store=%s\n",
                std::string(tokenizer_kind_name(s.tokenizer.kind)).c_str(),
                std::string(algorithm_name(s.scoring.algorithm)).c_str(),
                std::string(training_mode_name(s.training.mode)).c_str(), store.c_str());
    std::printf("messages   %zu (%zu ham, %zu spam)\n", r.messages, c.ham(), c.spam());
    std::printf("FPR        %.3f %%  (%zu ham judged spam)\n", 100 * r.metrics.fpr, c.ham_as_spam);
    std::printf("FNR        %.3f %%  (%zu spam judged ham)\n", 100 * r.metrics.fnr, c.spam_as_ham);
    std::printf("accuracy   %.3f %%\n", 100 * r.metrics.accuracy);
    std::printf("(1-ROCA)%%  %.4f\n", r.metrics.one_minus_roca);
    std::printf("msgs/s     %.1f  (%.1f s)\n", r.msgs_per_s, r.seconds);
    std::printf("peak RSS   %ld KiB\n", r.peak_rss_kb);
    std::printf("learned    %lld messages' counts\n", static_cast<long long>(r.learned));
    std::printf("token rows %lld  (%.1f per message)\n", static_cast<long long>(r.token_rows),
                rows_per_message(r));
}

void print_json(const EvalResult& r, const ClassifierConfig& s, const std::string& store) {
    const Confusion& c = r.metrics.confusion;
    // Rates are fractions (0..1); the *_pct keys give the same in percent.
    std::printf(
        "{\"messages\": %zu, \"ham\": %zu, \"spam\": %zu, \"false_positives\": %zu, "
        "\"false_negatives\": %zu, \"fpr\": %.6f, \"fnr\": %.6f, \"accuracy\": %.6f, "
        "\"fpr_pct\": %.4f, \"fnr_pct\": %.4f, \"accuracy_pct\": %.4f, \"roca_pct\": %.6f, "
        "\"msgs_per_s\": %.2f, \"seconds\": %.2f, \"peak_rss_kb\": %ld, \"learned\": %lld, "
        "\"token_rows\": %lld, \"rows_per_message\": %.2f, \"tokenizer\": \"%s\", "
        "\"algorithm\": \"%s\", \"mode\": \"%s\", \"store\": \"%s\"}\n",
        r.messages, c.ham(), c.spam(), c.ham_as_spam, c.spam_as_ham, r.metrics.fpr, r.metrics.fnr,
        r.metrics.accuracy, 100 * r.metrics.fpr, 100 * r.metrics.fnr, 100 * r.metrics.accuracy,
        r.metrics.one_minus_roca, r.msgs_per_s, r.seconds, r.peak_rss_kb,
        static_cast<long long>(r.learned), static_cast<long long>(r.token_rows),
        rows_per_message(r), std::string(tokenizer_kind_name(s.tokenizer.kind)).c_str(),
        std::string(algorithm_name(s.scoring.algorithm)).c_str(),
        std::string(training_mode_name(s.training.mode)).c_str(), store.c_str());
}

}  // namespace

int eval_command(const std::vector<std::string>& argv) {
    Arguments args(argv,
                   with_common({"scores", "store", "tokenizer", "algorithm", "mode"},
                               k_common_values),
                   with_common({"json", "keep-store", "quiet"}, k_common_flags));
    if (args.operands().size() != 1) {
        throw UsageError("eval takes exactly one INDEX file");
    }
    Config config = load_cli_config(args);
    apply_overrides(args, config.classifier);
    const std::string store_kind = args.value_or("store", "postgres");
    if (store_kind != "postgres" && store_kind != "memory") {
        throw UsageError("--store must be postgres or memory");
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

    // What the run stored: every message learns the weights of fisher-logistic,
    // only some learn counts.
    const auto count_learned = [&](Store& store, EvalResult& r) {
        for (const UserStats& stats : store.stats(options.user)) {
            r.learned += stats.totals.spam_learned + stats.totals.innocent_learned;
        }
    };
    EvalResult result;
    if (store_kind == "memory") {
        MemoryStore store;
        Filter filter(config, store);
        result = run_eval(filter, index, options);
        count_learned(store, result);
        result.token_rows =
            static_cast<std::int64_t>(store.token_count(store.user_id(options.user)));
    } else {
        ScratchStore scratch(config);
        if (args.flag("keep-store")) {
            scratch.keep();
            std::fprintf(stderr, "keeping the store at %s\n", scratch.location().c_str());
        }
        Filter filter(config, scratch.store());
        result = run_eval(filter, index, options);
        count_learned(scratch.store(), result);
        result.token_rows = scratch.token_rows();
    }
    if (args.flag("json")) {
        print_json(result, config.classifier, store_kind);
    } else {
        print_table(result, config.classifier, store_kind);
    }
    return k_exit_ok;
}

}  // namespace dspamd::cli
