// Bayesian Noise Reduction (DSPAM 3.10's BNR, src/bnr.c and _ds_apply_bnr in
// src/libdspam.c; Zdziarski, "Bayesian Noise Reduction: Contextual Symmetry
// Logic Utilizing Pattern Consistency Analysis", 2005).
//
// The body's tokens are read in message order as two streams, single words
// ('s') and n-grams ('c', DSPAM's chained tokens). Each token's probability
// is rounded up to the next 0.05, and every window of three consecutive
// values names a pattern, "bnr.s|0.05_0.95_1.00_" (the window starts filled
// with 0.00). Patterns are tokens of the store like any other, learned with
// the message, with their own totals token "bnr.t|". A pattern whose value is
// further than 0.25 from 0.5 is interesting; in an interesting window every
// token whose probability is more than 0.33 from the pattern's value is
// noise: its occurrence is eliminated. A token is dropped from the combiner
// when every one of its body occurrences was eliminated (DSPAM decrements a
// frequency and skips the token at 0).
//
// DSPAM's thresholds are kept: patterns are learned once the user has more
// than 1,000 innocent messages (learned + classified) and eliminate only past
// 2,500. A pattern's value is Graham's ratio over the pattern totals with
// DSPAM's one-sided bounds; its minimum hits are DSPAM's effective ones
// (the sedation threshold when sedation raises it, else none).
// Where dspamd differs: eliminations apply to every combiner (DSPAM's
// chi-square and naive loops ignore them), a body token that also occurs in
// a header still counts as eliminated once all its body occurrences are, and
// corpus feeding learns no patterns (only classified messages do).
// Pure.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "classifier/combiner.h"
#include "classifier/mime/message.h"
#include "classifier/tokenizer.h"

namespace dspamd {

struct BnrParams {
    bool enabled = false;  // DSPAM's default (its sample dspam.conf.in leaves "Feature noise" out)
};

constexpr std::size_t k_bnr_window = 3;
constexpr double k_bnr_exclusion_radius = 0.25;  // a pattern is interesting past this
constexpr double k_bnr_inclusion_radius = 0.33;  // a token is noise past this
constexpr std::int64_t k_bnr_learn_innocent = 1000;
constexpr std::int64_t k_bnr_apply_innocent = 2500;

// The body's tokens in message order, split as DSPAM splits them.
struct BnrStreams {
    std::vector<Token> single;
    std::vector<Token> chained;
};
BnrStreams bnr_streams(const ParsedMessage& message, const TokenizerParams& params);

// DSPAM's _bnr_round: up to the next multiple of 0.05.
double bnr_round(double probability);

// The pattern named by one window of (rounded) values.
std::string bnr_pattern_name(char stream, std::span<const double> window);
Token bnr_totals_token();

// Every pattern the streams instantiate, and the totals token: sorted,
// distinct. `stats` are the message's token stats sorted by token (unknown
// tokens with zero counts); token probabilities come from the combiner.
std::vector<Token> bnr_pattern_tokens(const BnrStreams& streams, std::span<const TokenStat> stats,
                                      const Totals& totals, const ScoringParams& scoring);

// A pattern's value from its hits, the pattern totals token's hits and the
// user's totals; 0.5 (never interesting) for a pattern never learned.
double bnr_pattern_probability(const Counts& pattern, const Counts& pattern_totals,
                               const Totals& totals, std::int64_t min_hits);

// Which positions of one stream are noise, given each position's token
// probability and each position's pattern value.
std::vector<bool> bnr_noise(std::span<const double> probabilities,
                            std::span<const double> pattern_values);

// The tokens to drop: every body occurrence is noise. `patterns` holds the
// stats of bnr_pattern_tokens() (sorted). Sorted, distinct.
std::vector<Token> bnr_eliminated(const BnrStreams& streams, std::span<const TokenStat> stats,
                                  std::span<const TokenStat> patterns, const Totals& totals,
                                  const ScoringParams& scoring, std::int64_t pattern_min_hits);

}  // namespace dspamd
