// Integration tests of PgStore and the migrations against a real PostgreSQL:
// the private cluster of this executable (test_cluster.h). The Store contract
// of store_contract.h, then what only a database has: migrations, purges,
// concurrent learners, timeouts and a server that goes away.
#include "storage/pg_store.h"

#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <pqxx/pqxx>
#include <thread>

#include "storage/migrate.h"
#include "test/storage/store_contract.h"
#include "test/storage/test_cluster.h"

namespace dspamd {
namespace {

namespace fs = std::filesystem;
using test::TestCluster;

PgStoreOptions options_for(const std::string& dsn) {
    PgStoreOptions options;
    options.dsn = dsn;
    options.pool_size = 4;
    options.connect_timeout_ms = 3000;
    options.statement_timeout_ms = 5000;
    return options;
}

PgStore make_store() {
    return PgStore(options_for(TestCluster::instance().dsn()));
}

// A database of its own in the test cluster, for migration tests.
std::string fresh_database(const std::string& name) {
    pqxx::connection admin(TestCluster::instance().dsn());
    pqxx::nontransaction txn(admin);
    txn.exec("DROP DATABASE IF EXISTS " + txn.quote_name(name));
    txn.exec("CREATE DATABASE " + txn.quote_name(name));
    return "host=" + TestCluster::instance().cluster().socket_dir().string() + " dbname=" + name +
           " user=dspamd";
}

std::int64_t query_int(const std::string& query) {
    pqxx::connection conn(TestCluster::instance().dsn());
    pqxx::nontransaction txn(conn);
    return txn.exec(query)[0][0].as<std::int64_t>();
}

void execute(const std::string& statement) {
    pqxx::connection conn(TestCluster::instance().dsn());
    pqxx::nontransaction txn(conn);
    txn.exec(statement);
}

TEST_CASE("migrations are idempotent") {
    const std::string dsn = TestCluster::instance().dsn();
    const MigrationReport first = migrate(dsn);  // the cluster migrated already
    CHECK(first.applied.empty());
    REQUIRE_FALSE(first.already_applied.empty());
    CHECK(first.already_applied.front() == "0001_initial.sql");
    const MigrationReport second = migrate(dsn);
    CHECK(second.applied.empty());
    CHECK(second.already_applied == first.already_applied);
    CHECK(query_int("SELECT count(*) FROM schema_migrations") ==
          static_cast<std::int64_t>(first.already_applied.size()));
    for (const char* table : {"users", "tokens", "totals", "signatures", "preferences",
                              "schema_migrations", "user_stats", "history", "quarantine"}) {
        CAPTURE(table);
        CHECK(query_int(std::string("SELECT count(*) FROM pg_class WHERE relname = '") + table +
                        "'") == 1);
    }
}

TEST_CASE("migrations: two processes at once apply each file once") {
    const std::string dsn = fresh_database("migrate_race");
    std::atomic<int> applied{0};
    std::atomic<int> failures{0};
    const auto run = [&] {
        try {
            applied += static_cast<int>(migrate(dsn).applied.size());
        } catch (const std::exception& e) {
            MESSAGE(e.what());
            ++failures;
        }
    };
    std::thread a(run);
    std::thread b(run);
    a.join();
    b.join();
    CHECK(failures == 0);
    CHECK(applied == static_cast<int>(load_migrations(find_schema_dir()).size()));
}

TEST_CASE("migrations: an edited migration is refused, a failing one rolled back") {
    const std::string dsn = fresh_database("migrate_edit");
    const fs::path dir = TestCluster::make_temp_dir("dspamd-schema");
    fs::copy(find_schema_dir(), dir);
    CHECK(migrate(dsn, dir).applied.size() == load_migrations(dir).size());
    { std::ofstream(dir / "0001_initial.sql", std::ios::app) << "\n-- edited\n"; }
    CHECK_THROWS_AS(migrate(dsn, dir), MigrationError);
    fs::remove(dir / "0001_initial.sql");
    fs::copy(find_schema_dir() / "0001_initial.sql", dir / "0001_initial.sql");
    {
        std::ofstream(dir / "9999_broken.sql")
            << "CREATE TABLE half_done (x int);\nSELECT no_such_function();\n";
    }
    CHECK_THROWS_AS(migrate(dsn, dir), MigrationError);
    pqxx::connection conn(dsn);
    pqxx::nontransaction txn(conn);
    CHECK(txn.exec("SELECT count(*) FROM pg_class WHERE relname = 'half_done'")[0][0].as<int>() ==
          0);
    CHECK(txn.exec("SELECT count(*) FROM schema_migrations WHERE version = 9999")[0][0].as<int>() ==
          0);
    fs::remove_all(dir);
    CHECK_THROWS_AS(find_schema_dir("/nonexistent/schema"), MigrationError);
}

TEST_CASE("pg store: users") {
    PgStore store = make_store();
    contract::check_users(store, "users-");
    // Ids survive a new store (process): they come from the table.
    PgStore other = make_store();
    CHECK(other.user_id("users-alice@example.com") == store.user_id("users-alice@example.com"));
}

TEST_CASE("pg store: fetch and apply round trip") {
    PgStore store = make_store();
    contract::check_fetch_apply(store, "roundtrip-");
}

TEST_CASE("pg store: counts never negative") {
    PgStore store = make_store();
    contract::check_never_negative(store, "negative-");
    CHECK(query_int("SELECT count(*) FROM tokens WHERE spam_hits < 0 OR innocent_hits < 0") == 0);
}

TEST_CASE("pg store: token rows") {
    PgStore store = make_store();
    contract::check_token_rows(store, "rows-");
    contract::check_scan_tokens(store, "scan-");
}

TEST_CASE("pg store: tokens belong to an existing user; deleting the user deletes them") {
    PgStore store = make_store();
    const UserId user = store.user_id("owner-deleted");
    store.apply(user, contract::make_delta({{1, 1, 0}, {2, 0, 1}}), nullptr);
    CHECK(query_int("SELECT count(*) FROM tokens WHERE user_id = " + std::to_string(user)) == 2);
    execute("DELETE FROM users WHERE id = " + std::to_string(user));
    CHECK(query_int("SELECT count(*) FROM tokens WHERE user_id = " + std::to_string(user)) == 0);
    // Learning for a user that is gone is refused, not written.
    CHECK_THROWS_AS(store.apply(user, contract::make_delta({{3, 1, 0}}), nullptr),
                    std::invalid_argument);
    CHECK(query_int("SELECT count(*) FROM tokens WHERE user_id = " + std::to_string(user)) == 0);
}

TEST_CASE("pg store: weights") {
    PgStore store = make_store();
    contract::check_weights(store, "weights-");
    // Rows created with a negative hit and a weight were clamped, not dropped.
    CHECK(query_int("SELECT count(*) FROM tokens WHERE spam_hits < 0 OR innocent_hits < 0") == 0);
    CHECK(query_int("SELECT count(*) FROM tokens t JOIN users u ON u.id = t.user_id"
                    " WHERE u.name = 'weights-weights' AND weight <> 0") == 2);
}

TEST_CASE("pg store: merged group") {
    PgStore store = make_store();
    contract::check_merged_group(store, "merged-");
}

TEST_CASE("pg store: statistics view") {
    PgStore store = make_store();
    contract::check_stats(store, "stats-");
    // The view alone answers dspam_stats in one SELECT, for psql users too.
    pqxx::connection conn(TestCluster::instance().dsn());
    pqxx::nontransaction txn(conn);
    const pqxx::row row = txn.exec1(
        "SELECT true_positives, true_negatives, false_positives, false_negatives,"
        " round(accuracy::numeric, 4) FROM user_stats WHERE user_name = 'stats-stats'");
    CHECK(row[0].as<std::int64_t>() == 42);
    CHECK(row[1].as<std::int64_t>() == 128);
    CHECK(row[2].as<std::int64_t>() == 2);
    CHECK(row[3].as<std::int64_t>() == 4);
    CHECK(row[4].as<double>() == doctest::Approx(96.5909));
}

TEST_CASE("pg store: signatures round trip and purge") {
    PgStore store = make_store();
    contract::check_signatures(store, "sig-");
    const UserId user = store.user_id("sig-purge");
    Signature signature;
    signature.learned = {1, 2, 3};
    const SignatureRecord old_record{"old", signature};
    const SignatureRecord new_record{"new", signature};
    store.apply(user, TrainingDelta{}, &old_record);
    store.apply(user, TrainingDelta{}, &new_record);
    execute("UPDATE signatures SET created = now() - interval '20 days' WHERE id = 'old'");
    CHECK(store.purge_signatures(14) == 1);
    CHECK_FALSE(store.load_signature(user, "old").has_value());
    CHECK(store.load_signature(user, "new") == signature);
    CHECK(store.purge_signatures(14) == 0);
    CHECK_THROWS_AS(store.purge_signatures(-1), std::invalid_argument);
    // Compact: a signature of 600 tokens takes little room.
    Signature big;
    for (Token t = 0; t < 600; ++t) {
        big.learned.push_back(t * 7919 + (Token{1} << 40));
    }
    const SignatureRecord big_record{"big", big};
    store.apply(user, TrainingDelta{}, &big_record);
    CHECK(store.load_signature(user, "big") == big);
    CHECK(query_int("SELECT octet_length(data) FROM signatures WHERE id = 'big'") < 600 * 4);
}

TEST_CASE("pg store: signatures in batches, one statement") {
    PgStore store = make_store();
    contract::check_signature_batch(store, "sigbatch-");
    // 200 signatures of 600 tokens in one transaction.
    const UserId user = store.user_id("sigbatch-many");
    std::vector<SignatureRecord> records;
    for (Token i = 0; i < 200; ++i) {
        Signature signature;
        for (Token t = 0; t < 600; ++t) {
            signature.learned.push_back(t * 7919 + i);
        }
        records.push_back({"many-" + std::to_string(i), signature});
    }
    store.apply_batch(user, TrainingDelta{}, records);
    CHECK(query_int("SELECT count(*) FROM signatures WHERE id LIKE 'many-%'") == 200);
    for (const SignatureRecord& record : records) {
        CHECK(store.load_signature(user, record.id) == record.signature);
    }
}

TEST_CASE("pg store: token purge like DSPAM's purge.sql") {
    PgStore store = make_store();
    const UserId user = store.user_id("purge-tokens");
    // 1: little weight, 2: hapax, 3: heavy, 4: heavy but unused for long, 5: fresh hapax,
    // 6: no hits, a fresh logistic weight, 7: no hits and a weight back at 0 (empty)
    store.apply(user,
                contract::make_delta({{1, 2, 1},
                                      {2, 1, 0},
                                      {3, 50, 50},
                                      {4, 50, 50},
                                      {5, 0, 1},
                                      {6, 0, 0, -4},
                                      {7, 0, 0, 3}}),
                nullptr);
    store.apply(user, contract::make_delta({{7, 0, 0, -3}}), nullptr);
    const std::string uid = std::to_string(user);
    execute("UPDATE tokens SET last_hit = current_date - 61 WHERE user_id = " + uid +
            " AND token IN (1, 3)");
    execute("UPDATE tokens SET last_hit = current_date - 16 WHERE user_id = " + uid +
            " AND token = 2");
    execute("UPDATE tokens SET last_hit = current_date - 91 WHERE user_id = " + uid +
            " AND token = 4");
    TokenPurgeOptions options;
    options.batch_size = 1;  // exercises the batching
    CHECK(store.purge_tokens(options) >= 4);
    const std::vector<Token> tokens = {1, 2, 3, 4, 5, 6};
    const Snapshot snapshot = store.fetch(user, tokens);
    CHECK(snapshot.stats[5].counts == Counts{0, 0, -4});
    CHECK(query_int("SELECT count(*) FROM tokens WHERE user_id = " + uid + " AND token = 7") == 0);
    CHECK(snapshot.stats[0].counts == Counts{});
    CHECK(snapshot.stats[1].counts == Counts{});
    CHECK(snapshot.stats[2].counts == Counts{50, 50});
    CHECK(snapshot.stats[3].counts == Counts{});
    CHECK(snapshot.stats[4].counts == Counts{0, 1});
}

TEST_CASE("pg store: preferences") {
    PgStore store = make_store();
    contract::check_preferences(store, "prefs-");
}

TEST_CASE("pg store: history") {
    PgStore store = make_store();
    contract::check_history(store, "pg-");
}

TEST_CASE("pg store: history in batches") {
    PgStore store = make_store();
    contract::check_history_batch(store, "pgbatch-");
}

TEST_CASE("pg store: quarantine") {
    PgStore store = make_store();
    contract::check_quarantine(store, "pg-");
    // SQL users read the recipients as an array.
    CHECK(query_int("SELECT count(*) FROM quarantine WHERE queue_id = 'pg-QID1'"
                    " AND recipients = ARRAY['alice@example.com', 'bob@example.com']") == 2);
    CHECK(query_int("SELECT count(*) FROM quarantine WHERE queue_id = 'pg-QID2'"
                    " AND cardinality(recipients) = 0 AND signature IS NULL") == 1);
}

TEST_CASE("pg store: concurrent learners on overlapping tokens") {
    const std::int64_t deadlocks_before =
        query_int("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()");
    PgStore setup = make_store();
    const UserId user = setup.user_id("concurrent");
    constexpr int k_rounds = 150;
    constexpr Token k_tokens = 300;
    std::atomic<int> failures{0};
    // Two stores: two pools, as two daemons would have.
    const auto learner = [&](Token first, std::int32_t spam, std::int32_t innocent) {
        PgStore store = make_store();
        std::vector<TokenDelta> deltas;
        for (Token t = first; t < first + k_tokens; ++t) {
            // Spread over the whole uint64 range, negative bigints included.
            deltas.push_back({t * 0x9E3779B97F4A7C15ULL, spam, innocent});
        }
        Totals totals;
        totals.spam_learned = spam;
        totals.innocent_learned = innocent;
        const TrainingDelta delta = contract::make_delta(deltas, totals);
        for (int i = 0; i < k_rounds; ++i) {
            try {
                store.apply(user, delta, nullptr);
            } catch (const std::exception& e) {
                MESSAGE(e.what());
                ++failures;
            }
        }
    };
    std::thread a(learner, 0, 1, 0);
    std::thread b(learner, k_tokens / 2, 0, 1);
    a.join();
    b.join();
    CHECK(failures == 0);
    std::vector<Token> tokens;
    for (Token t = 0; t < k_tokens + k_tokens / 2; ++t) {
        tokens.push_back(t * 0x9E3779B97F4A7C15ULL);
    }
    std::vector<Token> sorted = tokens;
    std::sort(sorted.begin(), sorted.end());
    const Snapshot snapshot = setup.fetch(user, sorted);
    std::map<Token, Counts> counts;
    for (const TokenStat& stat : snapshot.stats) {
        counts[stat.token] = stat.counts;
    }
    for (Token t = 0; t < k_tokens + k_tokens / 2; ++t) {
        const Counts expected{t < k_tokens ? k_rounds : 0, t >= k_tokens / 2 ? k_rounds : 0};
        CAPTURE(t);
        CHECK(counts[t * 0x9E3779B97F4A7C15ULL] == expected);
    }
    CHECK(snapshot.totals.spam_learned == k_rounds);
    CHECK(snapshot.totals.innocent_learned == k_rounds);
    CHECK(query_int("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()") ==
          deadlocks_before);
}

TEST_CASE("pg store: a statement timeout is StoreUnavailable") {
    PgStoreOptions options = options_for(TestCluster::instance().dsn());
    options.statement_timeout_ms = 300;
    PgStore store(options);
    const UserId user = store.user_id("timeout");
    Totals totals;
    totals.spam_learned = 1;
    store.apply(user, contract::make_delta({}, totals), nullptr);
    // Another session holds the user's totals row: the apply waits, then times out.
    pqxx::connection blocker(TestCluster::instance().dsn());
    pqxx::work hold(blocker);
    hold.exec("SELECT * FROM totals WHERE user_id = " + std::to_string(user) + " FOR UPDATE");
    CHECK_THROWS_AS(store.apply(user, contract::make_delta({{1, 1, 0}}, totals), nullptr),
                    StoreUnavailable);
    hold.abort();
    // The connection stays usable and nothing of the failed apply remains.
    CHECK(contract::counts_of(store, user, 1) == Counts{});
    store.apply(user, contract::make_delta({{1, 1, 0}}, totals), nullptr);
    CHECK(contract::counts_of(store, user, 1) == Counts{1, 0});
}

TEST_CASE("pg store: StoreUnavailable while the server is down, then recovers") {
    EmbeddedCluster& cluster = TestCluster::instance().cluster();
    PgStore store = make_store();
    const UserId user = store.user_id("downtime");
    store.apply(user, contract::make_delta({{1, 1, 0}}), nullptr);
    CHECK(contract::counts_of(store, user, 1) == Counts{1, 0});

    cluster.stop();
    CHECK_FALSE(cluster.running());
    const std::vector<Token> tokens = {1};
    CHECK_THROWS_AS(store.fetch(user, tokens), StoreUnavailable);
    CHECK_THROWS_AS(store.apply(user, contract::make_delta({{1, 1, 0}}), nullptr),
                    StoreUnavailable);
    PgStore fresh = make_store();
    CHECK_THROWS_AS(fresh.user_id("downtime-new"), StoreUnavailable);
    CHECK_THROWS_AS(migrate(TestCluster::instance().dsn()), StoreUnavailable);

    cluster.start();
    CHECK(cluster.running());
    // The pool replaced its broken connections: the same store works again.
    CHECK(contract::counts_of(store, user, 1) == Counts{1, 0});
    store.apply(user, contract::make_delta({{1, 1, 0}}), nullptr);
    CHECK(contract::counts_of(store, user, 1) == Counts{2, 0});
    CHECK(fresh.user_id("downtime-new") > 0);
}

TEST_CASE("pg store: bad options and DSNs") {
    PgStoreOptions options = options_for(TestCluster::instance().dsn());
    options.pool_size = 0;
    CHECK_THROWS_AS(PgStore{options}, std::invalid_argument);
    options = options_for("host=/tmp dbname='unterminated");
    CHECK_THROWS_AS(PgStore{options}, std::invalid_argument);
    // A URI works as well as key=value.
    options = options_for("postgresql:///dspamd?host=" +
                          TestCluster::instance().cluster().socket_dir().string() + "&user=dspamd");
    PgStore uri_store(options);
    CHECK(uri_store.user_id("uri-user") > 0);
    CHECK(uri_store.conninfo().find("connect_timeout='3'") == std::string::npos);
    CHECK(uri_store.conninfo().find("connect_timeout=3") != std::string::npos);
}

}  // namespace
}  // namespace dspamd
