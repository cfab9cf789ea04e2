// dspam_stats' formulas over a user's totals (see statistics.h).
#include "classifier/statistics.h"

#include <algorithm>

namespace dspamd {

Statistics compute_statistics(const Totals& t) {
    Statistics s;
    s.true_positives = std::max<std::int64_t>(
        0, t.spam_learned + t.spam_classified - t.spam_misclassified - t.spam_corpusfed);
    s.true_negatives =
        std::max<std::int64_t>(0, t.innocent_learned + t.innocent_classified -
                                      t.innocent_misclassified - t.innocent_corpusfed);
    // Clamped like the other totals: a store never holds negative counts.
    s.false_positives = std::max<std::int64_t>(0, t.innocent_misclassified);
    s.false_negatives = std::max<std::int64_t>(0, t.spam_misclassified);
    s.spam_corpusfed = std::max<std::int64_t>(0, t.spam_corpusfed);
    s.innocent_corpusfed = std::max<std::int64_t>(0, t.innocent_corpusfed);

    const std::int64_t all_spam = s.true_positives + s.false_negatives;
    const std::int64_t all_innocent = s.true_negatives + s.false_positives;
    const std::int64_t all = all_spam + all_innocent;
    if (all > 0) {
        s.accuracy = 100.0 - 100.0 * static_cast<double>(s.false_positives + s.false_negatives) /
                                 static_cast<double>(all);
    }
    if (all_spam > 0) {
        s.spam_hit_rate =
            100.0 - 100.0 * static_cast<double>(s.false_negatives) / static_cast<double>(all_spam);
    }
    if (all_innocent > 0) {
        s.ham_strike_rate =
            100.0 * static_cast<double>(s.false_positives) / static_cast<double>(all_innocent);
    }
    return s;
}

}  // namespace dspamd
