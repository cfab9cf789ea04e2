// Tests of classifier/combiner.cpp, token_probability.cpp and chi_square.cpp:
// DSPAM's token probabilities and its five combiners against values computed
// by hand (the arithmetic is in the comments), the unsaturated score, and the
// edge cases of an empty store or an empty message.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "classifier/chi_square.h"
#include "classifier/combiner.h"

using namespace dspamd;

namespace {

// Ten messages learned in each class unless a test says otherwise.
const Totals k_ten_each{10, 10, 0, 0, 0, 0, 0, 0};

TokenStat stat(Token token, std::int64_t spam, std::int64_t innocent, std::uint32_t frequency = 1) {
    TokenStat s;
    s.token = token;
    s.counts = {spam, innocent};
    s.frequency = frequency;
    return s;
}

ScoringParams with(Algorithm algorithm) {
    ScoringParams p;
    p.algorithm = algorithm;
    p.logistic_rate = 10.0;  // the hand-computed steps below use η = 10
    // ... and a feature of 1 for a token never seen (evidence, which weighs
    // such a token less than a known one: its own tests).
    p.logistic_evidence_weight = 0.0;
    return p;
}

double logit(double p) {
    return std::log(p / (1.0 - p));
}

// DSPAM's chi2Q (src/util.c), for moderate inputs where it does not underflow.
double reference_chi2q(double x2, int v) {
    double m = x2 / 2.0;
    double s = std::exp(-m);
    double t = s;
    for (int i = 1; i < v / 2; ++i) {
        t *= m / i;
        s += t;
    }
    return std::min(s, 1.0);
}

// n tokens of the same counts, tokens numbered from `first`.
std::vector<TokenStat> many(std::size_t n, std::int64_t spam, std::int64_t innocent,
                            Token first = 1000) {
    std::vector<TokenStat> stats;
    for (std::size_t i = 0; i < n; ++i) {
        stats.push_back(stat(first + i, spam, innocent));
    }
    return stats;
}

const Algorithm k_all_algorithms[] = {
    Algorithm::graham, Algorithm::burton, Algorithm::robinson, Algorithm::chi_square,
    Algorithm::naive,  Algorithm::fisher, Algorithm::logistic, Algorithm::fisher_logistic};

}  // namespace

TEST_CASE("the defaults are DSPAM 3.10's") {
    ScoringParams p;
    CHECK(p.min_hits == 5);
    CHECK(p.unknown_probability == 0.4);
    CHECK_FALSE(p.processor_bias);
    CHECK(p.prob_min == 0.0001);
    CHECK(p.prob_max == 0.9999);
    CHECK(p.graham_tokens == 15);
    CHECK(p.burton_tokens == 27);
    CHECK(p.robinson_tokens == 25);
    CHECK(p.robinson_s == 0.01);
    CHECK(p.robinson_x == 0.5);
    CHECK(p.robinson_cutoff == 0.5);
    CHECK(p.chi_s == 0.1);
    CHECK(p.chi_x == 0.5);
    CHECK(p.chi_cutoff == 0.5010);
    CHECK(p.exclusion_radius == 0.45);
    CHECK(p.spam_threshold == 0.9);
}

TEST_CASE("token probability: Graham's p(w) with DSPAM's bounds, min hits and clamps") {
    const ScoringParams p = with(Algorithm::graham);
    // (6/10) / (6/10 + 2/10) = 0.6 / 0.8 = 0.75
    CHECK(token_probability({6, 2}, k_ten_each, p) == doctest::Approx(0.75));
    // 3 + 2 = 5 hits is enough: 0.3 / (0.3 + 0.2) = 0.6
    CHECK(token_probability({3, 2}, k_ten_each, p) == doctest::Approx(0.6));
    // 2 + 2 = 4 < min_hits 5: unknown, 0.4
    CHECK(token_probability({2, 2}, k_ten_each, p) == doctest::Approx(0.4));
    CHECK(token_probability({0, 0}, k_ten_each, p) == doctest::Approx(0.4));

    // Innocent only: (1/10) / (1/10 + 10/10) = 0.0909 > 0.01, so 0.01
    CHECK(token_probability({0, 10}, k_ten_each, p) == doctest::Approx(0.01));
    // (1/100) / (1/100 + 100/10) = 0.01 / 10.01 = 0.000999 < 0.01: kept
    CHECK(token_probability({0, 100}, Totals{100, 10}, p) == doctest::Approx(0.01 / 10.01));
    // (1/1000) / (1/1000 + 1000/1) ≈ 1e-6: clamped to prob_min 0.0001
    CHECK(token_probability({0, 1000}, Totals{1000, 1}, p) == doctest::Approx(0.0001));

    // Spam only: (10/10) / (10/10 + 1/10) = 0.909 < 0.99, so 0.99
    CHECK(token_probability({10, 0}, k_ten_each, p) == doctest::Approx(0.99));
    // (100/100) / (100/100 + 1/100) = 1 / 1.01 = 0.990099 > 0.99: kept
    CHECK(token_probability({100, 0}, Totals{100, 100}, p) == doctest::Approx(1.0 / 1.01));
    // (1000/1) / (1000/1 + 1/1000) ≈ 0.999999: clamped to prob_max 0.9999
    CHECK(token_probability({1000, 0}, Totals{1, 1000}, p) == doctest::Approx(0.9999));

    // Other clamps and min hits are honoured.
    ScoringParams q = p;
    q.prob_min = 0.05;
    q.prob_max = 0.95;
    q.min_hits = 2;
    CHECK(token_probability({0, 10}, k_ten_each, q) == doctest::Approx(0.05));
    CHECK(token_probability({1000, 0}, Totals{1, 1000}, q) == doctest::Approx(0.95));
    CHECK(token_probability({1, 1}, k_ten_each, q) == doctest::Approx(0.5));
}

TEST_CASE("token probability with processor bias: innocent hits count twice") {
    ScoringParams p = with(Algorithm::graham);
    p.processor_bias = true;
    // (6/10) / (6/10 + 2·2/10) = 0.6 / 1.0
    CHECK(token_probability({6, 2}, k_ten_each, p) == doctest::Approx(0.6));
    // 1 + 2·2 = 5 hits reach min_hits: 0.1 / (0.1 + 0.4) = 0.2 (unbiased: 3 hits, 0.4)
    CHECK(token_probability({1, 2}, k_ten_each, p) == doctest::Approx(0.2));
    CHECK(token_probability({1, 2}, k_ten_each, with(Algorithm::graham)) == doctest::Approx(0.4));
    // Spam only, (100/100) / (100/100 + 2/100) = 1/1.02 = 0.980 < 0.99: 0.99
    CHECK(token_probability({100, 0}, Totals{100, 100}, p) == doctest::Approx(0.99));
}

TEST_CASE("token probability with an empty store: DSPAM's one-sided values, never NaN") {
    const ScoringParams p = with(Algorithm::graham);
    const Totals empty;
    CHECK(token_probability({10, 0}, empty, p) == doctest::Approx(0.99));
    CHECK(token_probability({0, 10}, empty, p) == doctest::Approx(0.01));
    CHECK(token_probability({5, 5}, empty, p) == doctest::Approx(0.4));
    CHECK(token_probability({0, 0}, empty, p) == doctest::Approx(0.4));
    // Only one class learned: still no division by zero.
    CHECK(token_probability({5, 5}, Totals{10, 0}, p) == doctest::Approx(0.4));
    CHECK(token_probability({-3, 7}, k_ten_each, p) == doctest::Approx(0.01));
}

