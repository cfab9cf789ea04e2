// Statistical sedation (DSPAM 3.10's training buffer, "statisticalSedation"
// 0..10; src/libdspam.c _ds_calc_stat). While a user has learned fewer
// innocent messages than spam, DSPAM raises the number of hits a token needs
// before its own probability counts ("adjust hapaxial threshold to compensate
// for a spam corpus imbalance"); below it a token is unknown. With
//   ti = innocent_learned + innocent_classified,
//   ts = spam_learned + spam_classified,  level = 1..10:
//   ti < 1000, ti < ts:          min_hits + level/2 + level * ((ts - ti) / 200)
//   1000 <= ti < 2500, ts > ti:  min_hits + level/2 + level * (spam% / 20),
//                                spam% = 100 * ts / (ts + ti)
// (integer arithmetic as in DSPAM: level/2 and (ts - ti)/200 truncate, the
// second sum is truncated once). Otherwise, or at level 0, min_hits is
// unchanged. Under TUM DSPAM caps the threshold at 20, the hits TUM stops at.
// Pure.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "classifier/types.h"

namespace dspamd {

constexpr int k_max_sedation = 10;

// The hits a token needs to count, for `level` 0..k_max_sedation.
std::int64_t sedated_min_hits(std::int64_t min_hits, const Totals& totals, int level, bool tum);

// The stats a combiner should see: tokens with fewer than `min_hits` hits
// (innocent hits counted twice with processor bias, as DSPAM does) get zero
// counts, i.e. become unknown to every algorithm.
std::vector<TokenStat> sedate(std::span<const TokenStat> stats, std::int64_t min_hits,
                              bool processor_bias);

}  // namespace dspamd
