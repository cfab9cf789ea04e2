// Sums two trainings into one, so that a correction and what goes with it
// (test-conditional repeats taken back, a whitelist sender token) reach the
// store in one apply, one transaction. Pure.
#pragma once

#include "classifier/training.h"

namespace dspamd {

// Token deltas summed per token (ascending, zero sums dropped), totals added.
TrainingDelta merge_deltas(const TrainingDelta& a, const TrainingDelta& b);

}  // namespace dspamd
