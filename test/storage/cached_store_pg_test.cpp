// Integration tests of CachedStore in front of a real PostgreSQL (the private
// cluster of this executable, test_cluster.h): write-back into the tables,
// two MX hosts sharing one database, threads with the flusher running, and
// the server stopped and started again under queued learning.
#include <doctest/doctest.h>

#include <atomic>
#include <ctime>
#include <thread>

#include "storage/cached_store.h"
#include "storage/pg_store.h"
#include "test/storage/store_contract.h"
#include "test/storage/test_cluster.h"

namespace dspamd {
namespace {

using contract::counts_of;
using contract::make_delta;
using test::TestCluster;

PgStore make_pg() {
    PgStoreOptions options;
    options.dsn = TestCluster::instance().dsn();
    options.pool_size = 4;
    options.connect_timeout_ms = 3000;
    options.statement_timeout_ms = 5000;
    return PgStore(options);
}

std::vector<Token> spread_tokens(Token count) {
    std::vector<Token> tokens;
    for (Token t = 0; t < count; ++t) {
        tokens.push_back(t * 0x9E3779B97F4A7C15ULL);  // negative bigints too
    }
    std::sort(tokens.begin(), tokens.end());
    return tokens;
}

TEST_CASE("cached pg store: learning written back, signatures found while queued") {
    PgStore pg = make_pg();
    CachedStoreOptions options;
    options.background = false;
    CachedStore store(pg, options);
    const UserId user = store.user_id("cached-writeback");
    const std::vector<Token> tokens = spread_tokens(500);
    CHECK(store.fetch(user, tokens).stats[0].counts == Counts{});

    std::vector<TokenDelta> deltas;
    for (const Token t : tokens) {
        deltas.push_back({t, 1, 0});
    }
    Totals totals;
    totals.spam_learned = 1;
    Signature signature;
    signature.result = Class::spam;
    signature.learned = tokens;
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    std::vector<HistoryEntry> history;
    for (int i = 0; i < 3; ++i) {  // three messages, each with a signature and a history row
        const SignatureRecord record{"cached-sig-" + std::to_string(i), signature};
        store.apply(user, make_delta(deltas, totals), &record);
        history.push_back(contract::make_history(now, "message " + std::to_string(i)));
        store.record_history(user, history.back());
    }
    CHECK(store.fetch(user, tokens).stats[7].counts == Counts{3, 0});
    CHECK(counts_of(pg, user, tokens[7]) == Counts{});
    CHECK_FALSE(pg.load_signature(user, "cached-sig-1").has_value());
    CHECK(store.load_signature(user, "cached-sig-1") == signature);
    CHECK(pg.history(user, 10).empty());
    const std::vector<HistoryEntry> newest_first(history.rbegin(), history.rend());
    CHECK(store.history(user, 10) == newest_first);

    store.flush();
    const Snapshot written = pg.fetch(user, tokens);
    CHECK(std::all_of(written.stats.begin(), written.stats.end(), [](const TokenStat& s) {
        return s.counts == Counts{3, 0};
    }));
    CHECK(written.totals.spam_learned == 3);
    for (int i = 0; i < 3; ++i) {
        CHECK(pg.load_signature(user, "cached-sig-" + std::to_string(i)) == signature);
    }
    CHECK(pg.history(user, 10) == newest_first);
    CHECK(store.cache_stats().flushed_rows == 500);
    CHECK(store.cache_stats().flushed_signatures == 3);
    CHECK(store.cache_stats().flushed_history == 3);
}

TEST_CASE("cached pg store: token rows are counted after the queue is written") {
    PgStore pg = make_pg();
    CachedStoreOptions options;
    options.background = false;
    CachedStore store(pg, options);
    contract::check_token_rows(store, "cached-rows-");
    contract::check_scan_tokens(store, "cached-scan-");
    const UserId user = store.user_id("cached-rows-queued");
    store.apply(user, make_delta({{1, 1, 0}, {2, 1, 0}}), nullptr);
    CHECK(pg.token_rows(user) == 0);
    CHECK(store.token_rows(user) == 2);
    CHECK(pg.token_rows(user) == 2);
}

TEST_CASE("cached pg store: two MX hosts see each other's learning within flush + ttl") {
    PgStore pg_a = make_pg();
    PgStore pg_b = make_pg();
    auto now = std::chrono::steady_clock::now();
    CachedStoreOptions options;
    options.background = false;
    options.ttl_s = 20;
    options.now = [&] { return now; };
    CachedStore host_a(pg_a, options);
    CachedStore host_b(pg_b, options);
    const UserId user = host_a.user_id("cached-two-hosts");
    REQUIRE(host_b.user_id("cached-two-hosts") == user);
    const std::vector<Token> tokens = spread_tokens(50);
    host_a.fetch(user, tokens);
    host_b.fetch(user, tokens);

    host_a.apply(user, make_delta({{tokens[0], 0, 2}}), nullptr);
    host_b.apply(user, make_delta({{tokens[0], 1, 0}}), nullptr);
    host_a.flush();
    host_b.flush();
    CHECK(counts_of(pg_a, user, tokens[0]) == Counts{1, 2});
    CHECK(host_a.fetch(user, tokens).stats[0].counts == Counts{0, 2});  // own learning only
    now += std::chrono::seconds(20);
    CHECK(host_a.fetch(user, tokens).stats[0].counts == Counts{1, 2});
    CHECK(host_b.fetch(user, tokens).stats[0].counts == Counts{1, 2});
}

TEST_CASE("cached pg store: threads and the flusher: exact counts in the tables") {
    PgStore pg = make_pg();
    CachedStoreOptions options;
    options.flush_interval_ms = 20;
    CachedStore store(pg, options);
    const UserId user = store.user_id("cached-threads");
    const std::vector<Token> tokens = spread_tokens(300);
    constexpr int k_rounds = 100;
    std::atomic<int> failures{0};
    const auto learner = [&](std::size_t first, bool spam) {
        try {
            const std::vector<Token> mine(
                tokens.begin() + static_cast<std::ptrdiff_t>(first),
                tokens.begin() + static_cast<std::ptrdiff_t>(first) + 200);
            std::vector<TokenDelta> deltas;
            for (const Token t : mine) {
                deltas.push_back({t, spam ? 1 : 0, spam ? 0 : 1});
            }
            const TrainingDelta delta = make_delta(deltas);
            for (int i = 0; i < k_rounds; ++i) {
                store.fetch(user, mine);
                store.apply(user, delta, nullptr);
            }
        } catch (const std::exception& e) {
            MESSAGE(e.what());
            ++failures;
        }
    };
    std::thread a(learner, 0, true);
    std::thread b(learner, 100, false);
    a.join();
    b.join();
    CHECK(failures == 0);
    store.flush();
    const Snapshot written = pg.fetch(user, tokens);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const Counts expected{i < 200 ? k_rounds : 0, i >= 100 ? k_rounds : 0};
        CAPTURE(i);
        CHECK(written.stats[i].counts == expected);
    }
    CHECK(store.fetch(user, tokens).stats == written.stats);
}

TEST_CASE("cached pg store: the server stopped under queued learning, then back") {
    EmbeddedCluster& cluster = TestCluster::instance().cluster();
    PgStore pg = make_pg();
    CachedStoreOptions options;
    options.background = false;
    CachedStore store(pg, options);
    const UserId user = store.user_id("cached-downtime");
    const std::vector<Token> tokens = spread_tokens(20);
    store.fetch(user, tokens);

    cluster.stop();
    store.apply(user, make_delta({{tokens[3], 1, 0}}), nullptr);  // no database needed
    CHECK(store.fetch(user, tokens).stats[3].counts == Counts{1, 0});
    const std::vector<Token> unknown = {12345};
    CHECK_THROWS_AS(store.fetch(user, unknown), StoreUnavailable);
    CHECK_THROWS_AS(store.flush(), StoreUnavailable);
    CHECK(store.cache_stats().queued_rows == 1);

    cluster.start();
    store.flush();
    CHECK(counts_of(pg, user, tokens[3]) == Counts{1, 0});
    CHECK(store.cache_stats().queued_rows == 0);
}

}  // namespace
}  // namespace dspamd
