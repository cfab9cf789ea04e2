// Tests of engine/preferences.cpp: per-user preferences over the global
// classifier settings, bad values reported and ignored.
#include <doctest/doctest.h>

#include "engine/preferences.h"

using namespace dspamd;

TEST_CASE("preferences: algorithm, mode, tokenizer and the logistic learner's numbers") {
    const ClassifierConfig base;
    std::vector<std::string> warnings;
    const ClassifierConfig s = apply_preferences(base,
                                                 {{"algorithm", "logistic"},
                                                  {"trainingMode", "teft"},
                                                  {"tokenizer", "osb"},
                                                  {"logisticRate", "2.5"},
                                                  {"fisherWeight", "0"},
                                                  {"spamAction", "quarantine"}},
                                                 warnings);
    CHECK(warnings.empty());
    CHECK(s.scoring.algorithm == Algorithm::logistic);
    CHECK(s.training.mode == TrainingMode::teft);
    CHECK(s.tokenizer.kind == TokenizerKind::osb);
    CHECK(s.scoring.logistic_rate == 2.5);
    CHECK(s.scoring.fisher_weight == 0.0);
}

TEST_CASE("preferences: bad numbers are reported and the global value kept") {
    ClassifierConfig base;
    base.scoring.logistic_rate = 7.0;
    base.scoring.fisher_weight = 0.2;
    for (const char* bad : {"0", "-1", "1001", "nan", "inf", "", "1e", "5 ", "ten"}) {
        CAPTURE(bad);
        std::vector<std::string> warnings;
        const ClassifierConfig s =
            apply_preferences(base, {{"logisticRate", bad}, {"fisherWeight", bad}}, warnings);
        CHECK(s.scoring.logistic_rate == 7.0);
        // 0 is a valid weight: fisher switched off.
        CHECK(s.scoring.fisher_weight == (std::string(bad) == "0" ? 0.0 : 0.2));
        CHECK(warnings.size() == (std::string(bad) == "0" ? 1U : 2U));
    }
    std::vector<std::string> warnings;
    const ClassifierConfig s =
        apply_preferences(base, {{"logisticRate", "1000"}, {"fisherWeight", "1e3"}}, warnings);
    CHECK(warnings.empty());
    CHECK(s.scoring.logistic_rate == 1000.0);
    CHECK(s.scoring.fisher_weight == 1000.0);
}
