// Tests of engine/metrics.cpp against hand-computed runs: confusion counts,
// rates, and the ROC area with ties, constant scores, perfect and inverted
// rankings, and runs missing a class.
#include "engine/metrics.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

namespace dspamd {
namespace {

Judgement spam(double score, bool verdict_spam = true) {
    return {true, verdict_spam, score};
}
Judgement ham(double score, bool verdict_spam = false) {
    return {false, verdict_spam, score};
}

}  // namespace

TEST_CASE("confusion counts, rates and accuracy") {
    std::vector<Judgement> run = {
        spam(0.9), spam(0.8), spam(0.7), spam(0.2, false),                  // 3 caught, 1 missed
        ham(0.1),  ham(0.3),  ham(0.4),  ham(0.5),         ham(0.6, true),  // 1 false positive
    };
    Metrics m = evaluate(run);
    CHECK(m.confusion.spam_as_spam == 3);
    CHECK(m.confusion.spam_as_ham == 1);
    CHECK(m.confusion.ham_as_ham == 4);
    CHECK(m.confusion.ham_as_spam == 1);
    CHECK(m.confusion.spam() == 4);
    CHECK(m.confusion.ham() == 5);
    CHECK(m.confusion.total() == 9);
    CHECK(m.fpr == doctest::Approx(1.0 / 5.0));
    CHECK(m.fnr == doctest::Approx(1.0 / 4.0));
    CHECK(m.accuracy == doctest::Approx(7.0 / 9.0));
    // Pairs (4 spam x 5 ham = 20): only spam 0.2 is below hams 0.3 0.4 0.5 0.6.
    CHECK(m.auc_defined);
    CHECK(m.auc == doctest::Approx(16.0 / 20.0));
    CHECK(m.one_minus_roca == doctest::Approx(100.0 * 4.0 / 20.0));
}

TEST_CASE("ties count one half") {
    // Scores: spam {1, 2, 2}, ham {0, 2, 3}.
    // spam 1: above ham 0, below 2 and 3          -> wrong 2
    // spam 2: above 0, tie with 2, below 3 (x2)   -> wrong 1.5 each
    // wrong = 2 + 3 = 5 of 9 pairs.
    std::vector<Judgement> run = {spam(1), spam(2), spam(2), ham(0), ham(2), ham(3)};
    Metrics m = evaluate(run);
    CHECK(m.auc == doctest::Approx(4.0 / 9.0));
    CHECK(m.one_minus_roca == doctest::Approx(100.0 * 5.0 / 9.0));
}

TEST_CASE("the order of the run does not matter") {
    std::vector<Judgement> a = {spam(1), ham(2), spam(2), ham(0), spam(2), ham(3)};
    std::vector<Judgement> b = {ham(3), spam(2), ham(0), spam(2), ham(2), spam(1)};
    CHECK(evaluate(a).one_minus_roca == evaluate(b).one_minus_roca);
    CHECK(evaluate(a).auc == doctest::Approx(4.0 / 9.0));
}

TEST_CASE("all scores equal: AUC one half") {
    std::vector<Judgement> run = {spam(0.5), spam(0.5), ham(0.5), ham(0.5), ham(0.5)};
    Metrics m = evaluate(run);
    CHECK(m.auc == 0.5);
    CHECK(m.one_minus_roca == 50.0);
}

TEST_CASE("perfect separation: (1-ROCA)% is 0") {
    std::vector<Judgement> run = {ham(-3), ham(-1), ham(0.2), spam(0.3), spam(40)};
    Metrics m = evaluate(run);
    CHECK(m.auc == 1.0);
    CHECK(m.one_minus_roca == 0.0);
}

TEST_CASE("inverted ranking: (1-ROCA)% is 100") {
    std::vector<Judgement> run = {spam(-3, false), spam(-1, false), ham(0.2, true), ham(9, true)};
    Metrics m = evaluate(run);
    CHECK(m.auc == 0.0);
    CHECK(m.one_minus_roca == 100.0);
    CHECK(m.fpr == 1.0);
    CHECK(m.fnr == 1.0);
    CHECK(m.accuracy == 0.0);
}

TEST_CASE("infinite scores rank at the ends") {
    double inf = std::numeric_limits<double>::infinity();
    std::vector<Judgement> run = {ham(-inf), spam(inf), ham(1e300), spam(inf)};
    Metrics m = evaluate(run);
    CHECK(m.one_minus_roca == 0.0);
}

TEST_CASE("a small error is not lost to rounding") {
    // 1000 spam x 1000 ham; one spam ties with one ham: 0.5 of 10^6 pairs.
    std::vector<Judgement> run;
    for (int i = 0; i < 1000; ++i) {
        run.push_back(spam(1000.0 + i));
        run.push_back(ham(-1000.0 - i));
    }
    run[0].score = -1000.0;  // spam 1000 now ties with ham -1000
    Metrics m = evaluate(run);
    CHECK(m.one_minus_roca == doctest::Approx(100.0 * 0.5 / 1e6).epsilon(1e-12));
}

TEST_CASE("a run missing a class reports no error and says the area is undefined") {
    SUBCASE("ham only") {
        Metrics m = evaluate(std::vector<Judgement>{ham(0.1), ham(0.9, true)});
        CHECK_FALSE(m.auc_defined);
        CHECK(m.auc == 1.0);
        CHECK(m.one_minus_roca == 0.0);
        CHECK(m.fpr == 0.5);
        CHECK(m.fnr == 0.0);  // no spam: none could be missed
        CHECK(m.accuracy == 0.5);
    }
    SUBCASE("spam only") {
        Metrics m = evaluate(std::vector<Judgement>{spam(0.1, false)});
        CHECK_FALSE(m.auc_defined);
        CHECK(m.one_minus_roca == 0.0);
        CHECK(m.fpr == 0.0);  // no ham: none could be misjudged
        CHECK(m.fnr == 1.0);
    }
    SUBCASE("empty") {
        Metrics m = evaluate(std::vector<Judgement>{});
        CHECK_FALSE(m.auc_defined);
        CHECK(m.confusion.total() == 0);
        CHECK(m.accuracy == 0.0);
        CHECK(m.one_minus_roca == 0.0);
    }
}

TEST_CASE("the sorted count agrees with counting every pair") {
    // Scores from a small set so that ties are common.
    std::mt19937 random(42);
    std::uniform_int_distribution<int> score(0, 9);
    std::bernoulli_distribution is_spam(0.4);
    std::vector<Judgement> run;
    for (int i = 0; i < 500; ++i) {
        bool gold = is_spam(random);
        run.push_back({gold, gold, static_cast<double>(score(random) + (gold ? 2 : 0))});
    }
    double wrong = 0.0;
    double pairs = 0.0;
    for (const Judgement& s : run) {
        for (const Judgement& h : run) {
            if (s.gold_spam && !h.gold_spam) {
                pairs += 1.0;
                wrong += s.score < h.score ? 1.0 : (s.score == h.score ? 0.5 : 0.0);
            }
        }
    }
    Metrics m = evaluate(run);
    CHECK(m.one_minus_roca == doctest::Approx(100.0 * wrong / pairs).epsilon(1e-12));
    CHECK(m.auc == doctest::Approx(1.0 - wrong / pairs).epsilon(1e-12));
}

TEST_CASE("a NaN score is refused") {
    std::vector<Judgement> run = {spam(1), ham(std::nan(""))};
    CHECK_THROWS_AS(evaluate(run), std::invalid_argument);
}

}  // namespace dspamd
