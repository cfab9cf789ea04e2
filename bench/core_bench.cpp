// Throughput of the pure classifier core on a corpus: MIME parsing,
// tokenizing and scoring, in MB/s and msgs/s, with no storage in the way.
// Token counts come from an in-memory table filled by learning the whole
// corpus first (untimed), so scoring sees realistic statistics.
#include <chrono>
#include <cstdio>
#include <unordered_map>

#include "bench/corpus.h"
#include "classifier/combiner.h"
#include "classifier/mime/message.h"
#include "classifier/tokenizer.h"
#include "engine/config.h"

using namespace dspamd;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: core_bench INDEX [--config FILE]\n");
        return 64;
    }
    Config config = argc >= 4 ? load_config(argv[3]) : Config{};
    const ClassifierConfig& settings = config.classifier;
    auto corpus = bench::load_corpus(argv[1]);
    double megabytes = 0;
    for (const auto& m : corpus) {
        megabytes += static_cast<double>(m.bytes.size()) / 1e6;
    }

    // Untimed: learn everything so that scoring works on real counts.
    std::unordered_map<Token, Counts> counts;
    Totals totals;
    for (const auto& m : corpus) {
        auto tokens = collect_tokens(parse_message(m.bytes, settings.limits), settings.tokenizer,
                                     false);
        for (Token t : tokens.tokens) {
            (m.spam ? counts[t].spam : counts[t].innocent) += 1;
        }
        (m.spam ? totals.spam_learned : totals.innocent_learned) += 1;
    }

    auto start = std::chrono::steady_clock::now();
    std::size_t parts = 0;
    for (const auto& m : corpus) {
        parts += parse_message(m.bytes, settings.limits).texts.size();
    }
    double parse_s = seconds_since(start);

    start = std::chrono::steady_clock::now();
    std::size_t token_total = 0;
    std::size_t spam_verdicts = 0;
    std::vector<TokenStat> stats;
    for (const auto& m : corpus) {
        auto tokens = collect_tokens(parse_message(m.bytes, settings.limits), settings.tokenizer,
                                     false);
        stats.clear();
        for (Token t : tokens.tokens) {
            auto it = counts.find(t);
            stats.push_back({t, it == counts.end() ? Counts{} : it->second});
        }
        token_total += tokens.tokens.size();
        spam_verdicts += combine(stats, totals, settings.scoring).result == Class::spam;
    }
    double full_s = seconds_since(start);

    std::printf("corpus            %zu messages, %.1f MB\n", corpus.size(), megabytes);
    std::printf("settings          tokenizer=%s algorithm=%s\n",
                std::string(tokenizer_kind_name(settings.tokenizer.kind)).c_str(),
                std::string(algorithm_name(settings.scoring.algorithm)).c_str());
    std::printf("parse only        %8.1f MB/s %9.0f msgs/s  (%zu text parts)\n",
                megabytes / parse_s, static_cast<double>(corpus.size()) / parse_s, parts);
    std::printf("parse+tokenize+score %5.1f MB/s %9.0f msgs/s  (%.0f distinct tokens/msg)\n",
                megabytes / full_s, static_cast<double>(corpus.size()) / full_s,
                static_cast<double>(token_total) / static_cast<double>(corpus.size()));
    std::printf("(%zu judged spam)\n", spam_verdicts);
    return 0;
}
