// PgStore: the Store on PostgreSQL. Every statement is a named one from
// storage/sql.cpp; this file binds parameters, reads results and maps
// libpqxx's errors to the store's: connection trouble and timeouts to
// StoreUnavailable, serialization failures and deadlocks to a retry, bad
// input caught by the schema's constraints to std::invalid_argument.
//
// Arrays (tokens; the signatures and history rows of a write-back) travel as
// text array literals ({1,-2,3} and {"a","b"}) through libpqxx.
// Measured with test/storage/pg_store_bench (2-core machine shared with other
// builds, load average ~8; PostgreSQL 15 on a unix socket; one user with a
// warm table of 100k tokens; messages of 600 tokens, 540 known; medians of
// 200 runs, three runs):
//   fetch, text arrays via libpqxx         9.4 / 10.5 / 16.6 ms
//   fetch, binary params+results (libpq)   8.1 /  8.3 / 13.3 ms
//   apply, text arrays via libpqxx        19.7 / 19.9 / 26.7 ms  (BEGIN, upsert, totals, COMMIT)
//   apply, binary params (libpq)          21.4 / 22.3 / 27.9 ms
//   apply, binary, synchronous_commit off                24.3 ms
// (the third run under more load). EXPLAIN ANALYZE puts most of a fetch in
// the server's index scan (one btree descent per array element, ~2400
// buffer hits for 600 tokens), and most of an apply is the 600-row upsert
// itself (not waiting for the WAL flush saves ~13 %). The wire format is not
// what costs: binary arrays save ~15-20 % of a fetch, partly client-side
// parsing, and nothing on apply. Not worth a second client API beside
// libpqxx (whose connection hides its PGconn), so text arrays it is.
#include "storage/pg_store.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <pqxx/pqxx>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "storage/limits.h"
#include "storage/sql.h"

namespace dspamd {

namespace {

constexpr int k_max_user_ensure_attempts = 3;
constexpr std::size_t k_signature_chunk_bytes = 64 << 20;

std::int64_t to_db(Token token) {
    return std::bit_cast<std::int64_t>(token);
}

Token from_db(std::int64_t value) {
    return std::bit_cast<Token>(value);
}

// A PostgreSQL array literal of integers: "{1,-2,3}".
template <typename Range, typename Convert>
std::string array_literal(const Range& values, Convert convert) {
    std::string text;
    text.reserve(values.size() * 21 + 2);
    text += '{';
    char buffer[32];  // the longest int64 or shortest round-trip double fits
    bool first = true;
    for (const auto& value : values) {
        if (!first) {
            text += ',';
        }
        first = false;
        const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), convert(value));
        text.append(buffer, end);
    }
    text += '}';
    return text;
}

// A PostgreSQL array literal of text, every element quoted so that commas,
// braces, blanks and the word NULL stay data: {"a","b\"c"}.
template <typename Range, typename Text>
std::string text_array_literal(const Range& values, Text text_of) {
    std::string text = "{";
    for (const auto& value : values) {
        if (text.size() > 1) {
            text += ',';
        }
        text += '"';
        const auto& element = text_of(value);  // may be a temporary string: kept alive
        for (const char c : std::string_view(element)) {
            if (c == '"' || c == '\\') {
                text += '\\';
            }
            text += c;
        }
        text += '"';
    }
    text += '}';
    return text;
}

// Signatures for k_signatures_store: end to end in binary parameters of at
// most k_signature_chunk_bytes (PostgreSQL takes up to 1 GB in one value),
// each with where its signatures start and how long they are.
struct SignatureChunk {
    std::string ids;
    std::string bytes;
    std::string starts;
    std::string lengths;
};

std::vector<SignatureChunk> chunk_signatures(std::span<const SignatureRecord* const> records) {
    std::vector<SignatureChunk> chunks;
    for (std::size_t first = 0; first < records.size();) {
        std::string bytes;
        std::vector<std::int64_t> starts;
        std::vector<std::int64_t> lengths;
        std::size_t end = first;
        for (; end < records.size() && (end == first || bytes.size() < k_signature_chunk_bytes);
             ++end) {
            const std::string encoded = encoded_signature(*records[end]);
            starts.push_back(static_cast<std::int64_t>(bytes.size()) + 1);
            lengths.push_back(static_cast<std::int64_t>(encoded.size()));
            bytes += encoded;
        }
        const auto as_is = [](std::int64_t v) { return v; };
        chunks.push_back(SignatureChunk{
            text_array_literal(records.subspan(first, end - first),
                               [](const SignatureRecord* r) { return std::string_view(r->id); }),
            std::move(bytes), array_literal(starts, as_is), array_literal(lengths, as_is)});
        first = end;
    }
    return chunks;
}

