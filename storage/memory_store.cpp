// The in-memory Store. Every rule here mirrors one in schema/ or sql.cpp so
// that tests against MemoryStore hold for PgStore too.
#include "storage/memory_store.h"

#include <algorithm>
#include <ctime>
#include <stdexcept>

#include "classifier/statistics.h"
#include "storage/limits.h"

namespace dspamd {

namespace {

std::int64_t add_clamped(std::int64_t value, std::int64_t delta) {
    return std::max<std::int64_t>(0, value + delta);
}

void add_totals_clamped(Totals& to, const Totals& delta) {
    to.spam_learned = add_clamped(to.spam_learned, delta.spam_learned);
    to.innocent_learned = add_clamped(to.innocent_learned, delta.innocent_learned);
    to.spam_misclassified = add_clamped(to.spam_misclassified, delta.spam_misclassified);
    to.innocent_misclassified =
        add_clamped(to.innocent_misclassified, delta.innocent_misclassified);
    to.spam_corpusfed = add_clamped(to.spam_corpusfed, delta.spam_corpusfed);
    to.innocent_corpusfed = add_clamped(to.innocent_corpusfed, delta.innocent_corpusfed);
    to.spam_classified = add_clamped(to.spam_classified, delta.spam_classified);
    to.innocent_classified = add_clamped(to.innocent_classified, delta.innocent_classified);
}

}  // namespace

UserStats compute_user_stats(std::string user, const Totals& totals) {
    const Statistics figures = compute_statistics(totals);
    UserStats stats;
    stats.user = std::move(user);
    stats.totals = totals;
    stats.true_positives = figures.true_positives;
    stats.true_negatives = figures.true_negatives;
    stats.false_positives = figures.false_positives;
    stats.false_negatives = figures.false_negatives;
    stats.accuracy = figures.accuracy;
    return stats;
}

MemoryStore::User& MemoryStore::user_locked(UserId id, const char* what) {
    if (id < 1 || static_cast<std::size_t>(id) > m_users.size()) {
        throw std::invalid_argument(std::string(what) + ": no user with id " + std::to_string(id));
    }
    return m_users[static_cast<std::size_t>(id - 1)];
}

const MemoryStore::User* MemoryStore::find_locked(UserId id) const {
    if (id < 1 || static_cast<std::size_t>(id) > m_users.size()) {
        return nullptr;
    }
    return &m_users[static_cast<std::size_t>(id - 1)];
}

UserId MemoryStore::user_id(std::string_view name) {
    check_user_name(name);
    std::lock_guard lock(m_mutex);
    if (const auto found = m_ids.find(name); found != m_ids.end()) {
        return found->second;
    }
    m_users.push_back(User{std::string(name), std::nullopt, {}, {}, {}, {}, {}});
    const auto id = static_cast<UserId>(m_users.size());
    m_ids.emplace(std::string(name), id);
    return id;
}

void MemoryStore::set_merge_group(UserId user, std::optional<UserId> group) {
    std::lock_guard lock(m_mutex);
    User& u = user_locked(user, "set merge group");
    if (group) {
        if (*group == user) {
            throw std::invalid_argument("set merge group: a user cannot be its own group");
        }
        user_locked(*group, "set merge group");
    }
    u.group = group;
}

Snapshot MemoryStore::fetch(UserId user, std::span<const Token> tokens) {
    std::lock_guard lock(m_mutex);
    Snapshot snapshot;
    snapshot.stats.reserve(tokens.size());
    const User* own = find_locked(user);
    const User* group = own != nullptr && own->group ? find_locked(*own->group) : nullptr;
    for (const User* owner : {own, group}) {
        if (owner != nullptr) {
            snapshot.totals += owner->totals;
        }
    }
    for (const Token token : tokens) {
        TokenStat stat{token, {}};
        for (const User* owner : {own, group}) {
            if (owner == nullptr) {
                continue;
            }
            if (const auto hit = owner->tokens.find(token); hit != owner->tokens.end()) {
                stat.counts.spam += hit->second.spam;
                stat.counts.innocent += hit->second.innocent;
                stat.counts.weight += hit->second.weight;
            }
        }
        snapshot.stats.push_back(stat);
    }
    return snapshot;
}

void MemoryStore::apply(UserId user, const TrainingDelta& delta, const SignatureRecord* signature) {
    apply_batch(user, delta,
                signature != nullptr ? std::span(signature, 1) : std::span<const SignatureRecord>());
}

void MemoryStore::apply_batch(UserId user, const TrainingDelta& delta,
                              std::span<const SignatureRecord> signatures) {
    std::vector<std::string> encoded;
    encoded.reserve(signatures.size());
    for (const SignatureRecord& signature : signatures) {
        check_signature_id(signature.id);
        encoded.push_back(encoded_signature(signature));
    }
    std::lock_guard lock(m_mutex);
    User& u = user_locked(user, "apply");
    for (const TokenDelta& change : delta.tokens) {
        if (change.empty()) {
            continue;
        }
        Counts& counts = u.tokens[change.token];
        counts.spam = add_clamped(counts.spam, change.spam);
        counts.innocent = add_clamped(counts.innocent, change.innocent);
        counts.weight += change.weight;
        if (counts == Counts{}) {
            u.tokens.erase(change.token);
        }
    }
    add_totals_clamped(u.totals, delta.totals);
    for (std::size_t i = 0; i < signatures.size(); ++i) {
        u.signatures.insert_or_assign(signatures[i].id, std::move(encoded[i]));
    }
}

std::optional<Signature> MemoryStore::load_signature(UserId user, std::string_view id) {
    std::lock_guard lock(m_mutex);
    const User* u = find_locked(user);
    if (u == nullptr) {
        return std::nullopt;
    }
    const auto found = u->signatures.find(id);
    if (found == u->signatures.end()) {
        return std::nullopt;
    }
    Signature signature;
    if (!decode_signature(found->second, signature)) {
        throw std::runtime_error("signature '" + std::string(id) + "' of user " +
                                 std::to_string(user) + " is malformed");
    }
    return signature;
}

std::map<std::string, std::string> MemoryStore::preferences(UserId user) {
    std::lock_guard lock(m_mutex);
    const User* u = find_locked(user);
    return u != nullptr ? u->preferences : std::map<std::string, std::string>{};
}

void MemoryStore::set_preference(UserId user, std::string_view key, std::string_view value) {
    check_preference(key, value);
    std::lock_guard lock(m_mutex);
    user_locked(user, "set preference")
        .preferences.insert_or_assign(std::string(key), std::string(value));
}

std::vector<UserStats> MemoryStore::stats(std::optional<std::string_view> user) {
    std::lock_guard lock(m_mutex);
    std::vector<UserStats> rows;
    // m_ids is ordered by name, like the view's ORDER BY user_name.
    for (const auto& [name, id] : m_ids) {
        if (user && name != *user) {
            continue;
        }
        rows.push_back(compute_user_stats(name, m_users[static_cast<std::size_t>(id - 1)].totals));
    }
    return rows;
}

void MemoryStore::record_history(UserId user, const HistoryEntry& entry) {
    check_history_entry(entry);
    std::lock_guard lock(m_mutex);
    user_locked(user, "record history").history.push_back(entry);
}

void MemoryStore::record_history_batch(std::span<const UserHistoryEntry> rows) {
    for (const UserHistoryEntry& row : rows) {
        check_history_entry(row.entry);
    }
    std::lock_guard lock(m_mutex);
    for (const UserHistoryEntry& row : rows) {
        user_locked(row.user, "record history");  // all or none: every user known first
    }
    for (const UserHistoryEntry& row : rows) {
        user_locked(row.user, "record history").history.push_back(row.entry);
    }
}

std::vector<HistoryEntry> MemoryStore::history(UserId user, std::size_t limit) {
    std::lock_guard lock(m_mutex);
    const User* u = find_locked(user);
    if (u == nullptr) {
        return {};
    }
    // Newest first; among rows of the same second, the last inserted first.
    std::vector<HistoryEntry> rows(u->history.rbegin(), u->history.rend());
    std::stable_sort(rows.begin(), rows.end(),
                     [](const HistoryEntry& a, const HistoryEntry& b) { return a.time > b.time; });
    if (rows.size() > limit) {
        rows.resize(limit);
    }
    return rows;
}

std::int64_t MemoryStore::purge_history(int older_than_days) {
    if (older_than_days < 0) {
        throw std::invalid_argument("purge history: days must not be negative");
    }
    const std::int64_t cutoff =
        static_cast<std::int64_t>(std::time(nullptr)) - std::int64_t{older_than_days} * 86400;
    std::lock_guard lock(m_mutex);
    std::int64_t purged = 0;
    for (User& u : m_users) {
        purged += static_cast<std::int64_t>(std::erase_if(
            u.history, [&](const HistoryEntry& entry) { return entry.time < cutoff; }));
    }
    return purged;
}

std::int64_t MemoryStore::add_quarantine(UserId user, const QuarantineEntry& entry) {
    check_quarantine_entry(entry);
    std::lock_guard lock(m_mutex);
    user_locked(user, "add quarantine");
    QuarantineEntry row = entry;
    row.id = static_cast<std::int64_t>(m_quarantine.size()) + 1;
    row.released = false;
    m_quarantine.emplace_back(user, std::move(row));
    return static_cast<std::int64_t>(m_quarantine.size());
}

std::optional<QuarantineEntry> MemoryStore::find_quarantine_by_signature(
    UserId user, std::string_view signature) {
    std::lock_guard lock(m_mutex);
    for (auto it = m_quarantine.rbegin(); it != m_quarantine.rend(); ++it) {
        if (it->first == user && !signature.empty() && it->second.signature == signature) {
            return it->second;
        }
    }
    return std::nullopt;
}

std::int64_t MemoryStore::release_quarantine(std::string_view queue_id, std::string_view host) {
    std::lock_guard lock(m_mutex);
    std::int64_t released = 0;
    for (auto& [owner, row] : m_quarantine) {
        if (row.queue_id == queue_id && row.host == host && !row.released) {
            row.released = true;
            ++released;
        }
    }
    return released;
}

void MemoryStore::scan_tokens(std::optional<UserId> user, const TokenChunkSink& sink) {
    std::vector<Token> tokens;
    {
        std::lock_guard lock(m_mutex);
        const auto add = [&](const User& owner) {
            for (const auto& [token, counts] : owner.tokens) {
                tokens.push_back(token);
            }
        };
        if (!user) {
            std::for_each(m_users.begin(), m_users.end(), add);
        } else if (const User* own = find_locked(*user)) {
            add(*own);
            if (own->group) {
                if (const User* group = find_locked(*own->group)) {
                    add(*group);
                }
            }
        }
    }
    sink(tokens);  // outside the lock: the sink may call back
}

std::int64_t MemoryStore::token_rows(UserId user) {
    std::lock_guard lock(m_mutex);
    const User* u = find_locked(user);
    return u != nullptr ? static_cast<std::int64_t>(u->tokens.size()) : 0;
}

}  // namespace dspamd
