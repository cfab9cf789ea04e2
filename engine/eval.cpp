// The online evaluation loop and its index reader.
#include "engine/eval.h"

#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace dspamd {
namespace {

constexpr std::size_t k_progress_every = 50;  // messages between progress reports

std::string read_message(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error(path.string() + ": cannot open");
    }
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return std::move(bytes).str();
}

std::string full_precision(double value) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.17g", value);
    return buffer;
}

}  // namespace

std::vector<IndexEntry> read_index(const std::filesystem::path& index) {
    std::ifstream in(index);
    if (!in) {
        throw std::runtime_error(index.string() + ": cannot open index");
    }
    std::vector<IndexEntry> entries;
    std::string line;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
        if (line.empty() || line[0] == '#') {
            continue;
        }
        std::istringstream fields(line);
        std::string label;
        IndexEntry entry;
        if (!(fields >> label >> entry.path) || (label != "spam" && label != "ham")) {
            throw std::runtime_error(index.string() + ":" + std::to_string(number) +
                                     ": expected \"spam PATH\" or \"ham PATH\"");
        }
        entry.spam = label == "spam";
        entry.resolved = index.parent_path() / entry.path;
        entries.push_back(std::move(entry));
    }
    return entries;
}

EvalResult run_eval(Filter& filter, const std::vector<IndexEntry>& index,
                    const EvalOptions& options) {
    std::vector<Judgement> run;
    run.reserve(index.size());
    std::size_t whitelisted = 0;
    std::size_t noise_messages = 0;
    std::size_t noise_tokens = 0;
    EvalProgress progress;
    progress.total = index.size();
    const auto start = std::chrono::steady_clock::now();
    auto elapsed = [&start] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };

    for (const auto& entry : index) {
        const std::string raw = read_message(entry.resolved);
        const Class gold = entry.spam ? Class::spam : Class::innocent;
        Outcome outcome = filter.classify(raw, options.user);
        const bool verdict_spam = outcome.verdict.result == Class::spam;
        whitelisted += outcome.whitelisted ? 1 : 0;
        noise_messages += outcome.noise_tokens > 0 ? 1 : 0;
        noise_tokens += outcome.noise_tokens;
        run.push_back({entry.spam, verdict_spam, outcome.verdict.score});
        if (outcome.verdict.result != gold) {
            ++progress.errors;
            filter.retrain(options.user, outcome.signature_id, gold);
        }
        if (options.scores) {
            *options.scores << entry.path << (entry.spam ? " spam " : " ham ")
                            << (verdict_spam ? "spam " : "ham ")
                            << full_precision(outcome.verdict.score) << "\n";
        }
        ++progress.done;
        if (options.progress &&
            (progress.done % k_progress_every == 0 || progress.done == progress.total)) {
            progress.seconds = elapsed();
            options.progress(progress);
        }
    }

    EvalResult result;
    result.metrics = evaluate(run);
    result.messages = run.size();
    result.whitelisted = whitelisted;
    result.noise_messages = noise_messages;
    result.noise_tokens = noise_tokens;
    result.seconds = elapsed();
    result.msgs_per_s = result.seconds > 0 ? static_cast<double>(run.size()) / result.seconds : 0;
    Store& store = filter.store();
    result.token_rows = store.token_rows(store.user_id(options.user));
    for (const UserStats& stats : store.stats(options.user)) {
        result.learned = stats.totals.spam_learned + stats.totals.innocent_learned;
    }
    struct rusage usage {};
    if (getrusage(RUSAGE_SELF, &usage) == 0) {
        result.peak_rss_kb = usage.ru_maxrss;
    }
    return result;
}

}  // namespace dspamd
