// The algebra of queued changes to clamped counters; see queued_change.h.
#include "storage/queued_change.h"

namespace dspamd::queued_change {

void add(Change& change, std::int64_t delta) {
    change.sum += delta;
    change.low = std::min(change.low, change.sum);
}

Change then(const Change& first, const Change& second) {
    return Change{first.sum + second.sum, std::min(first.low, first.sum + second.low)};
}

TokenChange then(const TokenChange& first, const TokenChange& second) {
    return TokenChange{then(first.spam, second.spam), then(first.innocent, second.innocent),
                       first.weight + second.weight};
}

TotalsChange then(const TotalsChange& first, const TotalsChange& second) {
    TotalsChange result;
    for (std::size_t i = 0; i < result.fields.size(); ++i) {
        result.fields[i] = then(first.fields[i], second.fields[i]);
    }
    return result;
}

// The walk ends at base + sum unless it hit zero on the way, in which case it
// ends sum - low above zero.
std::int64_t replay(std::int64_t base, const Change& change) {
    return std::max(base + change.sum, change.sum - change.low);
}

Counts replay(Counts base, const TokenChange& change) {
    return Counts{replay(base.spam, change.spam), replay(base.innocent, change.innocent),
                  base.weight + change.weight};
}

Totals replay(Totals base, const TotalsChange& change) {
    for (std::size_t i = 0; i < change.fields.size(); ++i) {
        base.*k_totals_fields[i] = replay(base.*k_totals_fields[i], change.fields[i]);
    }
    return base;
}

std::pair<std::int64_t, std::int64_t> split(const Change& change) {
    if (change.low == 0 || change.low == change.sum) {
        return {change.sum, 0};
    }
    return {change.low, change.sum - change.low};
}

Change second_part(const Change& change) {
    return Change{split(change).second, 0};
}

}  // namespace dspamd::queued_change
