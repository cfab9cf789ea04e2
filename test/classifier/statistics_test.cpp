// Tests of classifier/statistics.cpp: dspam_stats' formulas over totals.
#include <doctest/doctest.h>

#include "classifier/statistics.h"
#include "classifier/training.h"

using namespace dspamd;

TEST_CASE("no messages: nothing counted, DSPAM's neutral rates") {
    const Statistics s = compute_statistics(Totals{});
    CHECK(s.true_positives == 0);
    CHECK(s.true_negatives == 0);
    CHECK(s.false_positives == 0);
    CHECK(s.false_negatives == 0);
    CHECK(s.accuracy == 100.0);
    CHECK(s.spam_hit_rate == 100.0);
    CHECK(s.ham_strike_rate == 0.0);
}

TEST_CASE("dspam_stats' formulas") {
    Totals t;
    t.spam_learned = 90;     // includes 5 corrected misses and 10 corpus messages
    t.spam_classified = 20;  // TOE: classified, not learned
    t.spam_misclassified = 5;
    t.spam_corpusfed = 10;
    t.innocent_learned = 200;  // includes 2 corrected false positives
    t.innocent_classified = 0;
    t.innocent_misclassified = 2;
    t.innocent_corpusfed = 0;
    const Statistics s = compute_statistics(t);
    // TP = 90 + 20 - 5 - 10 = 95, TN = 200 + 0 - 2 - 0 = 198
    CHECK(s.true_positives == 95);
    CHECK(s.true_negatives == 198);
    CHECK(s.false_positives == 2);
    CHECK(s.false_negatives == 5);
    CHECK(s.spam_corpusfed == 10);
    CHECK(s.innocent_corpusfed == 0);
    // accuracy = 100 - 100·(2 + 5)/(95 + 198 + 2 + 5) = 100 - 700/300
    CHECK(s.accuracy == doctest::Approx(100.0 - 700.0 / 300.0));
    // spam hit rate = 100 - 100·5/(95 + 5) = 95
    CHECK(s.spam_hit_rate == doctest::Approx(95.0));
    // ham strike rate = 100·2/(198 + 2) = 1
    CHECK(s.ham_strike_rate == doctest::Approx(1.0));
}

TEST_CASE("TP and TN never go negative") {
    Totals t;
    t.spam_misclassified = 3;  // e.g. counts reset, errors kept
    t.innocent_corpusfed = 4;
    const Statistics s = compute_statistics(t);
    CHECK(s.true_positives == 0);
    CHECK(s.true_negatives == 0);
    CHECK(s.false_negatives == 3);
    CHECK(s.spam_hit_rate == doctest::Approx(0.0));
    CHECK(s.accuracy == doctest::Approx(0.0));
}

TEST_CASE("a run of classifications and corrections gives the right counts in every mode") {
    for (TrainingMode m :
         {TrainingMode::teft, TrainingMode::toe, TrainingMode::tum, TrainingMode::notrain}) {
        CAPTURE(training_mode_name(m));
        TrainingParams params;
        params.mode = m;
        const std::vector<TokenStat> stats{TokenStat{1, {0, 0}}, TokenStat{2, {0, 0}}};
        Totals totals;
        // 3 spam caught, 1 spam missed then corrected, 4 innocent passed,
        // 1 innocent caught as spam then corrected, 2 corpus messages.
        auto classify = [&](Class said, bool wrong) {
            Signature sig;
            totals += learn_classified(stats, said, params, sig).totals;
            if (wrong) {
                totals += correct(sig, opposite(said), params).totals;
            }
        };
        for (int i = 0; i < 3; ++i) {
            classify(Class::spam, false);
        }
        classify(Class::innocent, true);
        for (int i = 0; i < 4; ++i) {
            classify(Class::innocent, false);
        }
        classify(Class::spam, true);
        const std::vector<Token> tokens{1, 2};
        totals += learn_corpus(tokens, Class::spam).totals;
        totals += learn_corpus(tokens, Class::innocent).totals;

        const Statistics s = compute_statistics(totals);
        CHECK(s.true_positives == 3);
        CHECK(s.true_negatives == 4);
        CHECK(s.false_negatives == 1);
        CHECK(s.false_positives == 1);
        CHECK(s.spam_corpusfed == 1);
        CHECK(s.innocent_corpusfed == 1);
        CHECK(s.accuracy == doctest::Approx(100.0 - 200.0 / 9.0));
    }
}