TEST_CASE("token probability for chi-square: Robinson's f(w) with s = 0.1, x = 0.5") {
    const ScoringParams p = with(Algorithm::chi_square);
    // p = 0.75, n = 8: (0.1·0.5 + 8·0.75) / (0.1 + 8) = 6.05 / 8.1
    CHECK(token_probability({6, 2}, k_ten_each, p) == doctest::Approx(6.05 / 8.1));
    // unknown, n = 0: x itself
    CHECK(token_probability({0, 0}, k_ten_each, p) == doctest::Approx(0.5));
    // p = 0.4 (below min hits), n = 4: (0.05 + 1.6) / 4.1
    CHECK(token_probability({2, 2}, k_ten_each, p) == doctest::Approx(1.65 / 4.1));
}

TEST_CASE("graham: the product over the 15 most interesting tokens") {
    const ScoringParams p = with(Algorithm::graham);
    // p = 0.99, 0.99, 0.75:
    //   P = 0.99·0.99·0.75 / (0.99·0.99·0.75 + 0.01·0.01·0.25)
    //     = 0.735075 / 0.7351 = 0.99996599
    //   score = 2 ln 99 + ln 3 = 9.19024 + 1.09861 = 10.28885
    const std::vector<TokenStat> stats{stat(1, 10, 0), stat(2, 10, 0), stat(3, 6, 2)};
    Verdict v = combine(stats, k_ten_each, p);
    CHECK(v.probability == doctest::Approx(0.735075 / 0.7351));
    CHECK(v.score == doctest::Approx(2 * std::log(99.0) + std::log(3.0)));
    CHECK(v.result == Class::spam);

    // 0.99, 0.01, 0.75: ln 99 - ln 99 + ln 3 = ln 3, P = 0.75 < 0.9: innocent
    const std::vector<TokenStat> mixed{stat(1, 10, 0), stat(2, 0, 10), stat(3, 6, 2)};
    v = combine(mixed, k_ten_each, p);
    CHECK(v.probability == doctest::Approx(0.75));
    CHECK(v.score == doctest::Approx(std::log(3.0)));
    CHECK(v.result == Class::innocent);
}

TEST_CASE("graham: only 15 tokens count; ties go to the more frequent, then lower token") {
    const ScoringParams p = with(Algorithm::graham);
    // 20 spam tokens (p = 0.99) and one innocent token (p = 0.01), all at
    // |0.5 - p| = 0.49. The innocent token has the highest number: it is
    // left out of the window, so the score is 15 ln 99.
    std::vector<TokenStat> stats = many(20, 10, 0, 100);
    stats.push_back(stat(999, 0, 10));
    Verdict v = combine(stats, k_ten_each, p);
    CHECK(v.score == doctest::Approx(15 * std::log(99.0)));

    // Occurring twice, it wins the tie: 14 ln 99 - ln 99 = 13 ln 99.
    stats.back().frequency = 2;
    v = combine(stats, k_ten_each, p);
    CHECK(v.score == doctest::Approx(13 * std::log(99.0)));
    REQUIRE(!v.factors.empty());
    CHECK(v.factors.front().token == 999);
    CHECK(v.factors.size() == 15);
}

TEST_CASE("burton: 27 tokens, a repeated token counts twice") {
    // One spam token seen twice (p = 0.99) and one innocent token (p = 0.01):
    //   burton: 2 ln 99 - ln 99 = ln 99, P = 0.99 >= 0.9: spam
    //   graham: ln 99 - ln 99 = 0, P = 0.5: innocent
    const std::vector<TokenStat> stats{stat(1, 10, 0, 2), stat(2, 0, 10)};
    Verdict burton = combine(stats, k_ten_each, with(Algorithm::burton));
    CHECK(burton.score == doctest::Approx(std::log(99.0)));
    CHECK(burton.probability == doctest::Approx(0.99));
    CHECK(burton.result == Class::spam);
    Verdict graham = combine(stats, k_ten_each, with(Algorithm::graham));
    CHECK(graham.score == doctest::Approx(0.0));
    CHECK(graham.result == Class::innocent);

    // 30 spam tokens: only 27 count.
    Verdict many_tokens = combine(many(30, 10, 0), k_ten_each, with(Algorithm::burton));
    CHECK(many_tokens.score == doctest::Approx(27 * std::log(99.0)));
}

TEST_CASE("robinson: geometric mean over 25 tokens, f shrunk with n = window size") {
    const ScoringParams p = with(Algorithm::robinson);
    // Two tokens p = 0.99, n = 2: f = (0.01·0.5 + 2·0.99) / 2.01 = 1.985 / 2.01
    //   P = 1 - ((1-f)²)^(1/2) = f,  Q = 1 - (f²)^(1/2) = 1 - f
    //   S = P / (P + Q) = f = 0.987562;  score = ln(f / (1 - f)) = ln(1.985 / 0.025)
    const double f = 1.985 / 2.01;
    const std::vector<TokenStat> stats{stat(1, 10, 0), stat(2, 10, 0)};
    Verdict v = combine(stats, k_ten_each, p);
    CHECK(v.probability == doctest::Approx(f));
    CHECK(v.score == doctest::Approx(std::log(1.985 / 0.025)));
    CHECK(v.result == Class::spam);
    CHECK(v.confidence == doctest::Approx(f));  // DSPAM: S for a spam verdict

    // p = 0.75 and 0.6 (n = 2): f = (0.005 + 1.5)/2.01 = 0.748756 is used,
    // f = (0.005 + 1.2)/2.01 = 0.599502 lies in 0.3..0.7 and is skipped:
    //   S = f1 = 1.505 / 2.01
    const std::vector<TokenStat> banded{stat(1, 6, 2), stat(2, 3, 2)};
    v = combine(banded, k_ten_each, p);
    CHECK(v.probability == doctest::Approx(1.505 / 2.01));
    REQUIRE(v.factors.size() == 1);
    CHECK(v.factors[0].token == 1);

    // P and Q from different tokens: p = 0.99 and p = 0.75 (n = 2):
    //   f1 = 1.985/2.01 = 0.987562, f2 = 1.505/2.01 = 0.748756
    //   P = 1 - sqrt((1-f1)(1-f2)) = 1 - sqrt(0.012438·0.251244) = 1 - 0.055901
    //   Q = 1 - sqrt(f1·f2) = 1 - sqrt(0.739443) = 1 - 0.859909
    //   S = P / (P + Q) = 0.944099 / (0.944099 + 0.140091) = 0.870787
    const double f1 = 1.985 / 2.01;
    const double f2 = 1.505 / 2.01;
    const double big_p = 1 - std::sqrt((1 - f1) * (1 - f2));
    const double big_q = 1 - std::sqrt(f1 * f2);
    v = combine(std::vector<TokenStat>{stat(1, 10, 0), stat(2, 6, 2)}, k_ten_each, p);
    CHECK(v.probability == doctest::Approx(big_p / (big_p + big_q)));
    CHECK(v.probability == doctest::Approx(0.870787).epsilon(1e-6));
    CHECK(v.score == doctest::Approx(std::log(big_p / big_q)));
}

TEST_CASE("robinson: no token outside the neutral band is DSPAM's S = 0, innocent") {
    // Unknown tokens only: p = 0.4, f ≈ 0.4, all skipped.
    Verdict v = combine(many(5, 0, 0), k_ten_each, with(Algorithm::robinson));
    CHECK(v.result == Class::innocent);
    CHECK(v.probability == 0.0);
    CHECK(v.score == 0.0);
    CHECK(v.confidence == 1.0);  // DSPAM: 1 - S
    CHECK(v.factors.empty());
}

TEST_CASE("chi-square: one token gives I = f(w)") {
    // One token, 2 degrees of freedom: Q(x², 2) = e^{-x²/2}, so
    //   H = Q(-2 ln f, 2) = f, S = Q(-2 ln(1-f), 2) = 1 - f,
    //   I = (1 + H - S) / 2 = f.
    // s = 100, i = 0 with 100 learned each: p = 1/1.01, n = 100,
    //   f = (0.05 + 100/1.01) / 100.1 = 0.989609
    const double pw = 1.0 / 1.01;
    const double f = (0.05 + 100 * pw) / 100.1;
    Verdict v = combine(std::vector<TokenStat>{stat(1, 100, 0)}, Totals{100, 100},
                        with(Algorithm::chi_square));
    CHECK(v.probability == doctest::Approx(f));
    CHECK(v.score == doctest::Approx(logit(f)));
    CHECK(v.result == Class::spam);
}

