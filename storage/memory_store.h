// MemoryStore: the Store in memory, for unit tests and fast evaluations. Same
// semantics as PgStore (merged groups one level deep, counts and totals never
// below zero, weights plain sums, signatures replaced by id, the dspam_stats formulas, the same
// input limits, signatures kept encoded as in the signatures table); one
// mutex makes it safe to share between threads.
#pragma once

#include <map>
#include <mutex>
#include <unordered_map>

#include "storage/store.h"

namespace dspamd {

class MemoryStore final : public Store {
public:
    UserId user_id(std::string_view name) override;
    void set_merge_group(UserId user, std::optional<UserId> group) override;
    Snapshot fetch(UserId user, std::span<const Token> tokens) override;
    void apply(UserId user, const TrainingDelta& delta, const SignatureRecord* signature) override;
    void apply_batch(UserId user, const TrainingDelta& delta,
                     std::span<const SignatureRecord> signatures) override;
    std::optional<Signature> load_signature(UserId user, std::string_view id) override;
    void scan_tokens(std::optional<UserId> user, const TokenChunkSink& sink) override;
    std::int64_t token_rows(UserId user) override;
    std::map<std::string, std::string> preferences(UserId user) override;
    void set_preference(UserId user, std::string_view key, std::string_view value) override;
    std::vector<UserStats> stats(std::optional<std::string_view> user) override;
    void record_history(UserId user, const HistoryEntry& entry) override;
    void record_history_batch(std::span<const UserHistoryEntry> rows) override;
    std::vector<HistoryEntry> history(UserId user, std::size_t limit) override;
    std::int64_t purge_history(int older_than_days) override;
    std::int64_t add_quarantine(UserId user, const QuarantineEntry& entry) override;
    std::optional<QuarantineEntry> find_quarantine_by_signature(
        UserId user, std::string_view signature) override;
    std::int64_t release_quarantine(std::string_view queue_id, std::string_view host) override;

private:
    struct User {
        std::string name;
        std::optional<UserId> group;
        Totals totals;
        std::unordered_map<Token, Counts> tokens;
        std::map<std::string, std::string, std::less<>> signatures;  // encode_signature()
        std::map<std::string, std::string> preferences;
        std::vector<HistoryEntry> history;  // in insertion order
    };

    User& user_locked(UserId id, const char* what);
    const User* find_locked(UserId id) const;

    mutable std::mutex m_mutex;
    std::vector<User> m_users;  // id = index + 1, as the database's identity starts at 1
    std::map<std::string, UserId, std::less<>> m_ids;
    std::vector<std::pair<UserId, QuarantineEntry>> m_quarantine;  // id = index + 1
};

// DSPAM's dspam_stats figures from a user's totals (src/tools/dspam_stats.c),
// as the user_stats view computes them.
UserStats compute_user_stats(std::string user, const Totals& totals);

}  // namespace dspamd