bool is_connection_state(const std::string& state) {
    // 08: connection exception; 57P01..57P03: the server is shutting down or
    // not yet accepting connections.
    return state.starts_with("08") || state.starts_with("57P");
}

bool is_unavailable_state(const std::string& state) {
    // 57014 statement_timeout (query_canceled), 53300 too_many_connections.
    return is_connection_state(state) || state == "57014" || state == "53300";
}

bool is_input_state(const std::string& state) {
    // 22: data exception (bad encoding, out of range); 23503 a foreign key
    // (unknown user or group); 23514 a check constraint.
    return state.starts_with("22") || state == "23503" || state == "23514";
}

Totals read_totals(const pqxx::row& row, pqxx::row::size_type first) {
    Totals totals;
    totals.spam_learned = row[first].as<std::int64_t>();
    totals.innocent_learned = row[first + 1].as<std::int64_t>();
    totals.spam_misclassified = row[first + 2].as<std::int64_t>();
    totals.innocent_misclassified = row[first + 3].as<std::int64_t>();
    totals.spam_corpusfed = row[first + 4].as<std::int64_t>();
    totals.innocent_corpusfed = row[first + 5].as<std::int64_t>();
    totals.spam_classified = row[first + 6].as<std::int64_t>();
    totals.innocent_classified = row[first + 7].as<std::int64_t>();
    return totals;
}

}  // namespace

PgStore::PgStore(PgStoreOptions options)
    : m_options(std::move(options)),
      m_pool(PgPoolOptions{m_options.dsn, m_options.pool_size, m_options.connect_timeout_ms,
                           m_options.statement_timeout_ms},
             [](pqxx::connection& conn) { sql::prepare_store_statements(conn); }) {
    if (m_options.max_retries < 0) {
        throw std::invalid_argument("database max_retries must not be negative");
    }
}

// Runs `work` on a leased connection. Serialization failures and deadlocks
// are retried up to max_retries times; a broken connection once more on a
// fresh connection (after a server restart the idle ones are all dead) --
// safe because an interrupted transaction was never committed; "in doubt"
// commits are never retried.
template <typename Work>
auto PgStore::run(const char* what, Work&& work) {
    bool reconnected = false;
    for (int attempt = 0;; ++attempt) {
        PgPool::Lease lease = m_pool.lease();
        const auto retry_or_give_up = [&](const std::exception& e) {
            if (attempt >= m_options.max_retries) {
                throw StoreUnavailable(std::string(what) + ": gave up after " +
                                       std::to_string(attempt + 1) + " attempts: " + e.what());
            }
            // A short, growing pause lets the other transaction finish.
            std::this_thread::sleep_for(std::chrono::milliseconds(2 * (attempt + 1)));
        };
        try {
            return work(lease.connection());
        } catch (const pqxx::in_doubt_error& e) {
            lease.discard();
            throw StoreUnavailable(std::string(what) +
                                   ": connection lost during commit, outcome unknown: " + e.what());
        } catch (const pqxx::statement_completion_unknown& e) {
            lease.discard();
            throw StoreUnavailable(std::string(what) + ": " + e.what());
        } catch (const pqxx::serialization_failure& e) {
            retry_or_give_up(e);
        } catch (const pqxx::deadlock_detected& e) {
            retry_or_give_up(e);
        } catch (const pqxx::broken_connection& e) {
            lease.discard();
            m_pool.clear_idle();
            if (reconnected) {
                throw StoreUnavailable(std::string(what) + ": " + e.what());
            }
            reconnected = true;
            --attempt;
        } catch (const pqxx::sql_error& e) {
            const std::string state = e.sqlstate();
            if (state == "40001" || state == "40P01") {
                retry_or_give_up(e);
            } else if (is_unavailable_state(state)) {
                if (is_connection_state(state)) {
                    lease.discard();
                    m_pool.clear_idle();
                }
                throw StoreUnavailable(std::string(what) + ": " + e.what());
            } else if (is_input_state(state)) {
                throw std::invalid_argument(std::string(what) + ": " + e.what());
            } else {
                throw;
            }
        }
        if (!lease.connection().is_open()) {
            lease.discard();
        }
    }
}

