// Tests of classifier/bnr.cpp: DSPAM's rounding and pattern names, pattern
// values, and eliminations on hand-built streams.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "classifier/bnr.h"
#include "classifier/hash.h"
#include "feature_store.h"

using namespace dspamd;
using dspamd::test::stat_of;

TEST_CASE("values round up to the next 0.05 after truncation to hundredths, as DSPAM's") {
    CHECK(bnr_round(0.0) == doctest::Approx(0.0));
    CHECK(bnr_round(0.01) == doctest::Approx(0.05));
    CHECK(bnr_round(0.05) == doctest::Approx(0.05));
    CHECK(bnr_round(0.459) == doctest::Approx(0.45));  // (int)(45.9) = 45
    CHECK(bnr_round(0.46) == doctest::Approx(0.50));
    CHECK(bnr_round(0.9999) == doctest::Approx(1.0));
}

TEST_CASE("pattern names are DSPAM's") {
    const std::vector<double> window{0.0, 0.4, 1.0};
    CHECK(bnr_pattern_name('s', window) == "bnr.s|0.00_0.40_1.00_");
    CHECK(bnr_totals_token() == token_hash("bnr.t|"));
}

TEST_CASE("a pattern never learned is never interesting") {
    Totals totals;
    totals.spam_learned = 100;
    totals.innocent_learned = 100;
    CHECK(bnr_pattern_probability(Counts{}, Counts{50, 50}, totals, 0) == 0.5);
    // Seen in spam only: at least DSPAM's 0.99.
    CHECK(bnr_pattern_probability(Counts{10, 0}, Counts{50, 50}, totals, 0) >= 0.99);
    // Seen as often in each class, relative to the pattern totals: 0.5.
    CHECK(bnr_pattern_probability(Counts{5, 10}, Counts{50, 100}, totals, 0) ==
          doctest::Approx(0.5));
    // Fewer hits than the (sedated) minimum: DSPAM's unknown 0.4.
    CHECK(bnr_pattern_probability(Counts{10, 0}, Counts{50, 50}, totals, 25) ==
          doctest::Approx(0.4));
}

TEST_CASE("in an interesting window, tokens far from the pattern are noise") {
    // Three spammy tokens and one innocent word in the middle of them.
    const std::vector<double> probabilities{0.95, 0.97, 0.10, 0.96};
    // The pattern ending at position 2 (0.95, 0.97, 0.10) was learned as spam.
    const std::vector<double> patterns{0.5, 0.6, 0.99, 0.5};
    const std::vector<bool> noise = bnr_noise(probabilities, patterns);
    CHECK(noise == std::vector<bool>{false, false, true, false});

    // A neutral pattern (|0.5 - p| <= 0.25) eliminates nothing.
    const std::vector<double> dull{0.5, 0.6, 0.74, 0.5};
    CHECK(bnr_noise(probabilities, dull) == std::vector<bool>(4, false));

    // The window is shorter at the start of a stream.
    const std::vector<double> first_only{0.99, 0.5, 0.5, 0.5};
    CHECK(bnr_noise(probabilities, first_only) == std::vector<bool>(4, false));
    const std::vector<double> first_innocent{0.01, 0.5, 0.5, 0.5};
    CHECK(bnr_noise(probabilities, first_innocent) == std::vector<bool>{true, false, false, false});
}

TEST_CASE("a token is dropped only when all its body occurrences are noise") {
    ScoringParams scoring;  // fisher
    Totals totals;
    totals.spam_learned = 200;
    totals.innocent_learned = 200;
    const Token spammy = 1;
    const Token innocent = 2;
    // Stream: spammy spammy innocent, then innocent again alone later.
    BnrStreams streams;
    streams.single = {spammy, spammy, innocent};
    std::vector<TokenStat> stats{stat_of(spammy, 100, 0), stat_of(innocent, 0, 100)};

    // Which patterns does it instantiate? Learn the one with the innocent
    // token at its end as spam, heavily.
    const std::vector<Token> patterns = bnr_pattern_tokens(streams, stats, totals, scoring);
    REQUIRE(patterns.size() == 4);  // three windows and the totals token
    const double p_spam = token_probability(Counts{100, 0}, totals, scoring);
    const double p_innocent = token_probability(Counts{0, 100}, totals, scoring);
    const std::vector<double> last_window{bnr_round(p_spam), bnr_round(p_spam),
                                          bnr_round(p_innocent)};
    const Token last = token_hash(bnr_pattern_name('s', last_window));
    std::vector<TokenStat> pattern_stats;
    for (Token t : patterns) {
        if (t == last) {
            pattern_stats.push_back(stat_of(t, 40, 0));
        } else if (t == bnr_totals_token()) {
            pattern_stats.push_back(stat_of(t, 100, 100));
        } else {
            pattern_stats.push_back(stat_of(t, 0, 0));
        }
    }
    std::sort(pattern_stats.begin(), pattern_stats.end(),
              [](const TokenStat& a, const TokenStat& b) { return a.token < b.token; });
    CHECK(bnr_eliminated(streams, stats, pattern_stats, totals, scoring, 0) ==
          std::vector<Token>{innocent});

    // The innocent token occurs again where no pattern is interesting: kept.
    streams.single.push_back(innocent);
    CHECK(bnr_eliminated(streams, stats, pattern_stats, totals, scoring, 0).empty());
}

TEST_CASE("the streams split body words from n-grams, in message order") {
    ParsedMessage message;
    message.headers = {{"Subject", "ignored here"}};
    message.texts = {{"text/plain", "cheap pills now"}};
    TokenizerParams params;  // chain
    const BnrStreams streams = bnr_streams(message, params);
    CHECK(streams.single ==
          std::vector<Token>{token_hash("cheap"), token_hash("pills"), token_hash("now")});
    CHECK(streams.chained ==
          std::vector<Token>{token_hash("cheap+pills"), token_hash("pills+now")});
}
