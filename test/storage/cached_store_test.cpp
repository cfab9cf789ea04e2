// Unit tests of CachedStore over a MemoryStore: the Store contract as far as a
// write-back cache keeps it, exact counts against a reference store after
// random learning and unlearning, own learning visible at once, queued
// signatures, the eviction bound, TTL refetches, concurrent learners, and a
// backing store that goes away (queue kept and retried, hard cap).
#include "storage/cached_store.h"

#include <doctest/doctest.h>

#include <atomic>
#include <ctime>
#include <functional>
#include <future>
#include <random>
#include <set>
#include <thread>

#include "storage/memory_store.h"
#include "test/storage/store_contract.h"

namespace dspamd {
namespace {

using contract::counts_of;
using contract::make_delta;

CachedStoreOptions manual_options() {
    CachedStoreOptions options;
    options.background = false;  // only flush() writes back: deterministic
    return options;
}

// A clock the test moves by hand, and manual options with a TTL that read it.
struct ManualClock {
    std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now();
    CachedStoreOptions options(int ttl_s) {
        CachedStoreOptions options = manual_options();
        options.ttl_s = ttl_s;
        options.now = [this] { return now; };
        return options;
    }
};

// A MemoryStore that can be switched off, or fail one chosen apply.
class FlakyStore final : public Store {
public:
    std::atomic<bool> down{false};
    std::atomic<int> fail_apply_at{-1};  // the index of the apply call to fail
    std::atomic<int> applies{0};         // apply and apply_batch calls
    std::atomic<int> history_writes{0};  // record_history and record_history_batch calls
    std::atomic<int> fetches{0};
    std::atomic<int> scans{0};
    // Runs once, after the next fetch has read and before it returns.
    std::function<void()> after_next_read;
    MemoryStore inner;