UserId PgStore::user_id(std::string_view name) {
    check_user_name(name);
    const std::string key(name);
    {
        std::lock_guard lock(m_users_mutex);
        if (const auto found = m_user_ids.find(key); found != m_user_ids.end()) {
            return found->second;
        }
    }
    for (int attempt = 0; attempt < k_max_user_ensure_attempts; ++attempt) {
        const std::optional<UserId> id =
            run("create user", [&](pqxx::connection& conn) -> std::optional<UserId> {
                pqxx::work txn(conn);
                const pqxx::result result = txn.exec_prepared(sql::k_user_ensure, key);
                txn.commit();
                if (result.empty()) {
                    return std::nullopt;
                }
                return result[0][0].as<UserId>();
            });
        if (id) {
            std::lock_guard lock(m_users_mutex);
            m_user_ids.emplace(key, *id);
            return *id;
        }
    }
    throw std::runtime_error("user '" + key + "' could neither be created nor found");
}

void PgStore::set_merge_group(UserId user, std::optional<UserId> group) {
    const auto affected = run("set merge group", [&](pqxx::connection& conn) {
        pqxx::work txn(conn);
        const pqxx::result result = group ? txn.exec_prepared(sql::k_user_set_group, user, *group)
                                          : txn.exec_prepared(sql::k_user_set_group, user, nullptr);
        txn.commit();
        return result.affected_rows();
    });
    if (affected == 0) {
        throw std::invalid_argument("set merge group: no user with id " + std::to_string(user));
    }
}

Snapshot PgStore::fetch(UserId user, std::span<const Token> tokens) {
    const std::string token_array = array_literal(tokens, to_db);
    const pqxx::result result = run("fetch", [&](pqxx::connection& conn) {
        pqxx::nontransaction txn(conn);
        return txn.exec_prepared(sql::k_fetch, user, token_array);
    });
    Snapshot snapshot;
    std::unordered_map<Token, Counts> found;
    found.reserve(result.size());
    for (const pqxx::row& row : result) {
        if (row[0].is_null()) {
            snapshot.totals = read_totals(row, 3);
        } else {
            found.emplace(from_db(row[0].as<std::int64_t>()),
                          Counts{row[1].as<std::int64_t>(), row[2].as<std::int64_t>(),
                                 row[sql::k_fetch_weight_column].as<std::int64_t>()});
        }
    }
    snapshot.stats.reserve(tokens.size());
    for (const Token token : tokens) {
        const auto hit = found.find(token);
        snapshot.stats.push_back(TokenStat{token, hit != found.end() ? hit->second : Counts{}});
    }
    return snapshot;
}

void PgStore::apply(UserId user, const TrainingDelta& delta, const SignatureRecord* signature) {
    apply_batch(user, delta,
                signature != nullptr ? std::span(signature, 1) : std::span<const SignatureRecord>());
}