TEST_CASE("chi-square: several tokens against DSPAM's chi2Q") {
    // Three spam tokens f1 = f(6,2), two innocent ones f2 = f(0,10) and one
    // strong spam token: 6 used tokens, 12 degrees of freedom.
    //   H = chi2Q(-2 Σ ln f, 12), S = chi2Q(-2 Σ ln(1-f), 12), I = (1 + H - S)/2
    ScoringParams p = with(Algorithm::chi_square);
    p.exclusion_radius = 0.2;  // let the 0.75-ish tokens in
    const std::vector<TokenStat> stats{stat(1, 6, 2),  stat(2, 6, 2),  stat(3, 6, 2),
                                       stat(4, 0, 10), stat(5, 0, 10), stat(6, 10, 0)};
    double ln_h = 0;
    double ln_s = 0;
    for (const TokenStat& s : stats) {
        const double f = token_probability(s.counts, k_ten_each, p);
        ln_h += std::log(f);
        ln_s += std::log(1 - f);
    }
    const double h = reference_chi2q(-2 * ln_h, 12);
    const double s = reference_chi2q(-2 * ln_s, 12);
    const double i = (1 + h - s) / 2;
    Verdict v = combine(stats, k_ten_each, p);
    CHECK(v.probability == doctest::Approx(i).epsilon(1e-10));
    CHECK(v.score == doctest::Approx(logit(i)).epsilon(1e-9));
    CHECK(v.factors.size() == 6);
    CHECK((v.result == Class::spam) == (i >= 0.501));
}

TEST_CASE("chi-square: the exclusion radius") {
    // s = 12, i = 1: p = 1.2 / 1.3 = 0.923077, n = 13,
    //   f = (0.05 + 12) / 13.1 = 0.919847, |0.5 - f| = 0.4198 < 0.45: excluded.
    // With nothing left DSPAM reports CHI_CUTOFF - 0.1 = 0.401: innocent.
    const std::vector<TokenStat> stats{stat(1, 12, 1)};
    ScoringParams p = with(Algorithm::chi_square);
    Verdict v = combine(stats, k_ten_each, p);
    CHECK(v.probability == doctest::Approx(0.401));
    CHECK(v.score == doctest::Approx(logit(0.401)));
    CHECK(v.result == Class::innocent);
    CHECK(v.factors.empty());

    // A radius of 0.4 lets it in: I = f (one token).
    p.exclusion_radius = 0.4;
    v = combine(stats, k_ten_each, p);
    CHECK(v.probability == doctest::Approx(12.05 / 13.1));
    CHECK(v.result == Class::spam);
}

TEST_CASE("naive: every token, unknown ones at 0.4") {
    // 0.99, 0.75 and two unknown tokens at 0.4:
    //   score = ln 99 + ln 3 + 2 ln(0.4/0.6) = 4.59512 + 1.09861 - 0.81093 = 4.88280
    const std::vector<TokenStat> stats{stat(1, 10, 0), stat(2, 6, 2), stat(3, 0, 0), stat(4, 1, 1)};
    Verdict v = combine(stats, k_ten_each, with(Algorithm::naive));
    const double expected = std::log(99.0) + std::log(3.0) + 2 * std::log(0.4 / 0.6);
    CHECK(v.score == doctest::Approx(expected));
    CHECK(v.probability == doctest::Approx(1 / (1 + std::exp(-expected))));
    CHECK(v.result == Class::spam);
}

TEST_CASE("confidence is Robinson's S over the algorithm's window (DSPAM)") {
    // Graham over two p = 0.99 tokens is spam; Robinson's S over the same
    // window is f = 1.985 / 2.01 (see the robinson case).
    const std::vector<TokenStat> stats{stat(1, 10, 0), stat(2, 10, 0)};
    Verdict v = combine(stats, k_ten_each, with(Algorithm::graham));
    CHECK(v.result == Class::spam);
    CHECK(v.confidence == doctest::Approx(1.985 / 2.01));

    // An innocent verdict: 1 - S. Two p = 0.01 tokens:
    //   f = (0.005 + 0.02) / 2.01, S = f, confidence = 1 - f
    const std::vector<TokenStat> innocent{stat(1, 0, 10), stat(2, 0, 10)};
    v = combine(innocent, k_ten_each, with(Algorithm::chi_square));
    CHECK(v.result == Class::innocent);
    // chi-square's window holds Robinson f(w) values: p = 0.01, n = 10,
    //   fw = (0.05 + 0.1) / 10.1, then shrunk again with n = 2 for S.
    const double fw = 0.15 / 10.1;
    const double f = (0.005 + 2 * fw) / 2.01;
    CHECK(v.confidence == doctest::Approx(1 - f));
}

TEST_CASE("factors: most decisive first, each once, capped at 27") {
    std::vector<TokenStat> stats = many(40, 10, 5);  // 10 / 10.005 = 0.9995
    stats.push_back(stat(1, 1000, 0));               // clamped to 0.9999: the most decisive
    Verdict v = combine(stats, Totals{1, 1000}, with(Algorithm::naive));
    CHECK(v.factors.size() == 27);
    CHECK(v.factors.front().token == 1);
    CHECK(v.factors.front().probability == doctest::Approx(0.9999));
    for (std::size_t i = 1; i < v.factors.size(); ++i) {
        CHECK(std::fabs(0.5 - v.factors[i - 1].probability) >=
              std::fabs(0.5 - v.factors[i].probability));
    }
    // Burton lists a repeated token once.
    v = combine(std::vector<TokenStat>{stat(1, 10, 0, 3)}, k_ten_each, with(Algorithm::burton));
    CHECK(v.factors.size() == 1);
    // A token listed more often than the cap, before 40 others: once, and
    // still 27 distinct factors.
    std::vector<TokenStat> repeated(60, stat(1, 1000, 0));
    const std::vector<TokenStat> others = many(40, 10, 5);
    repeated.insert(repeated.end(), others.begin(), others.end());
    v = combine(repeated, Totals{1, 1000}, with(Algorithm::naive));
    REQUIRE(v.factors.size() == 27);
    CHECK(v.factors.front().token == 1);
    for (std::size_t i = 1; i < v.factors.size(); ++i) {
        CHECK(v.factors[i].token != 1);
        CHECK(v.factors[i].token != v.factors[i - 1].token);
    }
}

TEST_CASE("score does not saturate: probabilities that print as 1.0000 still rank") {
    for (Algorithm algorithm : k_all_algorithms) {
        if (uses_weights(algorithm)) {
            continue;  // counts only here; the weights' case is below
        }
        CAPTURE(algorithm_name(algorithm));
        const ScoringParams p = with(algorithm);
        // With 1 spam and 1000 innocent learned, s = 1000, i = 0 clamps at
        // 0.9999; s = 10, i = 5 gives 10 / (10 + 0.005) = 0.9995. Ten strong
        // tokens against nine strong and one weaker.
        const Totals totals{1, 1000};
        std::vector<TokenStat> strong = many(10, 1000, 0);
        std::vector<TokenStat> weaker = many(9, 1000, 0);
        weaker.push_back(stat(5000, 10, 5));
        Verdict a = combine(strong, totals, p);
        Verdict b = combine(weaker, totals, p);
        CHECK(a.result == Class::spam);
        CHECK(b.result == Class::spam);
        if (algorithm == Algorithm::robinson) {
            // Robinson's S stays below 1 by construction: (10.004/10.01) here.
            CHECK(a.probability > 0.999);
        } else {
            // 10 ln 9999 = 92: 1/(1 + e^-92) is 1.0 in double.
            CHECK(a.probability == 1.0);
            CHECK(b.probability == 1.0);
        }
        CHECK(std::isfinite(a.score));
        CHECK(std::isfinite(b.score));
        CHECK(a.score > b.score);
    }
}