    UserId user_id(std::string_view name) override {
        check();
        return inner.user_id(name);
    }
    void set_merge_group(UserId user, std::optional<UserId> group) override {
        check();
        inner.set_merge_group(user, group);
    }
    Snapshot fetch(UserId user, std::span<const Token> tokens) override {
        check();
        ++fetches;
        Snapshot read = inner.fetch(user, tokens);
        if (after_next_read) {
            auto hook = std::move(after_next_read);
            after_next_read = nullptr;
            hook();
        }
        return read;
    }
    void apply(UserId user, const TrainingDelta& delta, const SignatureRecord* signature) override {
        check();
        if (applies++ == fail_apply_at) {
            throw StoreUnavailable("apply chosen to fail");
        }
        inner.apply(user, delta, signature);
    }
    void apply_batch(UserId user, const TrainingDelta& delta,
                     std::span<const SignatureRecord> signatures) override {
        check();
        if (applies++ == fail_apply_at) {
            throw StoreUnavailable("apply chosen to fail");
        }
        inner.apply_batch(user, delta, signatures);
    }
    std::optional<Signature> load_signature(UserId user, std::string_view id) override {
        check();
        return inner.load_signature(user, id);
    }
    void scan_tokens(std::optional<UserId> user, const TokenChunkSink& sink) override {
        check();
        ++scans;
        inner.scan_tokens(user, sink);
    }
    std::int64_t token_rows(UserId user) override {
        check();
        return inner.token_rows(user);
    }
    std::map<std::string, std::string> preferences(UserId user) override {
        check();
        return inner.preferences(user);
    }
    void set_preference(UserId user, std::string_view key, std::string_view value) override {
        check();
        inner.set_preference(user, key, value);
    }
    std::vector<UserStats> stats(std::optional<std::string_view> user) override {
        check();
        return inner.stats(user);
    }
    void record_history(UserId user, const HistoryEntry& entry) override {
        check();
        ++history_writes;
        inner.record_history(user, entry);
    }
    void record_history_batch(std::span<const UserHistoryEntry> rows) override {
        check();
        ++history_writes;
        inner.record_history_batch(rows);
    }
    std::vector<HistoryEntry> history(UserId user, std::size_t limit) override {
        check();
        return inner.history(user, limit);
    }
    std::int64_t purge_history(int older_than_days) override {
        check();
        return inner.purge_history(older_than_days);
    }
    std::int64_t add_quarantine(UserId user, const QuarantineEntry& entry) override {
        check();
        return inner.add_quarantine(user, entry);
    }
    std::optional<QuarantineEntry> find_quarantine_by_signature(
        UserId user, std::string_view signature) override {
        check();
        return inner.find_quarantine_by_signature(user, signature);
    }
    std::int64_t release_quarantine(std::string_view queue_id, std::string_view host) override {
        check();
        return inner.release_quarantine(queue_id, host);
    }

private:
    void check() const {
        if (down) {
            throw StoreUnavailable("the test database is down");
        }
    }
};

std::vector<Token> range_tokens(Token first, Token count) {
    std::vector<Token> tokens;
    for (Token t = first; t < first + count; ++t) {
        tokens.push_back(t);
    }
    return tokens;
}

template <typename Predicate>
bool eventually(Predicate predicate) {
    for (int i = 0; i < 400; ++i) {
        if (predicate()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return predicate();
}

TEST_CASE("cached store: the Store contract over a MemoryStore, nothing flushed") {
    MemoryStore backing;
    CachedStore store(backing, manual_options());
    contract::check_users(store, "");
    contract::check_never_negative(store, "");
    contract::check_token_rows(store, "");  // flushes: only the backing store knows its rows
    contract::check_scan_tokens(store, "");
    // Not check_merged_group: a group's learning queued in this cache reaches
    // its members only once flushed and refetched (the merged group case below).
    contract::check_signatures(store, "");
    contract::check_preferences(store, "");
    contract::check_history(store, "");
    contract::check_quarantine(store, "");
    contract::check_signature_batch(store, "");
    contract::check_history_batch(store, "");
}

TEST_CASE("cached store: statistics read the backing store once flushed") {
    MemoryStore backing;
    CachedStore store(backing, manual_options());
    const UserId user = store.user_id("stats");
    Totals totals;
    totals.spam_learned = 3;
    store.apply(user, make_delta({{1, 1, 0}}, totals), nullptr);
    CHECK(store.stats("stats").at(0).totals == Totals{});
    CHECK(store.fetch(user, {}).totals == totals);
    store.flush();
    CHECK(store.stats("stats").at(0).totals == totals);
}

TEST_CASE("cached store: own learning is visible at once, written back on flush") {
    MemoryStore backing;
    CachedStore store(backing, manual_options());
    const UserId user = store.user_id("alice");
    backing.apply(user, make_delta({{10, 5, 1}}), nullptr);
    const std::vector<Token> tokens = {10, 20};
    CHECK(store.fetch(user, tokens).stats[0].counts == Counts{5, 1});

    Totals learned;
    learned.spam_learned = 1;
    store.apply(user, make_delta({{10, 1, 0}, {20, 1, 0}, {30, 0, 2}}, learned), nullptr);
    const Snapshot seen = store.fetch(user, range_tokens(10, 21));
    CHECK(seen.stats[0].counts == Counts{6, 1});
    CHECK(seen.stats[10].counts == Counts{1, 0});
    CHECK(seen.stats[20].counts == Counts{0, 2});  // applied before ever fetched
    CHECK(seen.totals == learned);
    CHECK(counts_of(backing, user, 10) == Counts{5, 1});  // not written yet
    CHECK(store.cache_stats().queued_rows == 3);

    store.flush();
    CHECK(counts_of(backing, user, 10) == Counts{6, 1});
    CHECK(counts_of(backing, user, 20) == Counts{1, 0});
    CHECK(counts_of(backing, user, 30) == Counts{0, 2});
    CHECK(backing.fetch(user, {}).totals == learned);
    CHECK(store.cache_stats().queued_rows == 0);
    CHECK(store.cache_stats().flushed_rows == 3);
}

TEST_CASE("cached store: a long queue is written in batches of about batch_rows") {
    FlakyStore backing;
    CachedStoreOptions options = manual_options();
    options.batch_rows = 64 * 2;
    CachedStore store(backing, options);
    const UserId user = store.user_id("batches");
    std::vector<TokenDelta> deltas;
    for (Token t = 0; t < 3000; ++t) {
        deltas.push_back({t * 7919, 1, 0});
    }
    Totals totals;
    totals.spam_learned = 1;
    store.apply(user, make_delta(deltas, totals), nullptr);
    store.flush();
    CHECK(backing.applies >= 3000 / 128);
    CHECK(backing.inner.token_rows(user) == 3000);
    CHECK(backing.inner.fetch(user, {}).totals == totals);
    CHECK(store.cache_stats().queued_rows == 0);
}

TEST_CASE("cached store: only missing tokens go to the backing store, unknown ones cached too") {
    FlakyStore backing;
    CachedStore store(backing, manual_options());
    const UserId user = store.user_id("reads");
    backing.inner.apply(user, make_delta({{1, 1, 0}}), nullptr);
    store.fetch(user, range_tokens(1, 100));
    CHECK(backing.fetches == 1);
    store.fetch(user, range_tokens(1, 100));
    CHECK(backing.fetches == 1);  // all hits, 99 of them unknown tokens
    const Snapshot more = store.fetch(user, range_tokens(50, 100));
    CHECK(backing.fetches == 2);
    CHECK(more.stats[0].counts == Counts{});
    const CachedStoreStats stats = store.cache_stats();
    CHECK(stats.misses == 149);
    CHECK(stats.hits == 151);
    CHECK(stats.backing_fetches == 2);
}

TEST_CASE("cached store: tokens without a row are answered without a read once scanned") {
    FlakyStore backing;
    CachedStore store(backing, manual_options());
    const UserId user = store.user_id("known");
    backing.inner.apply(user, make_delta({{1, 3, 0}}), nullptr);
    CHECK_FALSE(store.refresh_known_tokens());
    CHECK(backing.scans == 1);
    CHECK(store.cache_stats().known_tokens == 1);

    const Snapshot first = store.fetch(user, range_tokens(1, 100));
    CHECK(first.stats[0].counts == Counts{3, 0});
    CHECK(backing.fetches == 1);  // token 1 (and the totals); 99 tokens skipped
    const Snapshot unknown = store.fetch(user, range_tokens(500, 100));
    CHECK(unknown.stats[0].counts == Counts{});
    CHECK(backing.fetches == 1);  // nothing to read
    const CachedStoreStats stats = store.cache_stats();
    CHECK(stats.known_skips >= 195);  // a few may pass the filter by chance
    CHECK(stats.entries < 10);        // one-off tokens take no cache entry

    // Learning a token no row holds: its counts are known without a read.
    store.apply(user, make_delta({{600, 0, 2}, {1, 1, 0}}), nullptr);
    const Snapshot learned = store.fetch(user, std::vector<Token>{1, 600});
    CHECK(learned.stats[0].counts == Counts{4, 0});
    CHECK(learned.stats[1].counts == Counts{0, 2});
    CHECK(backing.fetches == 1);
    store.flush();
    CHECK(counts_of(backing.inner, user, 600) == Counts{0, 2});

    // So a message of cached and unknown tokens is answered while the
    // database is down.
    backing.down = true;
    CHECK(store.fetch(user, range_tokens(700, 50)).stats[0].counts == Counts{});
    backing.down = false;
}

TEST_CASE("cached store: learning is known at once and survives a rebuild while queued") {
    FlakyStore backing;
    ManualClock clock;
    auto& now = clock.now;
    CachedStore store(backing, clock.options(30));
    const UserId user = store.user_id("learner");
    store.refresh_known_tokens();  // an empty table

    store.apply(user, make_delta({{7, 2, 0}}), nullptr);
    CHECK(store.fetch(user, std::vector<Token>{7}).stats[0].counts == Counts{2, 0});

    // Token 7 is still queued when the table is scanned: the scan cannot
    // see it, the rebuild must keep it.
    store.refresh_known_tokens();
    store.flush();
    // Another writer changes the totals: once the entry expires, it is read
    // again (after the totals), so the filter must still let it through.
    Totals other;
    other.spam_classified = 1;
    backing.inner.apply(user, make_delta({}, other), nullptr);
    now += std::chrono::seconds(31);
    const int reads = backing.fetches;
    CHECK(store.fetch(user, std::vector<Token>{7}).stats[0].counts == Counts{2, 0});
    CHECK(backing.fetches == reads + 2);
}

TEST_CASE("cached store: unchanged totals keep a single writer's entries fresh past ttl_s") {
    FlakyStore backing;
    ManualClock clock;
    auto& now = clock.now;
    CachedStore store(backing, clock.options(30));
    const UserId user = store.user_id("alone");
    backing.inner.apply(user, make_delta({{1, 3, 0}, {2, 0, 5}}), nullptr);
    const std::vector<Token> tokens = {1, 2};
    store.fetch(user, std::vector<Token>{1});  // the first read of the totals
    now += std::chrono::seconds(1);
    store.fetch(user, tokens);  // token 2 read after it
    Totals learned;
    learned.spam_learned = 1;
    store.apply(user, make_delta({{2, 1, 0}}, learned), nullptr);
    store.flush();

    // Long past ttl_s: one read of the totals, which are what this cache
    // wrote, vouches for token 2; token 1 was read with the first totals
    // read, so it is read again.
    now += std::chrono::seconds(100);
    int reads = backing.fetches;
    const Snapshot later = store.fetch(user, tokens);
    CHECK(later.stats[0].counts == Counts{3, 0});
    CHECK(later.stats[1].counts == Counts{1, 5});
    CHECK(backing.fetches == reads + 2);
    now += std::chrono::seconds(100);
    reads = backing.fetches;
    CHECK(store.fetch(user, tokens).stats[1].counts == Counts{1, 5});
    CHECK(backing.fetches == reads + 1);  // the totals only

    // Another writer: the totals differ, every older entry is read again.
    Totals other;
    other.innocent_learned = 1;
    backing.inner.apply(user, make_delta({{2, 0, 1}}, other), nullptr);
    now += std::chrono::seconds(31);
    reads = backing.fetches;
    CHECK(store.fetch(user, tokens).stats[1].counts == Counts{1, 6});
    CHECK(backing.fetches == reads + 2);
}

TEST_CASE("cached store: a token only another writer learned shows up after the next scan") {
    FlakyStore backing;
    CachedStore store(backing, manual_options());
    const UserId user = store.user_id("other-writer");
    store.refresh_known_tokens();
    backing.inner.apply(user, make_delta({{5, 0, 4}}), nullptr);  // another host, dspamctl
    CHECK(store.fetch(user, std::vector<Token>{5}).stats[0].counts == Counts{});  // stale
    store.refresh_known_tokens();
    CHECK(store.fetch(user, std::vector<Token>{5}).stats[0].counts == Counts{0, 4});
}

TEST_CASE("cached store: a failed scan keeps the previous filter") {
    FlakyStore backing;
    CachedStore store(backing, manual_options());
    const UserId user = store.user_id("scan-down");
    backing.inner.apply(user, make_delta({{8, 1, 0}}), nullptr);
    store.refresh_known_tokens();
    backing.down = true;
    CHECK_THROWS_AS(store.refresh_known_tokens(), StoreUnavailable);
    backing.down = false;
    CHECK(store.fetch(user, std::vector<Token>{8}).stats[0].counts == Counts{1, 0});
    CHECK(store.cache_stats().known_rebuilds == 1);
}

TEST_CASE("cached store: the background thread builds the filter") {
    FlakyStore backing;
    const UserId user = backing.inner.user_id("background");
    backing.inner.apply(user, make_delta({{1, 1, 0}, {2, 1, 0}}), nullptr);
    CachedStoreOptions options;
    options.known_tokens_refresh_s = 3600;
    CachedStore store(backing, options);
    CHECK(eventually([&] { return store.cache_stats().known_rebuilds == 1; }));
    CHECK(store.cache_stats().known_tokens == 2);
}

TEST_CASE("cached store: a preloaded user's tokens, and its group's, need no reads") {
    FlakyStore backing;
    CachedStore store(backing, manual_options());
    const UserId user = store.user_id("preloaded");
    const UserId group = store.user_id("preloaded-group");
    std::vector<TokenDelta> own;
    for (Token t = 1; t <= 100; ++t) {
        own.push_back({t, 1, 0});
    }
    backing.inner.apply(user, make_delta(own), nullptr);
    backing.inner.apply(group, make_delta({{100, 0, 5}, {200, 0, 1}}), nullptr);
    store.set_merge_group(user, group);
    CHECK(store.preload(user) == 101);
    CHECK(store.cache_stats().preloaded == 101);
    const int reads = backing.fetches;
    const Snapshot seen = store.fetch(user, range_tokens(1, 100));
    CHECK(seen.stats[0].counts == Counts{1, 0});
    CHECK(seen.stats[99].counts == Counts{1, 5});  // own and the group's, merged
    CHECK(store.fetch(user, std::vector<Token>{200}).stats[0].counts == Counts{0, 1});
    CHECK(backing.fetches == reads);
    CHECK(store.cache_stats().misses == 0);
}

TEST_CASE("cached store: a user that would fill more than half the cache is not preloaded") {
    FlakyStore backing;
    CachedStoreOptions options = manual_options();
    options.max_entries = 128;
    CachedStore store(backing, options);
    const UserId user = store.user_id("too-big");
    std::vector<TokenDelta> rows;
    for (Token t = 1; t <= 65; ++t) {
        rows.push_back({t, 1, 0});
    }
    backing.inner.apply(user, make_delta(rows), nullptr);
    CHECK(store.preload(user) == 0);
    CHECK(store.cache_stats().entries == 0);
}

TEST_CASE("cached store: the first fetch of a user preloads it in the background") {
    FlakyStore backing;
    const UserId user = backing.inner.user_id("first-message");
    backing.inner.apply(user, make_delta({{1, 1, 0}, {2, 1, 0}, {3, 0, 1}}), nullptr);
    CachedStoreOptions options;
    options.known_tokens_refresh_s = 0;
    CachedStore store(backing, options);
    store.fetch(user, std::vector<Token>{1});
    // 2 and 3, and 1 too when the preload read it before this fetch did.
    CHECK(eventually([&] { return store.cache_stats().preloaded >= 2; }));
    const int reads = backing.fetches;
    CHECK(store.fetch(user, std::vector<Token>{2, 3}).stats[1].counts == Counts{0, 1});
    CHECK(backing.fetches == reads);
}

// Random learning and unlearning (which clamps at zero) through the cache
// must leave exactly what applying the same deltas one by one to a store
// leaves, at every step in the cache's view and after each flush in the
// backing store; with evictions, tokens applied before ever being fetched,
// and flushes at random points.
TEST_CASE(
    "cached store: exact counts and weights against a reference after many applies and flushes") {
    MemoryStore backing;
    MemoryStore reference;
    CachedStoreOptions options = manual_options();
    options.max_entries = 64 * 4;  // far fewer than the tokens: evictions
    CachedStore store(backing, options);
    const UserId user = store.user_id("exact");
    REQUIRE(reference.user_id("exact") == user);
    std::mt19937 random(12345);
    constexpr Token k_tokens = 600;
    const std::vector<Token> all = range_tokens(0, k_tokens);
    for (int round = 0; round < 400; ++round) {
        std::vector<TokenDelta> deltas;
        std::uniform_int_distribution<Token> pick(0, k_tokens - 1);
        std::uniform_int_distribution<int> amount(-3, 3);
        // Weights: the logistic learner's fixed-point steps, either sign, not clamped.
        std::uniform_int_distribution<std::int64_t> weight(-(std::int64_t{1} << 40),
                                                           std::int64_t{1} << 40);
        std::set<Token> chosen;
        for (int k = 0; k < 40; ++k) {
            chosen.insert(pick(random));
        }
        for (const Token t : chosen) {
            deltas.push_back({t, amount(random), amount(random), t % 3 == 0 ? 0 : weight(random)});
        }
        Totals totals;
        totals.spam_learned = amount(random);
        totals.innocent_misclassified = amount(random);
        const TrainingDelta delta = make_delta(deltas, totals);
        store.apply(user, delta, nullptr);
        reference.apply(user, delta, nullptr);
        if (round % 7 == 0) {
            std::vector<Token> some;
            for (const Token t : all) {
                if (random() % 4 == 0) {
                    some.push_back(t);
                }
            }
            const Snapshot seen = store.fetch(user, some);
            const Snapshot expected = reference.fetch(user, some);
            CHECK(seen.stats == expected.stats);
            CHECK(seen.totals == expected.totals);
        }
        if (random() % 10 == 0) {
            store.flush();
            CHECK(backing.fetch(user, all).stats == reference.fetch(user, all).stats);
        }
    }
    CHECK(store.fetch(user, all).stats == reference.fetch(user, all).stats);
    store.flush();
    CHECK(backing.fetch(user, all).stats == reference.fetch(user, all).stats);
    CHECK(backing.fetch(user, all).totals == reference.fetch(user, all).totals);
    CHECK(store.cache_stats().evictions > 0);
    CHECK(store.cache_stats().queued_rows == 0);
}

TEST_CASE("cached store: a delta that dips below zero and recovers is written exactly") {
    FlakyStore backing;
    CachedStore store(backing, manual_options());
    const UserId user = store.user_id("dip");
    // Token 1 unknown to the cache, absent from the store: -2 then +3 gives 3
    // one by one, but 1 as a plain sum clamped at the end.
    // Weights are a plain sum: all of it goes with the first apply.
    store.apply(user, make_delta({{1, -2, 0, 40}}), nullptr);
    store.apply(user, make_delta({{1, 3, 1, -15}}), nullptr);
    store.flush();
    CHECK(counts_of(backing.inner, user, 1) == Counts{3, 1, 25});
    CHECK(backing.applies == 2);  // the dip needs a second apply

    // The second apply fails: only its part is retried, the weight not again.
    store.apply(user, make_delta({{1, -5, 0, 100}}), nullptr);
    store.apply(user, make_delta({{1, 2, 0, 1}}), nullptr);
    backing.fail_apply_at = backing.applies + 1;
    CHECK_THROWS_AS(store.flush(), StoreUnavailable);
    CHECK(counts_of(backing.inner, user, 1) == Counts{0, 1, 126});
    store.flush();
    CHECK(counts_of(backing.inner, user, 1) == Counts{2, 1, 126});
    CHECK(counts_of(store, user, 1) == Counts{2, 1, 126});
}

TEST_CASE("cached store: queued signatures are found, several per user per flush") {
    MemoryStore backing;
    CachedStore store(backing, manual_options());
    const UserId user = store.user_id("signatures");
    std::vector<SignatureRecord> records;
    for (int i = 0; i < 5; ++i) {
        Signature signature;
        signature.result = i % 2 == 0 ? Class::spam : Class::innocent;
        signature.learned = {static_cast<Token>(i), 100};
        records.push_back({"sig" + std::to_string(i), signature});
        store.apply(user, make_delta({{static_cast<Token>(i), 1, 0}}), &records.back());
    }
    CHECK_FALSE(backing.load_signature(user, "sig3").has_value());
    CHECK(store.load_signature(user, "sig3") == records[3].signature);
    CHECK_FALSE(store.load_signature(user, "nothing").has_value());

    // A correction replaces a queued signature by id.
    Signature corrected = records[3].signature;
    corrected.corrected = true;
    const SignatureRecord replacement{"sig3", corrected};
    store.apply(user, TrainingDelta{}, &replacement);
    CHECK(store.load_signature(user, "sig3") == corrected);
    CHECK(store.cache_stats().queued_rows == 5 + 5);

    store.flush();
    for (int i = 0; i < 5; ++i) {
        const Signature expected =
            i == 3 ? corrected : records[static_cast<std::size_t>(i)].signature;
        CHECK(backing.load_signature(user, "sig" + std::to_string(i)) == expected);
    }
    CHECK(store.load_signature(user, "sig4") == records[4].signature);  // from the backing store
    CHECK(store.cache_stats().flushed_signatures == 5);
    CHECK(store.cache_stats().queued_rows == 0);
}

TEST_CASE("cached store: a flush writes every message's signature and history row at once") {
    FlakyStore backing;
    CachedStore store(backing, manual_options());
    const UserId user = store.user_id("batched");
    const UserId other = store.user_id("batched-other");
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    std::vector<SignatureRecord> records;
    std::vector<HistoryEntry> rows;
    for (int i = 0; i < 6; ++i) {  // six messages: learning, signature, history row each
        Signature signature;
        signature.learned = {static_cast<Token>(i), 500};
        records.push_back({"msg" + std::to_string(i), signature});
        store.apply(user, make_delta({{static_cast<Token>(i), 0, 1}}), &records.back());
        rows.push_back(contract::make_history(now + i, "message " + std::to_string(i)));
        store.record_history(user, rows.back());
    }
    store.record_history(other, contract::make_history(now, "another user's"));

    // Readable before the flush, nothing written yet.
    CHECK(backing.applies == 0);
    CHECK(backing.history_writes == 0);
    CHECK_FALSE(backing.inner.load_signature(user, "msg5").has_value());
    CHECK(backing.inner.history(user, 10).empty());
    CHECK(store.load_signature(user, "msg5") == records[5].signature);
    const std::vector<HistoryEntry> newest_first(rows.rbegin(), rows.rend());
    CHECK(store.history(user, 10) == newest_first);
    CHECK(store.history(user, 2) == std::vector<HistoryEntry>(rows.rbegin(), rows.rbegin() + 2));
    CHECK(store.cache_stats().queued_rows == 6 + 6 + 7);

    store.flush();
    CHECK(backing.applies == 1);         // one transaction for all the user's learning
    CHECK(backing.history_writes == 1);  // one statement for every user's rows
    for (const SignatureRecord& record : records) {
        CHECK(backing.inner.load_signature(user, record.id) == record.signature);
    }
    CHECK(backing.inner.history(user, 10) == newest_first);
    CHECK(backing.inner.history(other, 10).size() == 1);
    CHECK(store.history(user, 10) == newest_first);  // now from the backing store only
    const CachedStoreStats stats = store.cache_stats();
    CHECK(stats.flushed_signatures == 6);
    CHECK(stats.flushed_history == 7);
    CHECK(stats.queued_rows == 0);

    // Queued rows come before stored ones of the same second, as they will
    // be written after them.
    HistoryEntry later = contract::make_history(now + 5, "queued, same second");
    store.record_history(user, later);
    const std::vector<HistoryEntry> merged = store.history(user, 3);
    CHECK(merged == std::vector<HistoryEntry>{later, rows[5], rows[4]});
}

TEST_CASE("cached store: history rows wait in the queue while the backing store is down") {
    FlakyStore backing;
    CachedStoreOptions options = manual_options();
    options.max_queue = 4;
    CachedStore store(backing, options);
    const UserId user = store.user_id("history-outage");
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    backing.down = true;
    for (int i = 0; i < 3; ++i) {
        store.record_history(user, contract::make_history(now, "during " + std::to_string(i)));
    }
    CHECK_THROWS_AS(store.flush(), StoreUnavailable);
    CHECK(store.cache_stats().queued_rows == 3);
    CHECK(store.cache_stats().flush_failures == 1);
    store.record_history(user, contract::make_history(now, "during 3"));  // after the kept ones
    // The hard cap counts history rows too.
    CHECK_THROWS_AS(store.record_history(user, contract::make_history(now, "one too many")),
                    StoreUnavailable);
    // Invalid rows are refused at once, not dropped later.
    HistoryEntry bad = contract::make_history(now, "bad");
    bad.result = "Maybe";
    CHECK_THROWS_AS(store.record_history(user, bad), std::invalid_argument);

    backing.down = false;
    store.flush();
    const std::vector<HistoryEntry> written = backing.inner.history(user, 10);
    REQUIRE(written.size() == 4);
    for (int i = 0; i < 4; ++i) {  // same second: newest first = written last first
        CHECK(written[static_cast<std::size_t>(3 - i)].subject == "during " + std::to_string(i));
    }
    CHECK(store.cache_stats().queued_rows == 0);
}

TEST_CASE("cached store: a failed write-back keeps every signature queued and findable") {
    FlakyStore backing;
    CachedStore store(backing, manual_options());
    const UserId user = store.user_id("signature-retry");
    std::vector<SignatureRecord> records;
    for (int i = 0; i < 3; ++i) {
        records.push_back({"retry" + std::to_string(i), Signature{}});
        records.back().signature.learned = {static_cast<Token>(i + 10)};
    }
    store.apply_batch(user, make_delta({{10, 1, 0}}), records);
    backing.fail_apply_at = 0;
    CHECK_THROWS_AS(store.flush(), StoreUnavailable);
    CHECK_FALSE(backing.inner.load_signature(user, "retry0").has_value());
    CHECK(store.load_signature(user, "retry2") == records[2].signature);
    CHECK(store.cache_stats().queued_rows == 1 + 3);
    store.flush();
    CHECK(backing.applies == 2);
    for (const SignatureRecord& record : records) {
        CHECK(backing.inner.load_signature(user, record.id) == record.signature);
    }
    CHECK(counts_of(backing.inner, user, 10) == Counts{1, 0});
}

// A fetch reads the database, then a flush commits and clears the batch of
// the token it read, then the fetch installs: its read cannot tell whether
// the batch was in it, so the token is read again under the stripe lock.
TEST_CASE("cached store: a read that overlaps a flush of its tokens is read again") {
    FlakyStore backing;
    CachedStore store(backing, manual_options());
    const UserId user = store.user_id("overlap");
    store.apply(user, make_delta({{5, 2, 0}}), nullptr);  // never fetched: in flight next flush
    std::promise<void> read_done;
    std::promise<void> go;
    backing.after_next_read = [&] {
        read_done.set_value();
        go.get_future().wait();
    };
    const std::vector<Token> tokens = {5};
    auto reader = std::async(std::launch::async, [&] { return store.fetch(user, tokens); });
    read_done.get_future().wait();  // the read saw nothing of the batch
    store.flush();
    go.set_value();
    CHECK(reader.get().stats[0].counts == Counts{2, 0});
    CHECK(store.cache_stats().rereads == 1);
    CHECK(counts_of(store, user, 5) == Counts{2, 0});
    CHECK(counts_of(backing.inner, user, 5) == Counts{2, 0});

    // No flush meanwhile: the read is installed with the queue replayed on it.
    store.apply(user, make_delta({{5, 1, 0}, {6, 0, 1}}), nullptr);
    const std::vector<Token> more = {5, 6, 7};
    const Snapshot seen = store.fetch(user, more);
    CHECK(seen.stats[1].counts == Counts{0, 1});
    CHECK(store.cache_stats().rereads == 1);
}

TEST_CASE("cached store: entries are bounded, queued ones are not evicted") {
    MemoryStore backing;
    CachedStoreOptions options = manual_options();
    options.max_entries = 640;
    options.max_queue = 10'000;
    CachedStore store(backing, options);
    const UserId user = store.user_id("evict");
    for (Token first = 0; first < 20'000; first += 500) {
        store.fetch(user, range_tokens(first, 500));
    }
    CHECK(store.cache_stats().entries <= 640);
    CHECK(store.cache_stats().evictions >= 20'000 - 640);

    // 2,000 queued rows cannot be evicted: the shards grow by at most them,
    // and every queued delta still reaches the backing store.
    std::vector<TokenDelta> deltas;
    for (Token t = 100'000; t < 102'000; ++t) {
        deltas.push_back({t, 1, 0});
    }
    store.apply(user, make_delta(deltas), nullptr);
    store.fetch(user, range_tokens(200'000, 5'000));
    CHECK(store.cache_stats().entries <= 640 + 2'000);
    const Snapshot seen = store.fetch(user, range_tokens(100'000, 2'000));
    CHECK(std::all_of(seen.stats.begin(), seen.stats.end(), [](const TokenStat& s) {
        return s.counts == Counts{1, 0};
    }));
    store.flush();
    CHECK(backing.token_rows(user) == 2'000);
}

TEST_CASE("cached store: entries older than ttl_s are read again") {
    FlakyStore backing;
    ManualClock clock;
    auto& now = clock.now;
    CachedStore store(backing, clock.options(30));
    const UserId user = store.user_id("ttl");
    const std::vector<Token> tokens = {1, 2};
    CHECK(store.fetch(user, tokens).stats[0].counts == Counts{});

    // Another host learns (straight into the database).
    Totals totals;
    totals.innocent_learned = 1;
    backing.inner.apply(user, make_delta({{1, 0, 4}}, totals), nullptr);
    now += std::chrono::seconds(29);
    const Snapshot cached = store.fetch(user, tokens);
    CHECK(cached.stats[0].counts == Counts{});  // unknown, cached as such
    CHECK(cached.totals == Totals{});
    CHECK(backing.fetches == 1);

    // Our own learning meanwhile survives the refetch.
    store.apply(user, make_delta({{1, 1, 0}}), nullptr);
    now += std::chrono::seconds(1);
    const Snapshot refreshed = store.fetch(user, tokens);
    CHECK(refreshed.stats[0].counts == Counts{1, 4});
    CHECK(refreshed.totals == totals);
    CHECK(backing.fetches == 3);  // the totals, changed by the other host; then the tokens
    store.flush();
    CHECK(counts_of(backing.inner, user, 1) == Counts{1, 4});
}

TEST_CASE("cached store: merged group: own learning at once, the group's within ttl_s") {
    MemoryStore backing;
    ManualClock clock;
    auto& now = clock.now;
    CachedStore store(backing, clock.options(10));
    const UserId user = store.user_id("member");
    const UserId group = store.user_id("group");
    store.set_merge_group(user, group);
    backing.apply(group, make_delta({{1, 10, 0}}), nullptr);
    CHECK(counts_of(store, user, 1) == Counts{10, 0});
    store.apply(user, make_delta({{1, 1, 0}}), nullptr);
    CHECK(counts_of(store, user, 1) == Counts{11, 0});
    store.apply(group, make_delta({{1, 5, 0}}), nullptr);
    CHECK(counts_of(store, group, 1) == Counts{15, 0});
    CHECK(counts_of(store, user, 1) == Counts{11, 0});  // the group's learning: not yet
    store.flush();
    now += std::chrono::seconds(10);
    CHECK(counts_of(store, user, 1) == Counts{16, 0});
    // Same group again (a reload) keeps the cache; a change drops the view.
    store.set_merge_group(user, group);
    CHECK(counts_of(store, user, 1) == Counts{16, 0});
    store.set_merge_group(user, std::nullopt);
    CHECK(counts_of(store, user, 1) == Counts{1, 0});
}

TEST_CASE("cached store: threads hammering overlapping tokens, flusher running") {
    MemoryStore backing;
    CachedStoreOptions options;
    options.flush_interval_ms = 2;
    options.flush_rows = 200;
    options.max_entries = 64 * 16;  // evictions under way too
    CachedStore store(backing, options);
    const UserId user = store.user_id("threads");
    constexpr int k_threads = 4;
    constexpr int k_rounds = 300;
    constexpr Token k_tokens = 400;
    std::atomic<int> failures{0};
    const auto learner = [&](int id) {
        try {
            std::mt19937 random(static_cast<unsigned>(id));
            for (int round = 0; round < k_rounds; ++round) {
                // Each thread learns its window of the tokens; windows overlap.
                const Token first = static_cast<Token>(id) * (k_tokens / 8);
                const std::vector<Token> tokens = range_tokens(first, k_tokens / 2);
                store.fetch(user, tokens);
                std::vector<TokenDelta> deltas;
                for (const Token t : tokens) {
                    deltas.push_back({t, id % 2 == 0 ? 1 : 0, id % 2 == 1 ? 1 : 0});
                }
                Totals totals;
                totals.spam_learned = 1;
                const std::string sig_id = "t" + std::to_string(id) + "-" + std::to_string(round);
                const SignatureRecord record{sig_id, Signature{}};
                store.apply(user, make_delta(deltas, totals), &record);
                if (random() % 8 == 0) {
                    store.flush();
                }
            }
        } catch (const std::exception& e) {
            MESSAGE(e.what());
            ++failures;
        }
    };
    std::vector<std::thread> threads;
    for (int id = 0; id < k_threads; ++id) {
        threads.emplace_back(learner, id);
    }
    for (auto& thread : threads) {
        thread.join();
    }
    CHECK(failures == 0);
    store.flush();
    const std::vector<Token> all = range_tokens(0, k_tokens);
    const Snapshot written = backing.fetch(user, all);
    for (Token t = 0; t < k_tokens; ++t) {
        Counts expected;
        for (int id = 0; id < k_threads; ++id) {
            const Token first = static_cast<Token>(id) * (k_tokens / 8);
            if (t >= first && t < first + k_tokens / 2) {
                (id % 2 == 0 ? expected.spam : expected.innocent) += k_rounds;
            }
        }
        CAPTURE(t);
        CHECK(written.stats[t].counts == expected);
    }
    CHECK(written.totals.spam_learned == k_threads * k_rounds);
    CHECK(store.fetch(user, all).stats == written.stats);
    CHECK(backing.load_signature(user, "t3-299").has_value());
    CHECK(store.cache_stats().queued_rows == 0);
}

TEST_CASE("cached store: the backing store down: learning kept, retried, then a hard cap") {
    FlakyStore backing;
    CachedStoreOptions options;
    options.flush_interval_ms = 5;
    options.retry_max_ms = 20;
    options.max_queue = 100;
    // Without the known-token filter every missing token is read (with it,
    // tokens no row holds need no database: the case above).
    options.known_tokens_refresh_s = 0;
    options.preload = false;
    std::atomic<int> warnings{0};
    options.warn = [&](const std::string&) { ++warnings; };
    CachedStore store(backing, options);
    const UserId user = store.user_id("outage");
    const std::vector<Token> tokens = range_tokens(0, 30);
    store.fetch(user, tokens);

    backing.down = true;
    std::vector<TokenDelta> deltas;
    for (const Token t : tokens) {
        deltas.push_back({t, 1, 0});
    }
    const SignatureRecord record{"during-outage", Signature{}};
    store.apply(user, make_delta(deltas), &record);  // never waits for the database
    CHECK(store.fetch(user, tokens).stats[5].counts == Counts{1, 0});  // hits need no database
    CHECK_THROWS_AS(store.fetch(user, range_tokens(100, 2)), StoreUnavailable);
    CHECK(store.load_signature(user, "during-outage").has_value());
    CHECK_THROWS_AS(store.flush(), StoreUnavailable);
    CHECK(eventually([&] { return store.cache_stats().flush_failures >= 3; }));
    CHECK(store.cache_stats().queued_rows == 31);
    CHECK(warnings >= 1);

    // The hard cap: refused before anything changes.
    store.apply(user, make_delta(deltas), nullptr);
    store.apply(user, make_delta({{1000, 1, 0}, {1001, 1, 0}}), nullptr);
    const std::vector<TokenDelta> many(deltas.begin(), deltas.end());
    std::vector<TokenDelta> fresh;
    for (Token t = 2000; t < 2070; ++t) {
        fresh.push_back({t, 1, 0});
    }
    CHECK_THROWS_AS(store.apply(user, make_delta(fresh), nullptr), StoreUnavailable);
    CHECK(store.fetch(user, tokens).stats[0].counts == Counts{2, 0});

    backing.down = false;
    CHECK(eventually([&] { return store.cache_stats().queued_rows == 0; }));
    CHECK(counts_of(backing.inner, user, 0) == Counts{2, 0});
    CHECK(counts_of(backing.inner, user, 1001) == Counts{1, 0});
    CHECK(counts_of(backing.inner, user, 2000) == Counts{});
    CHECK(backing.inner.load_signature(user, "during-outage").has_value());
}

TEST_CASE("cached store: one user's failure sends the rest of the batch back") {
    FlakyStore backing;
    CachedStore store(backing, manual_options());
    const UserId a = store.user_id("a");
    const UserId b = store.user_id("b");
    const UserId c = store.user_id("c");
    for (const UserId user : {a, b, c}) {
        store.apply(user, make_delta({{1, 1, 0}}), nullptr);
    }
    backing.fail_apply_at = backing.applies + 1;  // b's
    CHECK_THROWS_AS(store.flush(), StoreUnavailable);
    CHECK(counts_of(backing.inner, a, 1) == Counts{1, 0});
    CHECK(counts_of(backing.inner, b, 1) == Counts{});
    CHECK(counts_of(backing.inner, c, 1) == Counts{});
    store.apply(b, make_delta({{1, 1, 0}}), nullptr);
    store.flush();
    CHECK(counts_of(backing.inner, a, 1) == Counts{1, 0});
    CHECK(counts_of(backing.inner, b, 1) == Counts{2, 0});
    CHECK(counts_of(backing.inner, c, 1) == Counts{1, 0});
}

TEST_CASE("cached store: rows the backing store refuses are dropped and reported") {
    MemoryStore backing;
    CachedStoreOptions options = manual_options();
    std::vector<std::string> warnings;
    options.warn = [&](const std::string& text) { warnings.push_back(text); };
    CachedStore store(backing, options);
    const UserId user = store.user_id("real");
    store.apply(987654321, make_delta({{1, 1, 0}}), nullptr);
    store.apply(user, make_delta({{1, 1, 0}}), nullptr);
    store.flush();  // no throw: retrying could never succeed
    CHECK(counts_of(backing, user, 1) == Counts{1, 0});
    CHECK(store.cache_stats().dropped_rows == 1);
    CHECK(store.cache_stats().queued_rows == 0);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find("987654321") != std::string::npos);
}

TEST_CASE("cached store: the destructor writes back, bad options are refused") {
    MemoryStore backing;
    const UserId user = backing.user_id("shutdown");
    {
        CachedStore store(backing);  // with its flusher thread
        store.apply(user, make_delta({{7, 0, 3}}), nullptr);
    }
    CHECK(counts_of(backing, user, 7) == Counts{0, 3});
    CachedStoreOptions bad;
    bad.max_entries = 10;
    CHECK_THROWS_AS(CachedStore(backing, bad), std::invalid_argument);
    bad = {};
    bad.flush_interval_ms = 0;
    CHECK_THROWS_AS(CachedStore(backing, bad), std::invalid_argument);
}

}  // namespace
}  // namespace dspamd