void PgStore::apply_batch(UserId user, const TrainingDelta& delta,
                          std::span<const SignatureRecord> signatures) {
    std::vector<TokenDelta> changes;
    changes.reserve(delta.tokens.size());
    std::vector<Token> negative;
    for (const TokenDelta& change : delta.tokens) {
        if (change.empty()) {
            continue;
        }
        changes.push_back(change);
        if (change.spam < 0 || change.innocent < 0) {
            negative.push_back(change.token);
        }
    }
    // One row per id (the statement may touch a row only once): the later
    // signature of an id wins, as if they were applied one by one.
    std::vector<const SignatureRecord*> kept;
    std::unordered_set<std::string_view> seen;
    for (auto it = signatures.rbegin(); it != signatures.rend(); ++it) {
        check_signature_id(it->id);
        if (seen.insert(it->id).second) {
            kept.push_back(&*it);
        }
    }
    std::reverse(kept.begin(), kept.end());
    if (changes.empty() && delta.totals == Totals{} && kept.empty()) {
        return;
    }
    const std::string tokens =
        array_literal(changes, [](const TokenDelta& d) { return to_db(d.token); });
    const std::string spam =
        array_literal(changes, [](const TokenDelta& d) { return std::int64_t{d.spam}; });
    const std::string innocent =
        array_literal(changes, [](const TokenDelta& d) { return std::int64_t{d.innocent}; });
    const std::string weight = array_literal(changes, [](const TokenDelta& d) { return d.weight; });
    const std::string negative_tokens = array_literal(negative, to_db);
    const std::vector<SignatureChunk> signature_chunks = chunk_signatures(kept);
    const Totals& t = delta.totals;

    run("apply", [&](pqxx::connection& conn) {
        pqxx::work txn(conn);
        if (!changes.empty()) {
            if (txn.exec_prepared(sql::k_user_lock, user).empty()) {
                throw std::invalid_argument("apply: no user " + std::to_string(user));
            }
            txn.exec_prepared(sql::k_apply_tokens, user, tokens, spam, innocent, weight);
        }
        if (!negative.empty()) {
            txn.exec_prepared(sql::k_clamp_tokens, user, negative_tokens);
        }
        if (t != Totals{}) {
            txn.exec_prepared(sql::k_apply_totals, user, t.spam_learned, t.innocent_learned,
                              t.spam_misclassified, t.innocent_misclassified, t.spam_corpusfed,
                              t.innocent_corpusfed, t.spam_classified, t.innocent_classified);
        }
        for (const SignatureChunk& chunk : signature_chunks) {
            txn.exec_prepared(sql::k_signatures_store, user, chunk.ids,
                              pqxx::binarystring(chunk.bytes), chunk.starts, chunk.lengths);
        }
        txn.commit();
    });
}

std::optional<Signature> PgStore::load_signature(UserId user, std::string_view id) {
    const std::string key(id);
    const pqxx::result result = run("load signature", [&](pqxx::connection& conn) {
        pqxx::nontransaction txn(conn);
        return txn.exec_prepared(sql::k_signature_load, user, key);
    });
    if (result.empty()) {
        return std::nullopt;
    }
    const pqxx::binarystring data(result[0][0]);
    Signature signature;
    if (!decode_signature(data.str(), signature)) {
        throw std::runtime_error("signature '" + key + "' of user " + std::to_string(user) +
                                 " is malformed in the database");
    }
    return signature;
}

// Through a cursor, k_scan_chunk rows at a time: a table of tens of millions
// of rows never sits in memory, and every FETCH stays far under the
// statement timeout. A retry after a lost connection scans again from the
// start; the sink sees some tokens twice, which it tolerates.
void PgStore::scan_tokens(std::optional<UserId> user, const TokenChunkSink& sink) {
    constexpr int k_scan_chunk = 50'000;
    // A user id is a number: written into the cursor's query as it is.
    const std::string query =
        user ? "SELECT token FROM tokens WHERE user_id = " + std::to_string(*user) +
                   " OR user_id = (SELECT merge_group_id FROM users WHERE id = " +
                   std::to_string(*user) + ")"
             : std::string("SELECT token FROM tokens");
    run("scan tokens", [&](pqxx::connection& conn) {
        pqxx::read_transaction txn(conn);
        txn.exec0("DECLARE known_tokens NO SCROLL CURSOR FOR " + query);
        const std::string fetch = "FETCH FORWARD " + std::to_string(k_scan_chunk) +
                                  " FROM known_tokens";
        std::vector<Token> chunk;
        for (;;) {
            const pqxx::result rows = txn.exec(fetch);
            if (rows.empty()) {
                break;
            }
            chunk.clear();
            for (const auto& row : rows) {
                chunk.push_back(from_db(row[0].as<std::int64_t>()));
            }
            sink(chunk);
        }
        return 0;
    });
}

std::int64_t PgStore::token_rows(UserId user) {
    const pqxx::result result = run("count token rows", [&](pqxx::connection& conn) {
        pqxx::nontransaction txn(conn);
        return txn.exec_prepared(sql::k_token_rows, user);
    });
    return result[0][0].as<std::int64_t>();
}

