// Unit tests of MemoryStore: the Store contract (store_contract.h, shared
// with the PgStore integration tests) plus its thread safety.
#include "storage/memory_store.h"

#include "storage/limits.h"

#include <doctest/doctest.h>

#include <thread>

#include "test/storage/store_contract.h"

namespace dspamd {
namespace {

TEST_CASE("memory store: users") {
    MemoryStore store;
    contract::check_users(store, "");
}

TEST_CASE("memory store: fetch and apply round trip") {
    MemoryStore store;
    contract::check_fetch_apply(store, "");
}

TEST_CASE("memory store: counts never negative") {
    MemoryStore store;
    contract::check_never_negative(store, "");
}

TEST_CASE("memory store: token rows") {
    MemoryStore store;
    contract::check_token_rows(store, "");
    contract::check_scan_tokens(store, "");
}

TEST_CASE("memory store: weights") {
    MemoryStore store;
    contract::check_weights(store, "");
    // Rows back at no hits and weight 0 are gone; the others stay.
    CHECK(store.token_rows(store.user_id("weights")) == 2);
}

TEST_CASE("memory store: merged group") {
    MemoryStore store;
    contract::check_merged_group(store, "");
}

TEST_CASE("memory store: statistics") {
    MemoryStore store;
    contract::check_stats(store, "");
}

TEST_CASE("memory store: signatures") {
    MemoryStore store;
    contract::check_signatures(store, "");
}

TEST_CASE("memory store: signatures in batches") {
    MemoryStore store;
    contract::check_signature_batch(store, "");
}

TEST_CASE("memory store: preferences") {
    MemoryStore store;
    contract::check_preferences(store, "");
}

TEST_CASE("memory store: history") {
    MemoryStore store;
    contract::check_history(store, "");
}

TEST_CASE("memory store: history in batches") {
    MemoryStore store;
    contract::check_history_batch(store, "");
}

TEST_CASE("memory store: quarantine") {
    MemoryStore store;
    contract::check_quarantine(store, "");
}

TEST_CASE("clean_text makes any bytes storable") {
    CHECK(clean_text("plain", 100) == "plain");
    CHECK(clean_text("tab\there\x7f", 100) == "tab?here?");
    CHECK(clean_text("bad\xff\xfeutf8", 100) == "bad??utf8");
    CHECK(clean_text("j\xc3\xbcrgen", 2) == "j");  // never half a character
    CHECK(clean_text("j\xc3\xbcrgen", 3) == "j\xc3\xbc");
    CHECK(clean_text("", 5).empty());
}

TEST_CASE("memory store: concurrent learners") {
    MemoryStore store;
    const UserId user = store.user_id("threads");
    constexpr int k_rounds = 2000;
    const auto learn = [&](std::int32_t spam, std::int32_t innocent) {
        for (int i = 0; i < k_rounds; ++i) {
            Totals totals;
            totals.spam_learned = spam;
            totals.innocent_learned = innocent;
            store.apply(user,
                        contract::make_delta({{1, spam, innocent}, {2, spam, innocent}}, totals),
                        nullptr);
            (void)store.fetch(user, std::vector<Token>{1, 2});
        }
    };
    std::thread a(learn, 1, 0);
    std::thread b(learn, 0, 1);
    a.join();
    b.join();
    CHECK(contract::counts_of(store, user, 1) == Counts{k_rounds, k_rounds});
    CHECK(contract::counts_of(store, user, 2) == Counts{k_rounds, k_rounds});
    CHECK(store.fetch(user, {}).totals.spam_learned == k_rounds);
    CHECK(store.fetch(user, {}).totals.innocent_learned == k_rounds);
}

TEST_CASE("compute_user_stats follows dspam_stats") {
    Totals totals;
    totals.spam_learned = 10;
    totals.innocent_learned = 10;
    totals.spam_misclassified = 1;
    totals.innocent_misclassified = 1;
    const UserStats s = compute_user_stats("u", totals);
    CHECK(s.true_positives == 9);
    CHECK(s.true_negatives == 9);
    CHECK(s.accuracy == doctest::Approx(90.0));
    CHECK(compute_user_stats("u", Totals{}).accuracy == doctest::Approx(100.0));
}

}  // namespace
}  // namespace dspamd
