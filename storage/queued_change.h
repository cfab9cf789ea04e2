// Queued changes to counters that the store clamps at zero (PgStore's
// greatest(0, ...)): CachedStore merges a user's learning between two flushes
// into one change per counter, and a plain sum of the deltas could differ
// from applying them one by one. A change keeps the running sum S of its
// deltas and the lowest running sum m (<= 0; the empty prefix counts):
// applying m, then S - m (which no longer clamps), to any base gives what
// the sequence gives. When m is 0 or S one delta S suffices, the usual case.
// Weights are not clamped: their change is a plain sum.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "classifier/types.h"

namespace dspamd::queued_change {

struct Change {
    std::int64_t sum = 0;
    std::int64_t low = 0;
    bool empty() const { return sum == 0 && low == 0; }
};

struct TokenChange {
    Change spam;
    Change innocent;
    std::int64_t weight = 0;  // never clamped: a plain sum
    bool empty() const { return spam.empty() && innocent.empty() && weight == 0; }
};

// The fields of struct Totals, in order; TotalsChange::fields follows it.
inline constexpr std::array<std::int64_t Totals::*, 8> k_totals_fields = {
    &Totals::spam_learned,           &Totals::innocent_learned,   &Totals::spam_misclassified,
    &Totals::innocent_misclassified, &Totals::spam_corpusfed,     &Totals::innocent_corpusfed,
    &Totals::spam_classified,        &Totals::innocent_classified};

struct TotalsChange {
    std::array<Change, k_totals_fields.size()> fields;
    bool empty() const {
        return std::all_of(fields.begin(), fields.end(), [](const Change& c) { return c.empty(); });
    }
};

// `delta` learned after `change`.
void add(Change& change, std::int64_t delta);

// `first` then `second`, as one change.
Change then(const Change& first, const Change& second);
TokenChange then(const TokenChange& first, const TokenChange& second);
TotalsChange then(const TotalsChange& first, const TotalsChange& second);

// What applying the deltas one by one, each clamped at zero, makes of `base`.
std::int64_t replay(std::int64_t base, const Change& change);
Counts replay(Counts base, const TokenChange& change);
Totals replay(Totals base, const TotalsChange& change);

// The two deltas that replay `change` on any base with the store's clamping:
// `low` (clamps as needed) then `sum - low` (never clamps); the second is 0
// when one delta is enough.
std::pair<std::int64_t, std::int64_t> split(const Change& change);

// What is left of `change` once its first delta is written.
Change second_part(const Change& change);

}  // namespace dspamd::queued_change