std::map<std::string, std::string> PgStore::preferences(UserId user) {
    const pqxx::result result = run("load preferences", [&](pqxx::connection& conn) {
        pqxx::nontransaction txn(conn);
        return txn.exec_prepared(sql::k_preferences_load, user);
    });
    std::map<std::string, std::string> values;
    for (const pqxx::row& row : result) {
        values.emplace(row[0].as<std::string>(), row[1].as<std::string>());
    }
    return values;
}

void PgStore::set_preference(UserId user, std::string_view key, std::string_view value) {
    check_preference(key, value);
    const std::string k(key);
    const std::string v(value);
    run("set preference", [&](pqxx::connection& conn) {
        pqxx::work txn(conn);
        txn.exec_prepared(sql::k_preference_store, user, k, v);
        txn.commit();
    });
}

std::vector<UserStats> PgStore::stats(std::optional<std::string_view> user) {
    const std::string name = user ? std::string(*user) : std::string();
    const pqxx::result result = run("statistics", [&](pqxx::connection& conn) {
        pqxx::nontransaction txn(conn);
        return user ? txn.exec_prepared(sql::k_stats_user, name)
                    : txn.exec_prepared(sql::k_stats_all);
    });
    std::vector<UserStats> rows;
    rows.reserve(result.size());
    for (const pqxx::row& row : result) {
        UserStats stats;
        stats.user = row[0].as<std::string>();
        stats.totals = read_totals(row, 1);
        stats.true_positives = row[9].as<std::int64_t>();
        stats.true_negatives = row[10].as<std::int64_t>();
        stats.false_positives = row[11].as<std::int64_t>();
        stats.false_negatives = row[12].as<std::int64_t>();
        stats.accuracy = row[13].as<double>();
        rows.push_back(std::move(stats));
    }
    return rows;
}

void PgStore::record_history(UserId user, const HistoryEntry& entry) {
    const UserHistoryEntry row{user, entry};
    record_history_batch(std::span(&row, 1));
}

void PgStore::record_history_batch(std::span<const UserHistoryEntry> rows) {
    for (const UserHistoryEntry& row : rows) {
        check_history_entry(row.entry);
    }
    if (rows.empty()) {
        return;
    }
    using Row = UserHistoryEntry;
    const std::string users = array_literal(rows, [](const Row& r) { return r.user; });
    const std::string times = array_literal(rows, [](const Row& r) { return r.entry.time; });
    const std::string probabilities =
        array_literal(rows, [](const Row& r) { return r.entry.probability; });
    const auto texts = [&](std::string HistoryEntry::*field) {
        return text_array_literal(
            rows, [field](const Row& r) { return std::string_view(r.entry.*field); });
    };
    const std::string results = texts(&HistoryEntry::result);
    const std::string actions = texts(&HistoryEntry::action);
    const std::string senders = texts(&HistoryEntry::sender);
    const std::string subjects = texts(&HistoryEntry::subject);
    const std::string signatures = texts(&HistoryEntry::signature);
    const std::string queue_ids = texts(&HistoryEntry::queue_id);
    const std::string hosts = texts(&HistoryEntry::host);
    run("record history", [&](pqxx::connection& conn) {
        pqxx::work txn(conn);
        txn.exec_prepared(sql::k_history_insert, users, times, results, actions, senders, subjects,
                          probabilities, signatures, queue_ids, hosts);
        txn.commit();
    });
}

std::vector<HistoryEntry> PgStore::history(UserId user, std::size_t limit) {
    const auto rows = static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX));
    const pqxx::result result = run("read history", [&](pqxx::connection& conn) {
        pqxx::nontransaction txn(conn);
        return txn.exec_prepared(sql::k_history_recent, user, rows);
    });
    std::vector<HistoryEntry> entries;
    entries.reserve(result.size());
    for (const pqxx::row& row : result) {
        HistoryEntry entry;
        entry.time = row[0].as<std::int64_t>();
        entry.result = row[1].as<std::string>();
        entry.action = row[2].as<std::string>();
        entry.sender = row[3].as<std::string>();
        entry.subject = row[4].as<std::string>();
        entry.probability = row[5].as<double>();
        entry.signature = row[6].as<std::string>();
        entry.queue_id = row[7].as<std::string>();
        entry.host = row[8].as<std::string>();
        entries.push_back(std::move(entry));
    }
    return entries;
}

