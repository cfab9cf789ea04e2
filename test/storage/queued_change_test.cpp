// The algebra of queued changes to counters clamped at zero
// (storage/queued_change.h), checked against applying the deltas one by one.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "storage/queued_change.h"

using namespace dspamd;
using namespace dspamd::queued_change;

namespace {

// What the store does: each delta applied at once, the counter clamped at 0.
std::int64_t one_by_one(std::int64_t base, const std::vector<std::int64_t>& deltas) {
    for (std::int64_t d : deltas) {
        base = std::max<std::int64_t>(base + d, 0);
    }
    return base;
}

Change change_of(const std::vector<std::int64_t>& deltas) {
    Change change;
    for (std::int64_t d : deltas) {
        add(change, d);
    }
    return change;
}

// Every sequence of up to four deltas from {-2, -1, 1, 2}.
std::vector<std::vector<std::int64_t>> sequences() {
    std::vector<std::vector<std::int64_t>> all{{}};
    for (int length = 0; length < 4; ++length) {
        std::vector<std::vector<std::int64_t>> longer;
        for (const auto& s : all) {
            if (static_cast<int>(s.size()) != length) {
                continue;
            }
            for (std::int64_t d : {-2, -1, 1, 2}) {
                auto t = s;
                t.push_back(d);
                longer.push_back(t);
            }
        }
        all.insert(all.end(), longer.begin(), longer.end());
    }
    return all;
}

}  // namespace

TEST_CASE("a queued change replays its deltas as the clamping store would, on any base") {
    for (const auto& deltas : sequences()) {
        const Change change = change_of(deltas);
        for (std::int64_t base = 0; base <= 6; ++base) {
            CAPTURE(base);
            REQUIRE(replay(base, change) == one_by_one(base, deltas));
            // Written as at most two deltas: the first may clamp, the second never does.
            const auto [first, second] = split(change);
            const std::int64_t after_first = std::max<std::int64_t>(base + first, 0);
            REQUIRE(after_first + second >= 0);
            REQUIRE(after_first + second == one_by_one(base, deltas));
            REQUIRE(replay(after_first, second_part(change)) == one_by_one(base, deltas));
        }
    }
}

TEST_CASE("then: two queued changes compose like their deltas in sequence") {
    const auto all = sequences();
    for (std::size_t a = 0; a < all.size(); a += 7) {
        for (std::size_t b = 0; b < all.size(); b += 5) {
            std::vector<std::int64_t> both = all[a];
            both.insert(both.end(), all[b].begin(), all[b].end());
            const Change composed = then(change_of(all[a]), change_of(all[b]));
            CHECK(composed.sum == change_of(both).sum);
            CHECK(composed.low == change_of(both).low);
        }
    }
}

TEST_CASE("one delta suffices unless the sequence went below zero and came back up") {
    CHECK(split(change_of({1, 2})) == std::pair<std::int64_t, std::int64_t>{3, 0});
    CHECK(split(change_of({-1, -2})) == std::pair<std::int64_t, std::int64_t>{-3, 0});
    CHECK(split(change_of({-2, 1})) == std::pair<std::int64_t, std::int64_t>{-2, 1});
    CHECK(change_of({}).empty());
    // Up and back down never clamps: nothing to write. Down and back up does
    // on a base of 0 (0 -> 0 -> 1), so it is not nothing.
    CHECK(change_of({1, -1}).empty());
    CHECK_FALSE(change_of({-1, 1}).empty());
}

TEST_CASE("token and totals changes replay each counter; weights are a plain sum") {
    TokenChange token;
    add(token.spam, -3);
    add(token.innocent, 2);
    token.weight = -5;
    CHECK(replay(Counts{1, 1, 10}, token) == Counts{0, 3, 5});
    const TokenChange twice = then(token, token);
    CHECK(replay(Counts{1, 1, 10}, twice) == Counts{0, 5, 0});

    TotalsChange totals;
    add(totals.fields[0], 1);   // spam_learned
    add(totals.fields[7], -4);  // innocent_classified
    const Totals replayed = replay(Totals{.spam_learned = 2, .innocent_classified = 3}, totals);
    CHECK(replayed.spam_learned == 3);
    CHECK(replayed.innocent_classified == 0);
    CHECK(then(totals, TotalsChange{}).fields[7].low == -4);
    CHECK(TotalsChange{}.empty());
}
