// Every SQL statement dspamd's storage sends, in one place: the named
// statements PgStore prepares on each connection, and the few that the
// migration runner uses. Callers refer to statements by these names only.
#pragma once

#include <span>
#include <string_view>

#include <pqxx/connection_base>

namespace dspamd::sql {

struct Statement {
    const char* name;
    const char* text;
};

// Names of the PgStore statements (see sql.cpp for their text and parameters).
inline constexpr const char* k_user_ensure = "user_ensure";
inline constexpr const char* k_user_set_group = "user_set_group";
inline constexpr const char* k_fetch = "fetch";
// k_fetch's column (0-based) holding a token row's summed weight.
inline constexpr int k_fetch_weight_column = 11;
inline constexpr const char* k_user_lock = "user_lock";
inline constexpr const char* k_apply_tokens = "apply_tokens";
inline constexpr const char* k_clamp_tokens = "clamp_tokens";
inline constexpr const char* k_token_rows = "token_rows";
inline constexpr const char* k_apply_totals = "apply_totals";
inline constexpr const char* k_signatures_store = "signatures_store";
inline constexpr const char* k_signature_load = "signature_load";
inline constexpr const char* k_preferences_load = "preferences_load";
inline constexpr const char* k_preference_store = "preference_store";
inline constexpr const char* k_stats_all = "stats_all";
inline constexpr const char* k_stats_user = "stats_user";
inline constexpr const char* k_purge_signatures = "purge_signatures";
inline constexpr const char* k_purge_tokens = "purge_tokens";
inline constexpr const char* k_history_insert = "history_insert";  // many rows
inline constexpr const char* k_history_recent = "history_recent";
inline constexpr const char* k_history_purge = "history_purge";
inline constexpr const char* k_quarantine_insert = "quarantine_insert";
inline constexpr const char* k_quarantine_by_signature = "quarantine_by_signature";
inline constexpr const char* k_quarantine_release = "quarantine_release";

// The statements of the store, each prepared (lazily) on every connection.
std::span<const Statement> store_statements();

// Registers store_statements() on `conn`; libpqxx prepares each on first use.
void prepare_store_statements(pqxx::connection_base& conn);

// The text of a store statement by name (tests, EXPLAIN); empty when unknown.
std::string_view statement_text(std::string_view name);

// Migration runner (storage/migrate.cpp): run as plain statements, in order.
inline constexpr int k_migration_lock_key = 0x64737064;  // "dspd": pg_advisory_lock key
extern const char* const k_migrations_bootstrap;  // CREATE TABLE IF NOT EXISTS schema_migrations
extern const char* const k_migrations_lock;       // $1 key
extern const char* const k_migrations_unlock;     // $1 key
extern const char* const k_migrations_applied;    // version, name, checksum
extern const char* const k_migrations_record;     // $1 version, $2 name, $3 checksum
extern const char* const k_migrations_checksum;   // $1 text -> md5

}  // namespace dspamd::sql
