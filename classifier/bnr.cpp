// Bayesian Noise Reduction: streams, patterns, eliminations.
#include "classifier/bnr.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <unordered_map>

#include "classifier/hash.h"
#include "classifier/lexer.h"
#include "classifier/ngram.h"
#include "classifier/token_output.h"

namespace dspamd {
namespace {

constexpr char k_single_stream = 's';
constexpr char k_chained_stream = 'c';
constexpr double k_innocent_only_probability = 0.01;  // DSPAM's one-sided bounds
constexpr double k_spam_only_probability = 0.99;
constexpr double k_prob_min = 0.0001;
constexpr double k_prob_max = 0.9999;

Counts counts_of(std::span<const TokenStat> sorted, Token token) {
    auto it = std::lower_bound(sorted.begin(), sorted.end(), token,
                               [](const TokenStat& s, Token t) { return s.token < t; });
    return it != sorted.end() && it->token == token ? it->counts : Counts{};
}

std::vector<double> probabilities_of(const std::vector<Token>& stream,
                                     std::span<const TokenStat> stats, const Totals& totals,
                                     const ScoringParams& scoring) {
    std::vector<double> out;
    out.reserve(stream.size());
    for (Token token : stream) {
        out.push_back(token_probability(counts_of(stats, token), totals, scoring));
    }
    return out;
}

// One pattern token per position of the stream.
std::vector<Token> patterns_of(char stream, std::span<const double> probabilities) {
    std::array<double, k_bnr_window> window{};
    std::vector<Token> out;
    out.reserve(probabilities.size());
    for (double p : probabilities) {
        std::rotate(window.begin(), window.begin() + 1, window.end());
        window.back() = bnr_round(p);
        out.push_back(token_hash(bnr_pattern_name(stream, window)));
    }
    return out;
}

}  // namespace

BnrStreams bnr_streams(const ParsedMessage& message, const TokenizerParams& params) {
    BnrStreams streams;
    const TokenSink sink = [&streams](std::string_view text) {
        const Token token = token_hash(text);
        (text.find(k_chain_join) == std::string_view::npos ? streams.single : streams.chained)
            .push_back(token);
    };
    TokenOutput out(token_bound(params), &sink, nullptr, false);
    WordList words;
    for (const TextPart& part : message.texts) {
        words.clear();
        lex_words(part.text, LexMode::body, words);
        if (!emit_ngrams(params.kind, {}, words, out)) {
            break;
        }
    }
    return streams;
}

double bnr_round(double probability) {
    // DSPAM: int r = n * 100; while (r % 5) r++; return r / 100.0
    auto r = static_cast<int>(probability * 100);
    while (r % 5 != 0) {
        ++r;
    }
    return r / 100.0;
}

std::string bnr_pattern_name(char stream, std::span<const double> window) {
    std::string name = "bnr.";
    name += stream;
    name += '|';
    for (double value : window) {
        char text[16];
        std::snprintf(text, sizeof text, "%01.2f_", value);
        name += text;
    }
    return name;
}

Token bnr_totals_token() {
    return token_hash("bnr.t|");
}

std::vector<Token> bnr_pattern_tokens(const BnrStreams& streams, std::span<const TokenStat> stats,
                                      const Totals& totals, const ScoringParams& scoring) {
    std::vector<Token> tokens =
        patterns_of(k_single_stream, probabilities_of(streams.single, stats, totals, scoring));
    const std::vector<Token> chained =
        patterns_of(k_chained_stream, probabilities_of(streams.chained, stats, totals, scoring));
    tokens.insert(tokens.end(), chained.begin(), chained.end());
    tokens.push_back(bnr_totals_token());
    std::sort(tokens.begin(), tokens.end());
    tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
    return tokens;
}

double bnr_pattern_probability(const Counts& pattern, const Counts& pattern_totals,
                               const Totals& totals, std::int64_t min_hits) {
    const double spam = static_cast<double>(std::max<std::int64_t>(pattern.spam, 0));
    const double innocent = static_cast<double>(std::max<std::int64_t>(pattern.innocent, 0));
    if (spam + innocent == 0.0 || pattern_totals.spam <= 0 || pattern_totals.innocent <= 0) {
        return 0.5;  // DSPAM computes NaN here, which is never interesting
    }
    const bool have_totals = totals.spam_learned > 0 && totals.innocent_learned > 0;
    double p = 0.4;
    if (have_totals) {
        const double spam_rate = spam / static_cast<double>(pattern_totals.spam);
        p = spam_rate / (spam_rate + innocent / static_cast<double>(pattern_totals.innocent));
    }
    const double spam_learned = static_cast<double>(totals.spam_learned);
    const double innocent_learned = static_cast<double>(totals.innocent_learned);
    if (spam == 0.0) {
        p = k_innocent_only_probability;
        if (have_totals) {
            const double one_spam = 1.0 / spam_learned;
            p = std::min(p, one_spam / (one_spam + innocent / innocent_learned));
        }
    } else if (innocent == 0.0) {
        p = k_spam_only_probability;
        if (have_totals) {
            const double spam_rate = spam / spam_learned;
            p = std::max(p, spam_rate / (spam_rate + 1.0 / innocent_learned));
        }
    }
    if (spam + innocent < static_cast<double>(min_hits)) {
        p = 0.4;
    }
    return std::min(std::max(p, k_prob_min), k_prob_max);
}

std::vector<bool> bnr_noise(std::span<const double> probabilities,
                            std::span<const double> pattern_values) {
    std::vector<bool> noise(probabilities.size(), false);
    const std::size_t n = std::min(probabilities.size(), pattern_values.size());
    for (std::size_t i = 0; i < n; ++i) {
        const double value = pattern_values[i];
        if (std::fabs(0.5 - value) <= k_bnr_exclusion_radius) {
            continue;
        }
        // The window ending at i: positions i-2..i (fewer at the start).
        const std::size_t first = i + 1 >= k_bnr_window ? i + 1 - k_bnr_window : 0;
        for (std::size_t j = first; j <= i; ++j) {
            if (std::fabs(probabilities[j] - value) > k_bnr_inclusion_radius) {
                noise[j] = true;
            }
        }
    }
    return noise;
}

std::vector<Token> bnr_eliminated(const BnrStreams& streams, std::span<const TokenStat> stats,
                                  std::span<const TokenStat> patterns, const Totals& totals,
                                  const ScoringParams& scoring, std::int64_t pattern_min_hits) {
    const Counts pattern_totals = counts_of(patterns, bnr_totals_token());
    // Body occurrences of each token and how many of them are noise.
    std::unordered_map<Token, std::pair<std::size_t, std::size_t>> occurrences;
    auto run = [&](char name, const std::vector<Token>& stream) {
        const std::vector<double> probabilities = probabilities_of(stream, stats, totals, scoring);
        const std::vector<Token> pattern_tokens = patterns_of(name, probabilities);
        std::vector<double> values;
        values.reserve(pattern_tokens.size());
        for (Token pattern : pattern_tokens) {
            values.push_back(bnr_pattern_probability(counts_of(patterns, pattern), pattern_totals,
                                                     totals, pattern_min_hits));
        }
        const std::vector<bool> noise = bnr_noise(probabilities, values);
        for (std::size_t i = 0; i < stream.size(); ++i) {
            auto& [seen, eliminated] = occurrences[stream[i]];
            ++seen;
            eliminated += noise[i] ? 1 : 0;
        }
    };
    run(k_single_stream, streams.single);
    run(k_chained_stream, streams.chained);
    std::vector<Token> dropped;
    for (const auto& [token, count] : occurrences) {
        if (count.second > 0 && count.second == count.first) {
            dropped.push_back(token);
        }
    }
    std::sort(dropped.begin(), dropped.end());
    return dropped;
}

}  // namespace dspamd
