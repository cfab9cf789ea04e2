// Measures PgStore's two hot statements on a warm table (100k tokens of one
// user, messages of 600 tokens): fetch and apply through libpqxx with text
// array literals, against the same statements through libpq with binary
// parameters and results. Not a test; run by hand, figures go into
// storage/pg_store.cpp. Starts its own private cluster (test_cluster.h).
#include <libpq-fe.h>

#include <pqxx/pqxx>

#include <arpa/inet.h>
#include <algorithm>
#include <bit>
#include <chrono>
#include <cstring>
#include <functional>
#include <iomanip>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "storage/pg_store.h"
#include "storage/sql.h"
#include "test/storage/test_cluster.h"

namespace {

using namespace dspamd;

constexpr std::size_t k_table_tokens = 100000;
constexpr std::size_t k_message_tokens = 600;
constexpr std::size_t k_new_per_message = 60;  // a message brings some unseen tokens
constexpr int k_runs = 200;
constexpr unsigned k_int8_oid = 20;

double median_ms(std::vector<double> samples) {
    std::sort(samples.begin(), samples.end());
    return samples[samples.size() / 2];
}

double time_ms(const std::function<void()>& work) {
    const auto start = std::chrono::steady_clock::now();
    work();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

void put_u32(std::string& out, std::uint32_t v) {
    v = htonl(v);
    out.append(reinterpret_cast<const char*>(&v), 4);
}

void put_i64(std::string& out, std::int64_t value) {
    const auto v = std::bit_cast<std::uint64_t>(value);
    put_u32(out, static_cast<std::uint32_t>(v >> 32));
    put_u32(out, static_cast<std::uint32_t>(v));
}

std::int64_t get_i64(const char* p) {
    std::uint32_t hi;
    std::uint32_t lo;
    std::memcpy(&hi, p, 4);
    std::memcpy(&lo, p + 4, 4);
    return std::bit_cast<std::int64_t>((std::uint64_t{ntohl(hi)} << 32) | ntohl(lo));
}

// PostgreSQL's binary array format: one dimension, no NULLs, int8 elements.
std::string binary_int8_array(const std::vector<std::int64_t>& values) {
    std::string out;
    out.reserve(20 + values.size() * 12);
    put_u32(out, 1);
    put_u32(out, 0);
    put_u32(out, k_int8_oid);
    put_u32(out, static_cast<std::uint32_t>(values.size()));
    put_u32(out, 1);
    for (const std::int64_t v : values) {
        put_u32(out, 8);
        put_i64(out, v);
    }
    return out;
}

class RawConnection {
public:
    explicit RawConnection(const std::string& dsn) : m_conn(PQconnectdb(dsn.c_str())) {
        if (PQstatus(m_conn) != CONNECTION_OK) {
            throw std::runtime_error(PQerrorMessage(m_conn));
        }
        for (const char* name : {sql::k_fetch, sql::k_apply_tokens, sql::k_apply_totals}) {
            check(
                PQprepare(m_conn, name, std::string(sql::statement_text(name)).c_str(), 0, nullptr),
                PGRES_COMMAND_OK);
        }
    }
    ~RawConnection() { PQfinish(m_conn); }

    PGresult* check(PGresult* result, ExecStatusType expected) {
        if (PQresultStatus(result) != expected) {
            const std::string message = PQresultErrorMessage(result);
            PQclear(result);
            throw std::runtime_error(message);
        }
        return result;
    }

    void exec(const char* command) { PQclear(check(PQexec(m_conn, command), PGRES_COMMAND_OK)); }

    // params: binary values; result in `format`.
    PGresult* prepared(const char* name, const std::vector<std::string>& params, int format,
                       ExecStatusType expected) {
        std::vector<const char*> values;
        std::vector<int> lengths;
        std::vector<int> formats;
        for (const std::string& p : params) {
            values.push_back(p.data());
            lengths.push_back(static_cast<int>(p.size()));
            formats.push_back(1);
        }
        return check(PQexecPrepared(m_conn, name, static_cast<int>(params.size()), values.data(),
                                    lengths.data(), formats.data(), format),
                     expected);
    }

private:
    PGconn* m_conn;
};

std::string binary_int8(std::int64_t v) {
    std::string out;
    put_i64(out, v);
    return out;
}

}  // namespace

int main() {
    try {
        auto& cluster = test::TestCluster::instance();
        PgStoreOptions options;
        options.dsn = cluster.dsn();
        options.pool_size = 1;
        PgStore store(options);
        const UserId user = store.user_id("bench");

        std::mt19937_64 random(42);
        std::vector<Token> table(k_table_tokens);
        for (Token& t : table) {
            t = random();
        }
        for (std::size_t i = 0; i < table.size(); i += 1000) {
            std::vector<TokenDelta> deltas;
            for (std::size_t k = i; k < i + 1000; ++k) {
                deltas.push_back({table[k], 3, 2});
            }
            std::sort(deltas.begin(), deltas.end(),
                      [](const auto& a, const auto& b) { return a.token < b.token; });
            store.apply(user, TrainingDelta{deltas, {}}, nullptr);
        }
        {
            pqxx::connection conn(cluster.dsn());
            pqxx::nontransaction txn(conn);
            txn.exec("VACUUM ANALYZE tokens");
        }

        const auto make_message = [&] {
            std::vector<Token> message;
            for (std::size_t i = 0; i < k_message_tokens - k_new_per_message; ++i) {
                message.push_back(table[random() % table.size()]);
            }
            for (std::size_t i = 0; i < k_new_per_message; ++i) {
                message.push_back(random());
            }
            std::sort(message.begin(), message.end());
            message.erase(std::unique(message.begin(), message.end()), message.end());
            return message;
        };
        const auto as_delta = [&](const std::vector<Token>& message) {
            TrainingDelta delta;
            for (const Token t : message) {
                delta.tokens.push_back({t, 1, 0});
            }
            delta.totals.spam_learned = 1;
            return delta;
        };
        const auto db_tokens = [](const std::vector<Token>& message) {
            std::vector<std::int64_t> out;
            for (const Token t : message) {
                out.push_back(std::bit_cast<std::int64_t>(t));
            }
            return out;
        };

        // Warm up both paths (prepares, caches).
        RawConnection raw(cluster.dsn());
        for (int i = 0; i < 20; ++i) {
            const auto message = make_message();
            (void)store.fetch(user, message);
        }

        std::vector<double> fetch_text;
        std::vector<double> fetch_binary;
        std::vector<double> apply_text;
        std::vector<double> apply_binary;
        std::vector<double> apply_async;
        std::size_t rows_text = 0;
        std::size_t rows_binary = 0;
        for (int run = 0; run < k_runs; ++run) {
            const auto message = make_message();
            fetch_text.push_back(
                time_ms([&] { rows_text += store.fetch(user, message).stats.size(); }));
            const auto message2 = make_message();
            fetch_binary.push_back(time_ms([&] {
                const std::vector<std::string> params = {binary_int8(user),
                                                         binary_int8_array(db_tokens(message2))};
                PGresult* result = raw.prepared(sql::k_fetch, params, 1, PGRES_TUPLES_OK);
                Snapshot snapshot;
                for (int r = 0; r < PQntuples(result); ++r) {
                    if (!PQgetisnull(result, r, 0)) {
                        snapshot.stats.push_back(
                            TokenStat{std::bit_cast<Token>(get_i64(PQgetvalue(result, r, 0))),
                                      Counts{get_i64(PQgetvalue(result, r, 1)),
                                             get_i64(PQgetvalue(result, r, 2))}});
                    }
                }
                rows_binary += snapshot.stats.size();
                PQclear(result);
            }));
            const auto message3 = make_message();
            const TrainingDelta delta = as_delta(message3);
            apply_text.push_back(time_ms([&] { store.apply(user, delta, nullptr); }));
            const auto binary_apply = [&](const std::vector<Token>& sample) {
                const std::vector<std::int64_t> tokens = db_tokens(sample);
                const std::vector<std::int64_t> ones(tokens.size(), 1);
                const std::vector<std::int64_t> zeros(tokens.size(), 0);
                raw.exec("BEGIN");
                PQclear(raw.prepared(sql::k_apply_tokens,
                                     {binary_int8(user), binary_int8_array(tokens),
                                      binary_int8_array(ones), binary_int8_array(zeros)},
                                     1, PGRES_COMMAND_OK));
                std::vector<std::string> totals = {binary_int8(user), binary_int8(1)};
                for (int k = 0; k < 7; ++k) {
                    totals.push_back(binary_int8(0));
                }
                PQclear(raw.prepared(sql::k_apply_totals, totals, 1, PGRES_COMMAND_OK));
                raw.exec("COMMIT");
            };
            const auto message4 = make_message();
            apply_binary.push_back(time_ms([&] { binary_apply(message4); }));
            // The same without waiting for the WAL flush: what the commit costs.
            const auto message5 = make_message();
            raw.exec("SET synchronous_commit = off");
            apply_async.push_back(time_ms([&] { binary_apply(message5); }));
            raw.exec("SET synchronous_commit = on");
        }
        std::cout << std::fixed << std::setprecision(2) << "table " << k_table_tokens
                  << " tokens, messages of ~" << k_message_tokens << " tokens, " << k_runs
                  << " runs, medians:\n"
                  << "  fetch text (libpqxx)   " << median_ms(fetch_text) << " ms\n"
                  << "  fetch binary (libpq)   " << median_ms(fetch_binary) << " ms\n"
                  << "  apply text (libpqxx)   " << median_ms(apply_text) << " ms\n"
                  << "  apply binary (libpq)   " << median_ms(apply_binary) << " ms\n"
                  << "  apply binary, synchronous_commit off " << median_ms(apply_async) << " ms\n"
                  << "  (rows read: " << rows_text << " / " << rows_binary << ")\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "pg_store_bench: " << e.what() << '\n';
        return 1;
    }
}
