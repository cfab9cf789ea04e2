// Statistical sedation: DSPAM's raised hapaxial threshold.
#include "classifier/sedation.h"

#include <algorithm>

namespace dspamd {
namespace {

constexpr std::int64_t k_young_innocent = 1000;   // below: the first rule
constexpr std::int64_t k_mature_innocent = 2500;  // from here on: no sedation
constexpr std::int64_t k_imbalance_step = 200;    // messages of imbalance per level step
constexpr double k_spam_percent_step = 20.0;
constexpr std::int64_t k_tum_max_min_hits = 20;

}  // namespace

std::int64_t sedated_min_hits(std::int64_t min_hits, const Totals& totals, int level, bool tum) {
    if (level <= 0) {
        return min_hits;
    }
    const std::int64_t ti = totals.innocent_seen();
    const std::int64_t ts = totals.spam_seen();
    std::int64_t sedated = 0;
    if (ti < k_young_innocent && ti < ts) {
        sedated = min_hits + level / 2 + level * ((ts - ti) / k_imbalance_step);
    } else if (ti >= k_young_innocent && ti < k_mature_innocent && ts > ti) {
        const double spam_percent = 100.0 * static_cast<double>(ts) / static_cast<double>(ts + ti);
        sedated = static_cast<std::int64_t>(static_cast<double>(min_hits + level / 2) +
                                            level * (spam_percent / k_spam_percent_step));
    }
    std::int64_t result = std::max(min_hits, sedated);
    if (tum && result > k_tum_max_min_hits) {
        result = k_tum_max_min_hits;
    }
    return result;
}

std::vector<TokenStat> sedate(std::span<const TokenStat> stats, std::int64_t min_hits,
                              bool processor_bias) {
    std::vector<TokenStat> out(stats.begin(), stats.end());
    const std::int64_t innocent_weight = processor_bias ? 2 : 1;
    for (TokenStat& stat : out) {
        const std::int64_t hits = std::max<std::int64_t>(stat.counts.spam, 0) +
                                  innocent_weight * std::max<std::int64_t>(stat.counts.innocent, 0);
        if (hits < min_hits) {
            stat.counts = Counts{};
        }
    }
    return out;
}

}  // namespace dspamd
