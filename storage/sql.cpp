// The SQL of dspamd's storage. One table of named statements so that the
// queries can be read, reviewed and EXPLAINed together; PgStore only ever
// names them. Tokens are bigint (the uint64 hash bit-cast); hit counts are
// kept non-negative with greatest(0, ...), the totals by CHECK constraints too.
#include "storage/sql.h"

#include <array>

namespace dspamd::sql {

namespace {

constexpr std::array k_statements = {
    // $1 name -> id. Creates the user on first use. DO NOTHING + the SELECT
    // avoids writing a new row version for an existing user; when a racing
    // transaction inserts the same name, neither part returns a row and the
    // caller asks again.
    Statement{k_user_ensure,
              "WITH ins AS ("
              "  INSERT INTO users (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id)"
              " SELECT id FROM ins"
              " UNION ALL SELECT id FROM users WHERE name = $1"
              " LIMIT 1"},

    // $1 user, $2 group or NULL.
    Statement{k_user_set_group, "UPDATE users SET merge_group_id = $2 WHERE id = $1"},

    // $1 user, $2 bigint[] tokens. The whole read of a message in one round
    // trip: the counts and weights of the user and of the user's merged
    // group, summed per token (weight in column 12), plus one row (token IS
    // NULL) with the summed totals in columns 4..11. Unknown tokens have no
    // row.
    Statement{k_fetch,
              "WITH owners AS ("
              "  SELECT id FROM users WHERE id = $1"
              "  UNION"
              "  SELECT merge_group_id FROM users WHERE id = $1 AND merge_group_id IS NOT NULL)"
              " SELECT NULL::bigint, NULL::bigint, NULL::bigint,"
              "  coalesce(sum(spam_learned), 0)::bigint,"
              "  coalesce(sum(innocent_learned), 0)::bigint,"
              "  coalesce(sum(spam_misclassified), 0)::bigint,"
              "  coalesce(sum(innocent_misclassified), 0)::bigint,"
              "  coalesce(sum(spam_corpusfed), 0)::bigint,"
              "  coalesce(sum(innocent_corpusfed), 0)::bigint,"
              "  coalesce(sum(spam_classified), 0)::bigint,"
              "  coalesce(sum(innocent_classified), 0)::bigint, NULL::bigint"
              " FROM totals WHERE user_id IN (SELECT id FROM owners)"
              " UNION ALL"
              " SELECT token, sum(spam_hits)::bigint, sum(innocent_hits)::bigint,"
              "  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, sum(weight)::bigint"
              " FROM tokens"
              " WHERE user_id IN (SELECT id FROM owners) AND token = ANY($2::bigint[])"
              " GROUP BY token"},

    // $1 user -> one row when the user exists. Locks it against deletion
    // until the transaction ends: what the token table's foreign key did per
    // row before migration 0004, once per write.
    Statement{k_user_lock, "SELECT 1 FROM users WHERE id = $1 FOR KEY SHARE"},

    // $1 user, $2 bigint[] tokens, $3 bigint[] spam deltas, $4 bigint[]
    // innocent deltas, $5 bigint[] weight deltas (added as they are: weights
    // are not clamped). One batched upsert. ORDER BY token: every learner
    // locks rows in the same order, so concurrent learners cannot deadlock.
    // A new row takes the raw delta; if that is negative, clamp_tokens fixes
    // it in the same transaction (EXCLUDED must carry the raw delta for the
    // update of an existing row).
    Statement{k_apply_tokens,
              "INSERT INTO tokens AS t (user_id, token, spam_hits, innocent_hits, weight, last_hit)"
              " SELECT $1, d.token, d.spam, d.innocent, d.weight, current_date"
              " FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[])"
              "  AS d (token, spam, innocent, weight)"
              " ORDER BY d.token"
              " ON CONFLICT (user_id, token) DO UPDATE"
              " SET spam_hits = greatest(0, t.spam_hits + excluded.spam_hits),"
              "     innocent_hits = greatest(0, t.innocent_hits + excluded.innocent_hits),"
              "     weight = t.weight + excluded.weight,"
              "     last_hit = excluded.last_hit"},

    // $1 user, $2 bigint[] tokens that had a negative delta. Rows the upsert
    // created with a negative count: clamp them, and drop those left empty
    // (no hits and no weight). Only rows this transaction already holds are
    // touched.
    Statement{k_clamp_tokens,
              "WITH empty AS ("
              "  DELETE FROM tokens"
              "  WHERE user_id = $1 AND token = ANY($2::bigint[])"
              "    AND spam_hits <= 0 AND innocent_hits <= 0 AND weight = 0)"
              " UPDATE tokens"
              " SET spam_hits = greatest(0, spam_hits), innocent_hits = greatest(0, innocent_hits)"
              " WHERE user_id = $1 AND token = ANY($2::bigint[])"
              "   AND (spam_hits < 0 OR innocent_hits < 0)"
              "   AND (spam_hits > 0 OR innocent_hits > 0 OR weight <> 0)"},

    // $1 user -> the number of token rows it owns (the primary key's index
    // on (user_id, token) answers it).
    Statement{k_token_rows, "SELECT count(*) FROM tokens WHERE user_id = $1"},

    // $1 user, $2..$9 deltas in the order of struct Totals.
    Statement{k_apply_totals,
              "INSERT INTO totals AS t (user_id, spam_learned, innocent_learned,"
              "  spam_misclassified, innocent_misclassified, spam_corpusfed, innocent_corpusfed,"
              "  spam_classified, innocent_classified)"
              " VALUES ($1, greatest(0, $2::bigint), greatest(0, $3::bigint),"
              "  greatest(0, $4::bigint), greatest(0, $5::bigint), greatest(0, $6::bigint),"
              "  greatest(0, $7::bigint), greatest(0, $8::bigint), greatest(0, $9::bigint))"
              " ON CONFLICT (user_id) DO UPDATE SET"
              "  spam_learned = greatest(0, t.spam_learned + $2::bigint),"
              "  innocent_learned = greatest(0, t.innocent_learned + $3::bigint),"
              "  spam_misclassified = greatest(0, t.spam_misclassified + $4::bigint),"
              "  innocent_misclassified = greatest(0, t.innocent_misclassified + $5::bigint),"
              "  spam_corpusfed = greatest(0, t.spam_corpusfed + $6::bigint),"
              "  innocent_corpusfed = greatest(0, t.innocent_corpusfed + $7::bigint),"
              "  spam_classified = greatest(0, t.spam_classified + $8::bigint),"
              "  innocent_classified = greatest(0, t.innocent_classified + $9::bigint)"},

    // $1 user, $2 text[] ids, $3 bytea: the signatures end to end (sent in
    // binary, nothing to parse), $4 int[] where each starts (1-based), $5
    // int[] their lengths. Any number of signatures in one statement (the
    // write-back of many messages); the ids are distinct (ON CONFLICT may
    // touch a row once per statement). A replaced signature keeps its
    // creation time: expiry counts from the classification.
    Statement{k_signatures_store,
              "INSERT INTO signatures (user_id, id, data)"
              " SELECT $1, s.id, substring($3::bytea FROM s.start FOR s.length)"
              " FROM unnest($2::text[], $4::int[], $5::int[]) AS s (id, start, length)"
              " ON CONFLICT (user_id, id) DO UPDATE SET data = excluded.data"},

    // $1 user, $2 id -> data.
    Statement{k_signature_load, "SELECT data FROM signatures WHERE user_id = $1 AND id = $2"},

    // $1 user -> key, value.
    Statement{k_preferences_load, "SELECT key, value FROM preferences WHERE user_id = $1"},

    // $1 user, $2 key, $3 value.
    Statement{k_preference_store,
              "INSERT INTO preferences (user_id, key, value) VALUES ($1, $2, $3)"
              " ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value"},

    // The user_stats view (schema/0001_initial.sql), columns in the order
    // PgStore reads them.
    Statement{k_stats_all,
              "SELECT user_name, spam_learned, innocent_learned, spam_misclassified,"
              "  innocent_misclassified, spam_corpusfed, innocent_corpusfed, spam_classified,"
              "  innocent_classified, true_positives, true_negatives, false_positives,"
              "  false_negatives, accuracy"
              " FROM user_stats ORDER BY user_name"},
    Statement{k_stats_user,
              "SELECT user_name, spam_learned, innocent_learned, spam_misclassified,"
              "  innocent_misclassified, spam_corpusfed, innocent_corpusfed, spam_classified,"
              "  innocent_classified, true_positives, true_negatives, false_positives,"
              "  false_negatives, accuracy"
              " FROM user_stats WHERE user_name = $1"},

    // $1 days. Signatures whose message is too old to be corrected.
    Statement{k_purge_signatures,
              "DELETE FROM signatures WHERE created < now() - make_interval(days => $1)"},

    // $1 stale days, $2 hapax days, $3 unused days, $4 batch size. DSPAM's
    // purge.sql, one batch: rows with little weight ((innocent*2) + spam < 5)
    // not hit for $1 days, hapaxes (one hit in one class) not hit for $2
    // days, anything not hit for $3 days, and rows left empty (no hits, no
    // weight). A weight goes with its row: the regression forgets what was
    // not seen for that long, as the counts do. Batches keep
    // each transaction's locks few and short beside the learners.
    Statement{
        k_purge_tokens,
        "WITH doomed AS ("
        "  SELECT user_id, token FROM tokens"
        "  WHERE (innocent_hits * 2 + spam_hits < 5 AND current_date - last_hit > $1)"
        "     OR ((innocent_hits = 1 OR spam_hits = 1) AND (innocent_hits = 0 OR spam_hits = 0)"
        "         AND current_date - last_hit > $2)"
        "     OR current_date - last_hit > $3"
        "     OR (spam_hits = 0 AND innocent_hits = 0 AND weight = 0)"
        "  LIMIT $4"
        "  FOR UPDATE SKIP LOCKED)"
        " DELETE FROM tokens t USING doomed"
        " WHERE t.user_id = doomed.user_id AND t.token = doomed.token"},

    // Parallel arrays, one element per row: $1 bigint[] users, $2 bigint[]
    // Unix times, $3 text[] results, $4 text[] actions, $5 text[] senders,
    // $6 text[] subjects, $7 float8[] probabilities, $8 text[] signatures
    // ('' = none), $9 text[] queue ids, $10 text[] hosts. Many rows in one
    // statement; ids follow the order given (history_recent breaks ties of
    // time by id).
    Statement{
        k_history_insert,
        "INSERT INTO history (user_id, created, result, action, sender, subject,"
        "  probability, signature, queue_id, host)"
        " SELECT h.user_id, to_timestamp(h.created), h.result, h.action, h.sender, h.subject,"
        "  h.probability, nullif(h.signature, ''), h.queue_id, h.host"
        " FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[],"
        "  $6::text[], $7::float8[], $8::text[], $9::text[], $10::text[])"
        "  WITH ORDINALITY AS h (user_id, created, result, action, sender, subject,"
        "  probability, signature, queue_id, host, n)"
        " ORDER BY h.n"},

    // $1 user, $2 limit. Newest first; columns in the order of HistoryEntry.
    Statement{k_history_recent,
              "SELECT extract(epoch FROM created)::bigint, result, action, sender, subject,"
              "  probability, coalesce(signature, ''), queue_id, host"
              " FROM history WHERE user_id = $1 ORDER BY created DESC, id DESC LIMIT $2"},

    // $1 days. Uses history_created_idx.
    Statement{k_history_purge,
              "DELETE FROM history WHERE created < now() - make_interval(days => $1)"},

    // $1 user, $2 Unix time, $3 queue id, $4 host, $5 sender, $6 recipients
    // one per line, $7 subject, $8 probability, $9 signature ('' = none),
    // $10 bytea copy, $11 size. -> id
    Statement{k_quarantine_insert,
              "INSERT INTO quarantine (user_id, created, queue_id, host, sender, recipients,"
              "  subject, probability, signature, message, message_size)"
              " VALUES ($1, to_timestamp($2::bigint), $3, $4, $5,"
              "  CASE WHEN $6 = '' THEN '{}'::text[] ELSE string_to_array($6, chr(10)) END,"
              "  $7, $8, nullif($9, ''), $10, $11)"
              " RETURNING id"},

    // $1 user, $2 signature. The newest row; columns in the order of QuarantineEntry.
    Statement{k_quarantine_by_signature,
              "SELECT id, extract(epoch FROM created)::bigint, queue_id, host, sender,"
              "  array_to_string(recipients, chr(10)), subject, probability,"
              "  coalesce(signature, ''), message, message_size, released"
              " FROM quarantine WHERE user_id = $1 AND signature = $2"
              " ORDER BY id DESC LIMIT 1"},

    // $1 queue id, $2 host. Every user's row of the held message.
    Statement{k_quarantine_release,
              "UPDATE quarantine SET released = true, released_at = now()"
              " WHERE queue_id = $1 AND host = $2 AND NOT released"},
};

}  // namespace

std::span<const Statement> store_statements() {
    return k_statements;
}

void prepare_store_statements(pqxx::connection_base& conn) {
    for (const Statement& statement : k_statements) {
        conn.prepare(statement.name, statement.text);
    }
}

std::string_view statement_text(std::string_view name) {
    for (const Statement& statement : k_statements) {
        if (name == statement.name) {
            return statement.text;
        }
    }
    return {};
}

const char* const k_migrations_bootstrap =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "  version integer PRIMARY KEY,"
    "  name text NOT NULL,"
    "  checksum text NOT NULL,"
    "  applied timestamptz NOT NULL DEFAULT now())";

const char* const k_migrations_lock = "SELECT pg_advisory_lock($1)";
const char* const k_migrations_unlock = "SELECT pg_advisory_unlock($1)";
const char* const k_migrations_applied =
    "SELECT version, name, checksum FROM schema_migrations ORDER BY version";
const char* const k_migrations_record =
    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)";
const char* const k_migrations_checksum = "SELECT md5($1)";

}  // namespace dspamd::sql