std::int64_t PgStore::purge_history(int older_than_days) {
    if (older_than_days < 0) {
        throw std::invalid_argument("purge history: days must not be negative");
    }
    return run("purge history", [&](pqxx::connection& conn) {
        pqxx::work txn(conn);
        const pqxx::result result = txn.exec_prepared(sql::k_history_purge, older_than_days);
        txn.commit();
        return static_cast<std::int64_t>(result.affected_rows());
    });
}

std::int64_t PgStore::add_quarantine(UserId user, const QuarantineEntry& entry) {
    check_quarantine_entry(entry);
    std::string recipients;
    for (const std::string& recipient : entry.recipients) {
        recipients += recipients.empty() ? "" : "\n";
        recipients += recipient;
    }
    return run("add quarantine", [&](pqxx::connection& conn) {
        pqxx::work txn(conn);
        const pqxx::result result = txn.exec_prepared(
            sql::k_quarantine_insert, user, entry.time, entry.queue_id, entry.host, entry.sender,
            recipients, entry.subject, entry.probability, entry.signature,
            pqxx::binarystring(entry.message), entry.message_size);
        txn.commit();
        return result[0][0].as<std::int64_t>();
    });
}

std::optional<QuarantineEntry> PgStore::find_quarantine_by_signature(UserId user,
                                                                     std::string_view signature) {
    const std::string id(signature);
    const pqxx::result result = run("find quarantine", [&](pqxx::connection& conn) {
        pqxx::nontransaction txn(conn);
        return txn.exec_prepared(sql::k_quarantine_by_signature, user, id);
    });
    if (result.empty()) {
        return std::nullopt;
    }
    const pqxx::row row = result[0];
    QuarantineEntry entry;
    entry.id = row[0].as<std::int64_t>();
    entry.time = row[1].as<std::int64_t>();
    entry.queue_id = row[2].as<std::string>();
    entry.host = row[3].as<std::string>();
    entry.sender = row[4].as<std::string>();
    const std::string recipients = row[5].as<std::string>();
    for (std::size_t start = 0; start < recipients.size();) {
        const std::size_t end = std::min(recipients.find('\n', start), recipients.size());
        entry.recipients.push_back(recipients.substr(start, end - start));
        start = end + 1;
    }
    entry.subject = row[6].as<std::string>();
    entry.probability = row[7].as<double>();
    entry.signature = row[8].as<std::string>();
    entry.message = pqxx::binarystring(row[9]).str();
    entry.message_size = row[10].as<std::int64_t>();
    entry.released = row[11].as<bool>();
    return entry;
}

std::int64_t PgStore::release_quarantine(std::string_view queue_id, std::string_view host) {
    const std::string queue(queue_id);
    const std::string server(host);
    return run("release quarantine", [&](pqxx::connection& conn) {
        pqxx::work txn(conn);
        const pqxx::result result = txn.exec_prepared(sql::k_quarantine_release, queue, server);
        txn.commit();
        return static_cast<std::int64_t>(result.affected_rows());
    });
}

std::int64_t PgStore::purge_signatures(int older_than_days) {
    if (older_than_days < 0) {
        throw std::invalid_argument("purge signatures: days must not be negative");
    }
    return run("purge signatures", [&](pqxx::connection& conn) {
        pqxx::work txn(conn);
        const pqxx::result result = txn.exec_prepared(sql::k_purge_signatures, older_than_days);
        txn.commit();
        return static_cast<std::int64_t>(result.affected_rows());
    });
}

std::int64_t PgStore::purge_tokens(const TokenPurgeOptions& options) {
    if (options.stale_days < 0 || options.hapax_days < 0 || options.unused_days < 0 ||
        options.batch_size < 1) {
        throw std::invalid_argument("purge tokens: days must not be negative, batch size positive");
    }
    std::int64_t total = 0;
    for (;;) {
        const std::int64_t deleted = run("purge tokens", [&](pqxx::connection& conn) {
            pqxx::work txn(conn);
            const pqxx::result result =
                txn.exec_prepared(sql::k_purge_tokens, options.stale_days, options.hapax_days,
                                  options.unused_days, options.batch_size);
            txn.commit();
            return static_cast<std::int64_t>(result.affected_rows());
        });
        total += deleted;
        if (deleted < options.batch_size) {
            return total;
        }
    }
}

}  // namespace dspamd