TEST_CASE("chi-square: far beyond double precision, scores still order both ways") {
    const ScoringParams p = with(Algorithm::chi_square);
    const Totals totals{1000, 1000};
    // s = 2000, i = 0: p = 2 / 2.001, f ≈ 0.99945, ln(1 - f) ≈ -7.5. With k
    // such tokens S = Q(15k, 2k) ≈ e^{-7.5k}·(7.5k)^(k-1)/(k-1)!: the score
    // grows by about 4.5 per token and I is 1.0 in double from k = 10 on.
    Verdict spam400 = combine(many(400, 2000, 0), totals, p);
    Verdict spam500 = combine(many(500, 2000, 0), totals, p);
    CHECK(spam400.probability == 1.0);
    CHECK(spam500.probability == 1.0);
    CHECK(spam400.score > 1000.0);
    CHECK(spam500.score > spam400.score + 300.0);
    // Strong innocent tokens: I underflows to 0, the order stays, symmetric.
    Verdict ham400 = combine(many(400, 0, 2000), totals, p);
    Verdict ham500 = combine(many(500, 0, 2000), totals, p);
    CHECK(ham400.result == Class::innocent);
    CHECK(ham500.probability == 0.0);
    CHECK(ham400.score == doctest::Approx(-spam400.score));
    CHECK(ham500.score < ham400.score - 300.0);
    CHECK(std::isfinite(ham500.score));
    // Every count of tokens ranks strictly.
    double previous = 0.0;
    for (std::size_t k = 1; k <= 600; k += 37) {
        const double score = combine(many(k, 2000, 0), totals, p).score;
        CHECK(score > previous);
        previous = score;
    }
}

TEST_CASE("score grows with spam evidence and the class follows it") {
    for (Algorithm algorithm : k_all_algorithms) {
        CAPTURE(algorithm_name(algorithm));
        const ScoringParams p = with(algorithm);
        double previous = -INFINITY;
        // More spam tokens (p = 0.8/0.82), fewer innocent ones (p = 0.02/0.82).
        // 11 tokens: never an exact tie between the two sides.
        for (int spammy = 0; spammy <= 11; ++spammy) {
            std::vector<TokenStat> stats = many(static_cast<std::size_t>(spammy), 40, 1, 100);
            std::vector<TokenStat> hammy = many(static_cast<std::size_t>(11 - spammy), 1, 40, 500);
            stats.insert(stats.end(), hammy.begin(), hammy.end());
            Verdict v = combine(stats, Totals{50, 50}, p);
            CHECK(std::isfinite(v.score));
            CHECK(v.score >= previous);
            previous = v.score;
            // The class agrees with DSPAM's rule on the probability.
            double threshold = p.spam_threshold;
            if (algorithm == Algorithm::robinson) {
                threshold = p.robinson_cutoff;
            } else if (algorithm == Algorithm::chi_square) {
                threshold = p.chi_cutoff;
            } else if (algorithm == Algorithm::fisher || uses_weights(algorithm)) {
                // fisher, logistic: strictly above (a tie is innocent)
                threshold = algorithm == Algorithm::fisher ? p.fisher_cutoff : p.logistic_cutoff;
                CHECK((v.result == Class::spam) == (v.probability > threshold));
                continue;
            }
            CHECK((v.result == Class::spam) == (v.probability >= threshold));
        }
    }
}

TEST_CASE("edge cases: no tokens, unknown tokens, an empty store") {
    for (Algorithm algorithm : k_all_algorithms) {
        CAPTURE(algorithm_name(algorithm));
        const ScoringParams p = with(algorithm);
        // No tokens at all.
        Verdict v = combine(std::vector<TokenStat>{}, Totals{}, p);
        CHECK(v.result == Class::innocent);
        CHECK(std::isfinite(v.probability));
        CHECK(std::isfinite(v.score));
        CHECK(std::isfinite(v.confidence));
        CHECK(v.factors.empty());

        // The very first message: an empty store, every token unknown.
        v = combine(many(50, 0, 0), Totals{}, p);
        CHECK(v.result == Class::innocent);
        CHECK(std::isfinite(v.probability));
        CHECK(std::isfinite(v.score));
        CHECK(v.score <= 0.0);
        CHECK(v.confidence >= 0.0);
        CHECK(v.confidence <= 1.0);

        // Only innocent learned so far, token counts present.
        v = combine(many(20, 0, 8), Totals{0, 3}, p);
        CHECK(v.result == Class::innocent);
        CHECK(std::isfinite(v.score));
    }
    // Chi-square with no evidence: DSPAM's 0.401. Graham with no token: 0.5.
    CHECK(combine(std::vector<TokenStat>{}, Totals{}, with(Algorithm::chi_square)).probability ==
          doctest::Approx(0.401));
    CHECK(combine(std::vector<TokenStat>{}, Totals{}, with(Algorithm::graham)).probability ==
          doctest::Approx(0.5));
}

TEST_CASE("chi-square tails in log space") {
    // Against DSPAM's chi2Q where it is exact enough.
    for (double m : {0.0, 0.5, 3.0, 10.0, 40.0}) {
        for (std::size_t n : {1u, 2u, 5u, 20u}) {
            CAPTURE(m);
            CAPTURE(n);
            const double q = reference_chi2q(2 * m, static_cast<int>(2 * n));
            const Chi2Tails t = chi2_tails(m, n);
            CHECK(std::exp(t.log_upper) == doctest::Approx(q).epsilon(1e-12));
            CHECK(std::exp(t.log_lower) == doctest::Approx(1 - q).epsilon(1e-9));
        }
    }
    // Many degrees of freedom, both sides of the median.
    for (std::size_t n : {250u, 300u, 301u, 350u}) {
        CAPTURE(n);
        const double q = reference_chi2q(600.0, static_cast<int>(2 * n));
        const Chi2Tails t = chi2_tails(300.0, n);
        CHECK(std::exp(t.log_upper) == doctest::Approx(q).epsilon(1e-11));
        CHECK(std::exp(t.log_lower) == doctest::Approx(1 - q).epsilon(1e-9));
    }
    // Lower tail far below epsilon: P(x², 10) for m = 0.001 is
    // e^{-m} Σ_{i>=5} m^i/i! ≈ e^{-0.001} (1e-15/120)(1 + 0.001/6 + ...)
    const Chi2Tails small = chi2_tails(0.001, 5);
    const double expected =
        -0.001 + 5 * std::log(0.001) - std::log(120.0) + std::log1p(0.001 / 6 + 0.001 * 0.001 / 42);
    CHECK(small.log_lower == doctest::Approx(expected).epsilon(1e-12));
    CHECK(small.log_upper == doctest::Approx(0.0).epsilon(1e-12));
    // Upper tail far below epsilon: Q(x², 2) = e^{-m} for m = 2000.
    CHECK(chi2_tails(2000.0, 1).log_upper == doctest::Approx(-2000.0));
    CHECK(chi2_tails(2000.0, 1).log_lower == doctest::Approx(0.0));
    // Many degrees of freedom near the median stays finite and consistent.
    const Chi2Tails mid = chi2_tails(3000.0, 3000);
    CHECK(std::exp(mid.log_upper) + std::exp(mid.log_lower) == doctest::Approx(1.0));
}

