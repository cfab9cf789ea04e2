// Tests of classifier/sedation.cpp: DSPAM's training-buffer arithmetic on
// hand-computed cases, and what the combiner gets to see.
#include <doctest/doctest.h>

#include <vector>

#include "classifier/sedation.h"
#include "feature_store.h"

using namespace dspamd;
using dspamd::test::stat_of;

namespace {

Totals totals_of(std::int64_t spam, std::int64_t innocent) {
    Totals t;
    t.spam_learned = spam / 2;
    t.spam_classified = spam - spam / 2;
    t.innocent_learned = innocent;
    return t;
}

}  // namespace

TEST_CASE("level 0 leaves the threshold alone") {
    CHECK(sedated_min_hits(5, totals_of(900, 10), 0, false) == 5);
}

TEST_CASE("young users with more spam than innocent: min_hits + level/2 + level*((ts-ti)/200)") {
    // 5 + 5/2 + 5 * ((700 - 100) / 200) = 5 + 2 + 15
    CHECK(sedated_min_hits(5, totals_of(700, 100), 5, false) == 22);
    // (ts - ti) / 200 truncates: 5 + 5 + 10 * (199 / 200) = 10
    CHECK(sedated_min_hits(5, totals_of(299, 100), 10, false) == 10);
    // as many innocent as spam: no sedation
    CHECK(sedated_min_hits(5, totals_of(100, 100), 10, false) == 5);
}

TEST_CASE("1,000 to 2,500 innocent: the spam percentage decides") {
    // spam% = 100 * 3000 / 4500 = 66.67; 5 + 3/2 + 3 * 3.333 = 16.0 -> 16
    CHECK(sedated_min_hits(5, totals_of(3000, 1500), 3, false) == 16);
    // ts <= ti: nothing
    CHECK(sedated_min_hits(5, totals_of(1200, 1500), 3, false) == 5);
    // past 2,500 innocent: a mature user is never sedated
    CHECK(sedated_min_hits(5, totals_of(9000, 2500), 10, false) == 5);
}

TEST_CASE("TUM caps the threshold at 20") {
    CHECK(sedated_min_hits(5, totals_of(700, 100), 5, true) == 20);
    CHECK(sedated_min_hits(5, totals_of(299, 100), 10, true) == 10);
}

TEST_CASE("tokens below the threshold become unknown to the combiner") {
    const std::vector<TokenStat> stats{stat_of(1, 3, 1), stat_of(2, 8, 0), stat_of(3, 2, 3)};
    const std::vector<TokenStat> seen = sedate(stats, 5, false);
    CHECK(seen[0].counts == Counts{});
    CHECK(seen[1].counts == Counts{8, 0});
    CHECK(seen[2].counts == Counts{2, 3});
    // With processor bias an innocent hit weighs two, as in DSPAM's test.
    const std::vector<TokenStat> biased = sedate(stats, 5, true);
    CHECK(biased[0].counts == Counts{3, 1});
}
