// DSPAM's per-user statistics from a user's totals, as dspam_stats prints
// them (src/tools/dspam_stats.c, DSPAM 3.10). The storage's SQL statistics
// view computes the same formulas:
//
//   TP  = max(0, spam_learned + spam_classified
//                - spam_misclassified - spam_corpusfed)          spam caught
//   TN  = max(0, innocent_learned + innocent_classified
//                - innocent_misclassified - innocent_corpusfed)  innocent passed
//   FP  = innocent_misclassified                                 innocent called spam
//   FN  = spam_misclassified                                     spam missed
//   SC  = spam_corpusfed, NC = innocent_corpusfed                (never classified)
//   accuracy        = 100 - 100 (FP + FN) / (TP + TN + FP + FN);  100 when nothing
//   spam hit rate   = 100 - 100 FN / (TP + FN);                   100 when no spam
//   ham strike rate = 100 FP / (TN + FP);                         0 when no innocent
//
// (A misclassified message is counted in the right class's *_learned or
// *_classified and in its *_misclassified, so it leaves TP/TN and shows in
// FP/FN only: classifier/training.cpp keeps the totals that way.)
#pragma once

#include <cstdint>

#include "classifier/types.h"

namespace dspamd {

struct Statistics {
    std::int64_t true_positives = 0;
    std::int64_t true_negatives = 0;
    std::int64_t false_positives = 0;
    std::int64_t false_negatives = 0;
    std::int64_t spam_corpusfed = 0;
    std::int64_t innocent_corpusfed = 0;
    double accuracy = 100.0;       // percent
    double spam_hit_rate = 100.0;  // percent
    double ham_strike_rate = 0.0;  // percent
    friend bool operator==(const Statistics&, const Statistics&) = default;
};

Statistics compute_statistics(const Totals& totals);

}  // namespace dspamd