TEST_CASE("algorithm names") {
    Algorithm a = Algorithm::graham;
    CHECK(parse_algorithm("chi-square", a));
    CHECK(a == Algorithm::chi_square);
    CHECK(algorithm_name(Algorithm::burton) == "burton");
    CHECK(parse_algorithm("fisher", a));
    CHECK(a == Algorithm::fisher);
    CHECK(algorithm_name(Algorithm::fisher) == "fisher");
    CHECK(parse_algorithm("fisher-logistic", a));
    CHECK(a == Algorithm::fisher_logistic);
    CHECK(algorithm_name(Algorithm::logistic) == "logistic");
    CHECK_FALSE(parse_algorithm("fischer", a));
}

TEST_CASE("fisher: f(w) over every token, unknown ones at x, no cut-offs") {
    ScoringParams p = with(Algorithm::fisher);
    p.fisher_x = 0.45;
    p.fisher_prior_messages = 0.0;  // the plain rates (the prior: its own test)
    // p(w) = (9/10) / (9/10 + 1/10) = 0.9; n = 10; f = (0.1·0.45 + 10·0.9) / 10.1
    CHECK(token_probability({9, 1}, k_ten_each, p) == doctest::Approx(9.045 / 10.1));
    // One hit is evidence too (no minimum): f = (0.045 + 1·1.0) / 1.1
    CHECK(token_probability({1, 0}, k_ten_each, p) == doctest::Approx(1.045 / 1.1));
    CHECK(token_probability({0, 0}, k_ten_each, p) == doctest::Approx(0.45));
    // Nothing learned yet: a class counts as one message, never a division by 0.
    CHECK(token_probability({2, 0}, Totals{}, p) == doctest::Approx((0.045 + 2.0) / 2.1));
}

TEST_CASE("fisher: each class's rate has a prior of a messages at the token's overall rate") {
    ScoringParams p = with(Algorithm::fisher);
    p.fisher_x = 0.45;
    REQUIRE(p.fisher_prior_messages == 1.0);  // the default
    // S = I = 10, a = 1, token 9 spam / 1 innocent: π = 10/20,
    // r_s = 9.5/11, r_i = 1.5/11, p = 9.5/11 = 0.8636...; f = (0.045 + 10p) / 10.1
    CHECK(token_probability({9, 1}, k_ten_each, p) ==
          doctest::Approx((0.045 + 10.0 * 9.5 / 11.0) / 10.1));
    // No innocent message learned: the innocent rate is the token's overall
    // rate, as is the spam rate, so a token seen only in spam is no evidence.
    const Totals spam_only{.spam_learned = 133};
    CHECK(token_probability({133, 0}, spam_only, p) == doctest::Approx((0.045 + 133 * 0.5) / 133.1));
    CHECK(token_probability({7, 0}, spam_only, p) == doctest::Approx((0.045 + 7 * 0.5) / 7.1));
    // A few innocent messages that lack the token: some evidence, less than
    // the plain rates claim (p = 1 there).
    // S = 600, I = 3, token 300 / 0: π = 300/603, r_s = (300 + π)/601 = 1/2,
    // r_i = π/4, p = 0.8008...
    const Totals few_innocent{.spam_learned = 600, .innocent_learned = 3};
    const double pi = 300.0 / 603.0;
    const double p_few = 0.5 / (0.5 + pi / 4.0);
    CHECK(token_probability({300, 0}, few_innocent, p) == doctest::Approx((0.045 + 300 * p_few) / 300.1));
    CHECK(p_few < 0.81);
    // Many of both: the prior fades, and a = 0 is the plain ratio.
    const Totals many{.spam_learned = 5000, .innocent_learned = 5000};
    ScoringParams plain = p;
    plain.fisher_prior_messages = 0.0;
    CHECK(token_probability({40, 10}, many, p) ==
          doctest::Approx(token_probability({40, 10}, many, plain)).epsilon(1e-3));
    CHECK(token_probability({40, 10}, many, plain) == doctest::Approx((0.045 + 50 * 0.8) / 50.1));
    // Nothing learned at all, yet hits (an inconsistent store): no division by 0.
    const double lost = token_probability({2, 0}, Totals{}, p);
    CHECK(lost > 0.0);
    CHECK(lost < 1.0);
}

TEST_CASE("fisher: score is ln Q(-2 ln Πf, 2k) - ln Q(-2 ln Π(1-f), 2k)") {
    // Two tokens: f1 = 9.045/10.1, f2 = 0.45 (unknown). With k = 2,
    // Q(2m, 4) = e^-m (1 + m): m_h = -(ln f1 + ln f2), m_s = -(ln(1-f1) + ln(1-f2)),
    // score = (-m_h + ln(1 + m_h)) - (-m_s + ln(1 + m_s)) = 1.2446456375 (by hand).
    const std::vector<TokenStat> stats{stat(1, 9, 1), stat(2, 0, 0)};
    ScoringParams p = with(Algorithm::fisher);
    p.fisher_x = 0.45;
    p.fisher_prior_messages = 0.0;
    const Verdict v = combine(stats, k_ten_each, p);
    CHECK(v.score == doctest::Approx(1.2446456375441193).epsilon(1e-9));
    CHECK(v.result == Class::spam);
    CHECK(v.probability == doctest::Approx(1.0 / (1.0 + std::exp(-v.score))));
    CHECK(v.factors.size() == 2);
    CHECK(v.factors.front().token == 1);
}

TEST_CASE("fisher: unknown tokens lean innocent and a tie or nothing is innocent") {
    CHECK(combine(many(50, 0, 0), k_ten_each, with(Algorithm::fisher)).result == Class::innocent);
    const Verdict empty = combine({}, k_ten_each, with(Algorithm::fisher));
    CHECK(empty.result == Class::innocent);
    CHECK(empty.score == 0.0);
    ScoringParams neutral = with(Algorithm::fisher);
    neutral.fisher_x = 0.5;
    CHECK(combine(many(3, 0, 0), k_ten_each, neutral).score == doctest::Approx(0.0));
    CHECK(combine(many(3, 0, 0), k_ten_each, neutral).result == Class::innocent);
}

TEST_CASE("fisher: a header line is one vote, the geometric means of its tokens' f and 1 - f") {
    ScoringParams p = with(Algorithm::fisher);
    p.fisher_header_weight = 1.0;
    // Line 1: three spammy tokens that rise and fall together; line 2: one
    // hammy token.
    std::vector<TokenStat> lines{stat(1, 9, 0), stat(2, 8, 0), stat(3, 9, 1), stat(4, 0, 9)};
    for (TokenStat& s : lines) {
        s.header_line = 1;
    }
    lines[3].header_line = 2;
    double ln_f = 0.0;
    double ln_not_f = 0.0;
    for (std::size_t k = 0; k < 3; ++k) {
        const double f = token_probability(lines[k].counts, k_ten_each, p);
        ln_f += std::log(f) / 3.0;
        ln_not_f += std::log1p(-f) / 3.0;
    }
    const double f4 = token_probability(lines[3].counts, k_ten_each, p);
    ln_f += std::log(f4);
    ln_not_f += std::log1p(-f4);
    // Two votes: Q(2m, 4) = e^-m (1 + m), score = ln Q_h - ln Q_s.
    const double m_h = -ln_f;
    const double m_s = -ln_not_f;
    const double expected = (-m_h + std::log1p(m_h)) - (-m_s + std::log1p(m_s));
    CHECK(combine(lines, k_ten_each, p).counts_score == doctest::Approx(expected).epsilon(1e-9));
    // The same four tokens as four lines say more for spam: three votes
    // against one.
    std::vector<TokenStat> apart = lines;
    for (std::size_t k = 0; k < apart.size(); ++k) {
        apart[k].header_line = static_cast<std::uint16_t>(k + 1);
    }
    CHECK(combine(apart, k_ten_each, p).counts_score > combine(lines, k_ten_each, p).counts_score);
    // The order of the tokens does not matter.
    std::vector<TokenStat> shuffled{lines[3], lines[1], lines[0], lines[2]};
    CHECK(combine(shuffled, k_ten_each, p).counts_score ==
          doctest::Approx(combine(lines, k_ten_each, p).counts_score));
}

TEST_CASE("fisher: the headers' tokens are a test of their own, added at fisher_header_weight") {
    // A body of one spammy token among 10 never seen; headers of two hammy ones.
    std::vector<TokenStat> body{stat(1, 9, 0)};
    for (Token t = 2; t < 12; ++t) {
        body.push_back(stat(t, 0, 0));
    }
    // Two header lines of one token each: each line is one vote.
    std::vector<TokenStat> headers{stat(100, 1, 9), stat(101, 0, 5)};
    std::vector<TokenStat> all = body;
    std::uint16_t line = 0;
    for (TokenStat s : headers) {
        s.header_line = ++line;
        all.push_back(s);
    }
    for (Algorithm algorithm : {Algorithm::fisher, Algorithm::fisher_logistic}) {
        CAPTURE(algorithm_name(algorithm));
        for (double weight : {0.0, 0.25, 1.0}) {
            CAPTURE(weight);
            ScoringParams p = with(algorithm);
            p.fisher_header_weight = weight;
            p.fisher_prior_messages = 0.0;
            const double body_score = combine(body, k_ten_each, p).counts_score;
            const double header_score = combine(headers, k_ten_each, p).counts_score;
            const Verdict v = combine(all, k_ten_each, p);
            CHECK(v.counts_score == doctest::Approx(body_score + weight * header_score));
            CHECK(v.factors.size() == all.size());  // the factors are still every token's
        }
    }
    ScoringParams p = with(Algorithm::fisher);
    p.fisher_prior_messages = 0.0;
    CHECK(combine(body, k_ten_each, p).counts_score > 0.0);
    CHECK(combine(headers, k_ten_each, p).counts_score < 0.0);
    // One test over all 13 tokens says something else: the split is real.
    std::vector<TokenStat> unsplit = all;
    for (TokenStat& s : unsplit) {
        s.header_line = 0;
    }
    CHECK(combine(unsplit, k_ten_each, p).counts_score !=
          doctest::Approx(combine(all, k_ten_each, p).counts_score));
    // Headers alone still decide.
    std::vector<TokenStat> only_headers = all;
    only_headers.erase(only_headers.begin(),
                       only_headers.begin() + static_cast<std::ptrdiff_t>(body.size()));
    CHECK(combine(only_headers, k_ten_each, p).result == Class::innocent);
    CHECK(combine(only_headers, k_ten_each, p).counts_score ==
          doctest::Approx(0.25 * combine(headers, k_ten_each, p).counts_score));
}

// --- logistic and fisher_logistic --------------------------------------------

namespace {

TokenStat weighted(Token token, std::int64_t spam, std::int64_t innocent, double weight) {
    TokenStat s = stat(token, spam, innocent);
    s.counts.weight = static_cast<std::int64_t>(weight * k_weight_unit);
    return s;
}

}  // namespace

TEST_CASE("dspamd's default learner is fisher-logistic, η = 5, ham cost 4, λ = 0.3") {
    const ScoringParams p;
    CHECK(p.algorithm == Algorithm::fisher_logistic);
    CHECK(p.logistic_rate == 5.0);
    CHECK(p.logistic_ham_cost == 4.0);
    CHECK(p.logistic_rarity_power == 0.25);
    CHECK(p.logistic_evidence_weight == 0.1);
    CHECK(p.fisher_weight == 0.3);
    CHECK(p.logistic_cutoff == 0.5);
    CHECK(uses_weights(Algorithm::logistic));
    CHECK(uses_weights(Algorithm::fisher_logistic));
    CHECK_FALSE(uses_weights(Algorithm::fisher));
}

TEST_CASE("logistic: score Σ w/√n, steps from p = σ(score), factors by weight") {
    // Four tokens, weights 2, 1, -1 and 0: score (2 + 1 - 1 + 0)/2 = 1.
    const std::vector<TokenStat> stats{weighted(1, 0, 0, 2.0), weighted(2, 9, 0, 1.0),
                                       weighted(3, 0, 9, -1.0), weighted(4, 0, 0, 0.0)};
    ScoringParams plain = with(Algorithm::logistic);
    plain.logistic_rarity_power = 0.0;  // every feature 1/√n (rarity: its own test)
    const Verdict v = combine(stats, k_ten_each, plain);
    CHECK(v.score == doctest::Approx(1.0));
    CHECK(v.counts_score == v.score);
    CHECK(v.result == Class::spam);
    CHECK(v.probability == doctest::Approx(1.0 / (1.0 + std::exp(-1.0))));
    REQUIRE(v.logistic_steps.has_value());
    CHECK(*v.logistic_steps == logistic_steps(1.0, 4, 10.0, 4.0));
    // p = σ(1) = 0.7311: spam step 10·0.2689/2 = 1.3447, innocent 4 × -3.6553
    // (the ham cost).
    CHECK(weight_value(v.logistic_steps->spam) == doctest::Approx(1.3447071).epsilon(1e-6));
    CHECK(weight_value(v.logistic_steps->innocent) == doctest::Approx(-14.6211716).epsilon(1e-6));
    CHECK(logistic_steps(1.0, 4, 10.0, 1.0).innocent * 4 ==
          doctest::Approx(static_cast<double>(v.logistic_steps->innocent)).epsilon(1e-9));
    REQUIRE(!v.factors.empty());
    CHECK(v.factors.front().token == 1);  // σ(2) is the most decisive vote
    // Counts do not matter to it.
    std::vector<TokenStat> no_counts = stats;
    for (TokenStat& s : no_counts) {
        s.counts.spam = s.counts.innocent = 0;
    }
    CHECK(combine(no_counts, k_ten_each, plain).score == v.score);
}

TEST_CASE("logistic: a token's feature falls with the share of messages that have it") {
    const double power = 0.25;
    // S = I = 10. Never seen: share = (0.5/11 + 0.5/11)/2, the rarest; r = 1.
    CHECK(rarity({0, 0}, k_ten_each, power) == 1.0);
    // In every message of both classes: share = 10.5/11, r = (ln(10.5/11) / ln(0.5/11))^1/4.
    const double everywhere = std::pow(std::log(10.5 / 11.0) / std::log(0.5 / 11.0), power);
    CHECK(rarity({10, 10}, k_ten_each, power) == doctest::Approx(everywhere));
    CHECK(everywhere < 0.45);
    // In every spam and no ham: share (10.5/11 + 0.5/11)/2 = 1/2, common but not everywhere.
    CHECK(rarity({10, 0}, k_ten_each, power) ==
          doctest::Approx(std::pow(std::log(0.5) / std::log(0.5 / 11.0), power)));
    // Each class's share weighs alike: 3 of 1,000 spam is rarer than 3 of 10 ham.
    const Totals lopsided{.spam_learned = 1000, .innocent_learned = 10};
    CHECK(rarity({3, 0}, lopsided, power) > rarity({0, 3}, lopsided, power));
    // More messages, rarer: the feature never grows with the hits.
    for (std::int64_t hits = 1; hits <= 10; ++hits) {
        CHECK(rarity({hits, hits}, k_ten_each, power) <= rarity({hits - 1, hits - 1}, k_ten_each, power));
    }
    // Power 0: every feature 1. An inconsistent store (hits beyond the
    // messages) reads as a token in every message, not as a crash.
    CHECK(rarity({10, 10}, k_ten_each, 0.0) == 1.0);
    CHECK(rarity({500, 500}, k_ten_each, power) == 0.0);
    CHECK(rarity({3, 0}, Totals{}, power) == 0.0);
    CHECK(rarity({0, 0}, Totals{}, power) == 1.0);
}

TEST_CASE("logistic: a token's evidence is the log ratio of its hits, one added to each") {
    // Never seen, or seen alike in both classes: no evidence.
    CHECK(evidence({0, 0}) == 0.0);
    CHECK(evidence({5, 5}) == 0.0);
    // One-sided: grows with the hits, so a single hit is not yet much.
    CHECK(evidence({1, 0}) == doctest::Approx(std::log(2.0)));
    CHECK(evidence({10, 0}) == doctest::Approx(std::log(11.0)));
    CHECK(evidence({3, 0}) < evidence({6, 0}));
    // Either side alike; hits on the other side weaken it.
    CHECK(evidence({0, 10}) == evidence({10, 0}));
    CHECK(evidence({6, 3}) < evidence({6, 1}));
    CHECK(evidence({6, 1}) < evidence({6, 0}));
    // Bounded, and an inconsistent store is no crash.
    CHECK(evidence({std::int64_t{1} << 40, 0}) == k_max_evidence);
    CHECK(evidence({-3, 50}) == evidence({0, 50}));
}

TEST_CASE("logistic: the feature value is rarity times the evidence factor, at most 1") {
    // Both off: every feature 1.
    CHECK(feature_value({10, 0}, k_ten_each, {}) == 1.0);
    // Evidence alone: a token never seen has 1/(1 + 16β), one with e has (1 + βe)/(1 + 16β).
    const FeatureParams evidence_only{0.0, 0.1};
    CHECK(feature_value({0, 0}, k_ten_each, evidence_only) == doctest::Approx(1.0 / 2.6));
    CHECK(feature_value({10, 0}, k_ten_each, evidence_only) ==
          doctest::Approx((1.0 + 0.1 * std::log(11.0)) / 2.6));
    // Both: the product.
    const FeatureParams both{0.25, 0.1};
    CHECK(feature_value({10, 0}, k_ten_each, both) ==
          doctest::Approx(rarity({10, 0}, k_ten_each, 0.25) * (1.0 + 0.1 * std::log(11.0)) / 2.6));
    for (const FeatureParams& f : {evidence_only, both, FeatureParams{4.0, 100.0}}) {
        for (const Counts& c : {Counts{0, 0}, Counts{10, 0}, Counts{0, 10}, Counts{5, 5}}) {
            CHECK(feature_value(c, k_ten_each, f) <= 1.0);
            CHECK(feature_value(c, k_ten_each, f) >= 0.0);
        }
    }
}

TEST_CASE("logistic with evidence: tokens the counts tell apart weigh more in the score") {
    // Two body tokens of weight 1: one never seen, one in every spam and no
    // ham. Without evidence they weigh alike; with it the known one more.
    const std::vector<TokenStat> stats{weighted(1, 0, 0, -1.0), weighted(2, 10, 0, 1.0)};
    ScoringParams p = with(Algorithm::logistic);
    p.logistic_rarity_power = 0.0;
    CHECK(combine(stats, k_ten_each, p).score == doctest::Approx(0.0));
    p.logistic_evidence_weight = 0.1;
    const double v1 = 1.0 / 2.6;
    const double v2 = (1.0 + 0.1 * std::log(11.0)) / 2.6;
    const Verdict v = combine(stats, k_ten_each, p);
    CHECK(v.score == doctest::Approx((v2 - v1) / std::sqrt(v1 * v1 + v2 * v2)));
    CHECK(v.result == Class::spam);
    FeatureNorms norms;
    logistic_score(stats, k_ten_each, p.logistic_features(), &norms);
    CHECK(*v.logistic_steps == logistic_steps(v.score, norms.body, norms.headers, 10.0, 4.0));
}

TEST_CASE("logistic with rarity: score Σ w·r/√(Σr²) per group, steps from the groups' norms") {
    // A rare token of weight 2 and a common one of weight 1 in the body; one
    // header token of weight -1 seen in 5 of each class.
    std::vector<TokenStat> stats{weighted(1, 0, 0, 2.0), weighted(2, 10, 10, 1.0),
                                 weighted(3, 5, 5, -1.0)};
    stats[2].header_line = 1;
    const ScoringParams p = with(Algorithm::logistic);
    REQUIRE(p.logistic_rarity_power == 0.25);  // the default
    const double r1 = rarity(stats[0].counts, k_ten_each, 0.25);
    const double r2 = rarity(stats[1].counts, k_ten_each, 0.25);
    const double r3 = rarity(stats[2].counts, k_ten_each, 0.25);
    CHECK(r1 == 1.0);
    const double body_norm = r1 * r1 + r2 * r2;
    const double expected = (2.0 * r1 + 1.0 * r2) / std::sqrt(body_norm) + (-1.0 * r3) / r3;
    const Verdict v = combine(stats, k_ten_each, p);
    CHECK(v.score == doctest::Approx(expected));
    CHECK(logistic_score(stats, k_ten_each, {0.25, 0.0}) == doctest::Approx(expected));
    FeatureNorms norms;
    CHECK(logistic_score(stats, k_ten_each, {0.25, 0.0}, &norms) == doctest::Approx(expected));
    CHECK(norms.body == doctest::Approx(body_norm));
    CHECK(norms.headers == doctest::Approx(r3 * r3));
    REQUIRE(v.logistic_steps.has_value());
    CHECK(*v.logistic_steps == logistic_steps(v.score, norms.body, norms.headers, 10.0, 4.0));
    // Power 0 is the plain Σ w/√n of each group.
    CHECK(logistic_score(stats, k_ten_each, {}) == doctest::Approx(3.0 / std::sqrt(2.0) - 1.0));
    FeatureNorms plain_norms;
    logistic_score(stats, k_ten_each, {}, &plain_norms);
    CHECK(plain_norms.body == 2.0);
    CHECK(plain_norms.headers == 1.0);
}

TEST_CASE("logistic: nothing learned, a tie, or no token is innocent with score 0") {
    const Verdict fresh = combine(many(20, 0, 0), k_ten_each, with(Algorithm::logistic));
    CHECK(fresh.score == 0.0);
    CHECK(fresh.result == Class::innocent);
    // p = 1/2: the steps are ±η/(2√n) = ±10/(2·√20).
    CHECK(weight_value(fresh.logistic_steps->spam) == doctest::Approx(5.0 / std::sqrt(20.0)));
    const Verdict empty = combine({}, k_ten_each, with(Algorithm::fisher_logistic));
    CHECK(empty.score == 0.0);
    CHECK(empty.result == Class::innocent);
    CHECK(*empty.logistic_steps == LogisticSteps{});
}

TEST_CASE("fisher-logistic: logistic's score + λ × fisher's; TONE reads fisher's") {
    const std::vector<TokenStat> stats{weighted(1, 9, 1, -0.5), weighted(2, 0, 0, -0.3)};
    ScoringParams p = with(Algorithm::fisher_logistic);
    p.fisher_weight = 0.1;
    const double fisher_score = combine(stats, k_ten_each, with(Algorithm::fisher)).score;
    const double lr = logistic_score(stats);
    CHECK(lr == doctest::Approx((-0.5 - 0.3) / std::sqrt(2.0)));
    const Verdict v = combine(stats, k_ten_each, p);
    CHECK(v.score == doctest::Approx(lr + 0.1 * fisher_score));
    CHECK(v.counts_score == doctest::Approx(fisher_score));
    // Steps come from the weights alone, not the sum.
    CHECK(*v.logistic_steps == logistic_steps(lr, 2, 10.0, p.logistic_ham_cost));
    CHECK(v.probability == doctest::Approx(1.0 / (1.0 + std::exp(-v.score))));
    // fisher (1.24) says spam; λ = 0.1 leaves logistic's -0.57 in charge, λ = 1 does not.
    CHECK(v.result == Class::innocent);
    p.fisher_weight = 1.0;
    CHECK(combine(stats, k_ten_each, p).result == Class::spam);
    p.logistic_rate = 5.0;
    CHECK(*combine(stats, k_ten_each, p).logistic_steps ==
          logistic_steps(lr, 2, 5.0, p.logistic_ham_cost));
    // The factors are fisher's.
    CHECK(v.factors.size() == 2);
    CHECK(v.factors.front().token == 1);
    // The count-only algorithms leave the weights alone.
    CHECK_FALSE(combine(stats, k_ten_each, with(Algorithm::fisher)).logistic_steps.has_value());
}

TEST_CASE("logistic: while spam outnumbers ham, the verdict takes back the stream's lean") {
    // S = 450 spam seen (10 learned, 440 classified), I = 10:
    // lean = 0.5 · ln((450 + 50)/(10 + 50)).
    const Totals spam_heavy{.spam_learned = 10, .innocent_learned = 10, .spam_classified = 440};
    const double lean = 0.5 * std::log(500.0 / 60.0);
    CHECK(spam_lean(spam_heavy, 0.5, 50.0) == doctest::Approx(lean));
    CHECK(spam_lean(spam_heavy, 1.0, 50.0) == doctest::Approx(2.0 * lean));
    // Corpus feeding teaches the weights nothing, so fed spam lean nothing.
    CHECK(spam_lean({.spam_learned = 1010, .innocent_learned = 10, .spam_corpusfed = 1000}, 0.5,
                    50.0) == 0.0);
    CHECK(spam_lean({.spam_learned = 1010, .innocent_learned = 10, .innocent_corpusfed = 5}, 0.5,
                    50.0) == doctest::Approx(0.5 * std::log(1060.0 / 55.0)));
    // A tie or more ham: nothing, however many messages.
    CHECK(spam_lean(k_ten_each, 0.5, 50.0) == 0.0);
    CHECK(spam_lean({.spam_learned = 10, .innocent_classified = 1000}, 0.5, 50.0) == 0.0);
    // Share 0 turns it off; no prior and no ham at all stays finite (ln S).
    CHECK(spam_lean(spam_heavy, 0.0, 50.0) == 0.0);
    CHECK(spam_lean({.spam_learned = 100}, 1.0, 0.0) == doctest::Approx(std::log(100.0)));
    // The prior: the first few spam lean little.
    CHECK(spam_lean({.spam_learned = 3}, 0.5, 50.0) < 0.03);

    // In the verdict: the score is the weights' less the lean, for both
    // weighted algorithms; the steps stay the weights' own, so learning and
    // retraining do not depend on it.
    const std::vector<TokenStat> stats{weighted(1, 0, 0, 2.0), weighted(2, 9, 0, 1.0),
                                       weighted(3, 0, 9, -1.0), weighted(4, 0, 0, 0.0)};
    for (const Algorithm algorithm : {Algorithm::logistic, Algorithm::fisher_logistic}) {
        CAPTURE(algorithm_name(algorithm));
        const ScoringParams p = with(algorithm);
        REQUIRE(p.logistic_balance == 0.5);  // the defaults
        REQUIRE(p.logistic_balance_messages == 50.0);
        ScoringParams off = p;
        off.logistic_balance = 0.0;
        const Verdict balanced = combine(stats, spam_heavy, off);
        const Verdict leaning = combine(stats, spam_heavy, p);
        CHECK(leaning.score == doctest::Approx(balanced.score - lean));
        CHECK(*leaning.logistic_steps == *balanced.logistic_steps);
        CHECK(combine(stats, k_ten_each, p).score == combine(stats, k_ten_each, off).score);
    }
    // logistic alone scores 1 on these weights: spam when balanced, innocent
    // after 450 spam and 10 ham (1 - 1.06).
    ScoringParams plain = with(Algorithm::logistic);
    plain.logistic_rarity_power = 0.0;
    CHECK(combine(stats, k_ten_each, plain).result == Class::spam);
    CHECK(combine(stats, spam_heavy, plain).result == Class::innocent);
}

TEST_CASE("logistic: score does not saturate where the probability is 1.0") {
    // Ten weights of 20 against nine and one of 19.9: scores 63.25 and 63.22,
    // σ of both is 1.0 in double.
    std::vector<TokenStat> strong;
    std::vector<TokenStat> weaker;
    for (Token t = 1; t <= 10; ++t) {
        strong.push_back(weighted(t, 0, 0, 20.0));
        weaker.push_back(weighted(t, 0, 0, t == 10 ? 19.9 : 20.0));
    }
    for (Algorithm algorithm : {Algorithm::logistic, Algorithm::fisher_logistic}) {
        CAPTURE(algorithm_name(algorithm));
        const Verdict a = combine(strong, k_ten_each, with(algorithm));
        const Verdict b = combine(weaker, k_ten_each, with(algorithm));
        CHECK(a.probability == 1.0);
        CHECK(b.probability == 1.0);
        CHECK(a.result == Class::spam);
        CHECK(a.score > b.score);
        // Right and sure: the spam step has rounded to nothing, the innocent
        // one is whole, times the ham cost.
        CHECK(a.logistic_steps->spam == 0);
        CHECK(weight_value(a.logistic_steps->innocent) ==
              doctest::Approx(-4.0 * 10.0 / std::sqrt(10.0)));
    }
}

TEST_CASE("logistic margin: no step towards the weights' own side once they are that sure") {
    // Four tokens of weight 10: Σw/√n = 20, far past the margin.
    std::vector<TokenStat> sure;
    std::vector<TokenStat> unsure;
    for (Token t = 1; t <= 4; ++t) {
        sure.push_back(weighted(t, 0, 0, 10.0));
        unsure.push_back(weighted(t, 0, 0, t == 1 ? 1.0 : 0.0));  // Σw/√n = 0.5
    }
    ScoringParams p = with(Algorithm::logistic);
    p.logistic_margin = 4.0;
    const Verdict a = combine(sure, k_ten_each, p);
    CHECK(a.logistic_steps->spam == 0);
    CHECK(*a.logistic_steps == LogisticSteps{0, logistic_steps(20.0, 4, 10.0, 4.0).innocent});
    CHECK(a.logistic_steps->innocent < 0);  // an error still learns, whole
    // Below the margin both steps are taken.
    const Verdict b = combine(unsure, k_ten_each, p);
    CHECK(*b.logistic_steps == logistic_steps(0.5, 4, 10.0, 4.0));
    CHECK(b.logistic_steps->spam > 0);
    // The innocent side the same way.
    for (TokenStat& s : sure) {
        s.counts.weight = -s.counts.weight;
    }
    const Verdict c = combine(sure, k_ten_each, p);
    CHECK(c.logistic_steps->innocent == 0);
    CHECK(c.logistic_steps->spam > 0);
    // Margin 0: always both.
    p.logistic_margin = 0.0;
    CHECK(*combine(sure, k_ten_each, p).logistic_steps == logistic_steps(-20.0, 4, 10.0, 4.0));
}

TEST_CASE("logistic over headers and body: each group its own steps, the margin on both") {
    // Body: two tokens of weight 10; headers: one of weight 10. Σ = 20/√2 + 10.
    std::vector<TokenStat> stats{weighted(1, 0, 0, 10.0), weighted(2, 0, 0, 10.0),
                                 weighted(3, 0, 0, 10.0)};
    stats[2].header_line = 1;
    ScoringParams p = with(Algorithm::logistic);
    const Verdict sure = combine(stats, k_ten_each, p);
    CHECK(sure.score == doctest::Approx(20.0 / std::sqrt(2.0) + 10.0));
    CHECK(sure.logistic_steps->spam == 0);
    CHECK(sure.logistic_steps->header_spam == 0);
    CHECK(sure.logistic_steps->innocent == logistic_steps(sure.score, 2, 10.0, 4.0).innocent);
    CHECK(sure.logistic_steps->header_innocent ==
          logistic_steps(sure.score, 1, 10.0, 4.0).innocent);
    p.logistic_margin = 0.0;
    CHECK(*combine(stats, k_ten_each, p).logistic_steps ==
          logistic_steps(sure.score, 2, 1, 10.0, 4.0));
}
