// CachedStore's write-back: collecting the queued changes into batches,
// writing each user's batch to the backing store in one transaction, and
// putting back what a failed write left (cached_store.h describes the design;
// cached_store.cpp the reads and the queueing these batches come from).
#include "storage/cached_store.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "storage/queued_change.h"

namespace dspamd {

// One user's share of a flush pass.
struct CachedStore::UserBatch {
    struct Row {
        Token token = 0;
        TokenChange change;
        Node* node = nullptr;  // stays valid: entries in flight are not evicted
        std::size_t shard = 0;
    };
    UserId user = 0;
    std::vector<Row> rows;  // ascending token order
    TotalsChange totals;
    std::vector<std::pair<std::string, std::string>> signatures;  // id, encoded
};

struct CachedStore::Batch {
    std::vector<UserBatch> users;  // ascending user id
    bool more = false;             // rows were left queued for the next batch
};

namespace {

std::int32_t to_delta(std::int64_t value) {
    if (value > std::numeric_limits<std::int32_t>::max() ||
        value < std::numeric_limits<std::int32_t>::min()) {
        // Needs over two billion learnings of one token between two flushes.
        throw std::invalid_argument("cached store: a queued delta does not fit 32 bits");
    }
    return static_cast<std::int32_t>(value);
}

}  // namespace

using namespace queued_change;

// Takes every queued change: pending becomes in flight.
// At most about batch_rows token rows, an equal share from each shard (the
// hash spreads rows evenly): one transaction stays well under the database's
// statement timeout however long the queue grew during an outage.
CachedStore::Batch CachedStore::collect() {
    std::lock_guard collect_lock(*m_collect_lock);
    std::map<UserId, UserBatch> users;
    const std::size_t quota = std::max<std::size_t>(1, m_options.batch_rows / k_shards);
    Batch batch;
    for (std::size_t s = 0; s < k_shards; ++s) {
        Shard& shard = m_shards[s];
        std::lock_guard lock(shard.mutex);
        for (std::size_t taken = 0; taken < quota && !shard.dirty.empty(); ++taken) {
            Node* node = shard.dirty.back();
            shard.dirty.pop_back();
            Entry& entry = node->second;
            entry.dirty = false;
            if (entry.pending.empty()) {  // learned and unlearned: nothing to write
                m_queued_rows.fetch_sub(1, std::memory_order_relaxed);
                continue;
            }
            entry.in_flight = entry.pending;
            entry.pending = {};
            users[node->first.user].rows.push_back({node->first.token, entry.in_flight, node, s});
        }
        batch.more = batch.more || !shard.dirty.empty();
    }
    {
        std::lock_guard lock(m_users_mutex);
        for (const UserId id : m_dirty_users) {
            UserState& state = m_users[id];
            state.dirty = false;
            if (state.pending.empty() && state.signatures.empty()) {
                continue;
            }
            UserBatch& user = users[id];
            state.in_flight = state.pending;
            state.pending = {};
            user.totals = state.in_flight;
            state.signatures_in_flight = std::move(state.signatures);
            state.signatures.clear();
            for (const auto& [id_text, data] : state.signatures_in_flight) {
                user.signatures.emplace_back(id_text, data);
            }
        }
        m_dirty_users.clear();
    }
    batch.users.reserve(users.size());
    for (auto& [id, user] : users) {
        user.user = id;
        std::sort(user.rows.begin(), user.rows.end(),
                  [](const auto& a, const auto& b) { return a.token < b.token; });
        batch.users.push_back(std::move(user));
    }
    return batch;
}

// Written (or refused for good): the in-flight changes are done with.
// `flush` (when not 0) stamps what the counts write touched, for fetch().
void CachedStore::finish(UserBatch& user, std::size_t signatures_written, std::uint32_t flush) {
    for (const auto& row : user.rows) {
        Shard& shard = m_shards[row.shard];
        std::lock_guard lock(shard.mutex);
        row.node->second.in_flight = {};
        row.node->second.flushed = flush;
    }
    m_queued_rows.fetch_sub(user.rows.size(), std::memory_order_relaxed);
    std::lock_guard lock(m_users_mutex);
    UserState& state = m_users[user.user];
    if (flush != 0) {
        state.in_flight = {};
        if (!user.totals.empty()) {
            state.totals_flushed = flush;
        }
    }
    for (std::size_t k = 0; k < signatures_written; ++k) {
        state.signatures_in_flight.erase(user.signatures[k].first);
    }
    m_queued_rows.fetch_sub(signatures_written, std::memory_order_relaxed);
    user.rows.clear();
    user.totals = {};
}

// Not written: the in-flight changes go back before whatever was learned
// meanwhile, to be retried. When the first deltas were committed, only the
// second ones go back, and `flush` stamps the rows as written.
void CachedStore::restore(UserBatch& user, bool first_written, std::size_t signatures_written,
                          std::uint32_t flush) {
    for (const auto& row : user.rows) {
        Shard& shard = m_shards[row.shard];
        std::lock_guard lock(shard.mutex);
        Entry& entry = row.node->second;
        TokenChange left = entry.in_flight;
        if (first_written) {
            left = TokenChange{second_part(left.spam), second_part(left.innocent), 0};
            entry.flushed = flush;
        }
        entry.in_flight = {};
        entry.pending = then(left, entry.pending);
        if (entry.dirty) {
            m_queued_rows.fetch_sub(1, std::memory_order_relaxed);  // counted once, as dirty
        } else {
            entry.dirty = true;
            shard.dirty.push_back(row.node);
        }
    }
    std::lock_guard lock(m_users_mutex);
    UserState& state = m_users[user.user];
    TotalsChange left = state.in_flight;
    if (first_written && flush != 0) {
        for (Change& change : left.fields) {
            change = second_part(change);
        }
        if (!user.totals.empty()) {
            state.totals_flushed = flush;
        }
    }
    state.in_flight = {};
    state.pending = then(left, state.pending);
    for (std::size_t k = signatures_written; k < user.signatures.size(); ++k) {
        auto& [id, data] = user.signatures[k];
        state.signatures_in_flight.erase(id);
        if (!state.signatures.try_emplace(id, std::move(data)).second) {
            m_queued_rows.fetch_sub(1, std::memory_order_relaxed);  // a newer copy is queued
        }
    }
    for (std::size_t k = 0; k < signatures_written; ++k) {
        state.signatures_in_flight.erase(user.signatures[k].first);
    }
    m_queued_rows.fetch_sub(signatures_written, std::memory_order_relaxed);
    if (!state.dirty) {
        state.dirty = true;
        m_dirty_users.push_back(user.user);
    }
}

// One user's batch: the first deltas, the totals and every queued signature
// in one backing apply_batch; the second deltas (rare) in another. The counts
// are written under the user's stripe lock and between the user's
// flush_started and flush_done (see fetch()).
void CachedStore::write_user(UserBatch& user) {
    UserState* state = nullptr;
    {
        std::lock_guard lock(m_users_mutex);
        state = &user_locked(user.user);
    }
    std::unique_lock stripe_lock(stripe_of(user.user));
    // One pass at a time (m_flush_mutex): started == done here.
    const std::uint32_t flush = state->flush_done.load() + 1;
    state->flush_started.store(flush);
    struct Done {
        UserState* state;
        std::uint32_t flush;
        ~Done() { state->flush_done.store(flush); }
    };
    const Done done_guard{state, flush};

    // The backing store will never take rows it refuses as invalid (an
    // unknown user): retrying would only fill the queue.
    const auto drop = [&](const std::exception& e) {
        const std::size_t rows = user.rows.size() + user.signatures.size();
        m_dropped_rows.fetch_add(rows, std::memory_order_relaxed);
        if (m_options.warn) {
            m_options.warn("cache: " + std::to_string(rows) + " rows of user " +
                           std::to_string(user.user) + " refused and dropped: " + e.what());
        }
        finish(user, user.signatures.size(), flush);
    };
    TrainingDelta first;
    TrainingDelta second;
    std::vector<SignatureRecord> signatures(user.signatures.size());
    try {
        for (const auto& row : user.rows) {
            const auto [spam_first, spam_second] = split(row.change.spam);
            const auto [innocent_first, innocent_second] = split(row.change.innocent);
            if (spam_first != 0 || innocent_first != 0 || row.change.weight != 0) {
                first.tokens.push_back(
                    {row.token, to_delta(spam_first), to_delta(innocent_first), row.change.weight});
            }
            if (spam_second != 0 || innocent_second != 0) {
                second.tokens.push_back(
                    {row.token, to_delta(spam_second), to_delta(innocent_second)});
            }
        }
        // Encoded by apply(); passed on as they are (a copy: a failed write
        // keeps them queued).
        for (std::size_t k = 0; k < user.signatures.size(); ++k) {
            signatures[k].id = user.signatures[k].first;
            signatures[k].encoded = user.signatures[k].second;
        }
    } catch (const std::invalid_argument& e) {
        drop(e);
        return;
    }
    for (std::size_t f = 0; f < k_totals_fields.size(); ++f) {
        const auto [head, tail] = split(user.totals.fields[f]);
        first.totals.*k_totals_fields[f] = head;
        second.totals.*k_totals_fields[f] = tail;
    }

    bool first_written = false;
    try {
        if (!first.empty() || !signatures.empty()) {
            m_backing.apply_batch(user.user, first, signatures);
        }
        first_written = true;
        if (!second.empty()) {
            m_backing.apply(user.user, second, nullptr);
        }
    } catch (const std::invalid_argument& e) {
        drop(e);
        return;
    } catch (...) {
        restore(user, first_written, first_written ? signatures.size() : 0, flush);
        throw;
    }
    m_flushed_rows.fetch_add(user.rows.size(), std::memory_order_relaxed);
    m_flushed_signatures.fetch_add(signatures.size(), std::memory_order_relaxed);
    finish(user, signatures.size(), flush);
}

// Users in ascending id order; when one is unavailable, the rest of the batch
// goes back to the queue untouched and the error passes up.
void CachedStore::write_back(Batch& batch) {
    for (std::size_t u = 0; u < batch.users.size(); ++u) {
        try {
            write_user(batch.users[u]);
        } catch (...) {
            for (std::size_t rest = u + 1; rest < batch.users.size(); ++rest) {
                restore(batch.users[rest], false, 0, 0);
            }
            throw;
        }
    }
}

// Batch after batch until what was queued at the start is written: learning
// that keeps arriving meanwhile waits for the next pass.
void CachedStore::flush_locked() {
    std::size_t budget = queued();
    {
        std::lock_guard lock(m_history_mutex);
        budget -= std::min(budget, m_history.size());  // written below, all at once
    }
    std::size_t written = 0;
    for (;;) {
        Batch batch = collect();
        for (const UserBatch& user : batch.users) {
            written += user.rows.size() + user.signatures.size();
        }
        if (!batch.users.empty()) {
            try {
                write_back(batch);
            } catch (...) {
                m_flush_failures.fetch_add(1, std::memory_order_relaxed);
                throw;
            }
            m_flushes.fetch_add(1, std::memory_order_relaxed);
        }
        if (!batch.more || written >= budget) {
            break;
        }
    }
    try {
        write_history();
    } catch (...) {
        m_flush_failures.fetch_add(1, std::memory_order_relaxed);
        throw;
    }
}

// The history rows queued so far, batch_rows to a statement; what cannot be
// written goes back to the front of the queue. Rows the backing store refuses
// (an unknown user) are dropped one by one, not with the rest of the batch.
void CachedStore::write_history() {
    std::lock_guard write_lock(m_history_write_mutex);
    std::vector<UserHistoryEntry> rows;
    {
        std::lock_guard lock(m_history_mutex);
        rows.swap(m_history);
    }
    std::size_t written = 0;
    const auto done = [&](std::size_t count) {
        written += count;
        m_queued_rows.fetch_sub(count, std::memory_order_relaxed);
    };
    try {
        while (written < rows.size()) {
            const std::size_t count = std::min(m_options.batch_rows, rows.size() - written);
            const std::span<const UserHistoryEntry> batch(rows.data() + written, count);
            try {
                m_backing.record_history_batch(batch);
                m_flushed_history.fetch_add(count, std::memory_order_relaxed);
            } catch (const std::invalid_argument&) {
                for (const UserHistoryEntry& row : batch) {
                    try {
                        m_backing.record_history(row.user, row.entry);
                        m_flushed_history.fetch_add(1, std::memory_order_relaxed);
                    } catch (const std::invalid_argument& e) {
                        m_dropped_rows.fetch_add(1, std::memory_order_relaxed);
                        if (m_options.warn) {
                            m_options.warn("cache: a history row of user " +
                                           std::to_string(row.user) +
                                           " refused and dropped: " + e.what());
                        }
                    }
                    done(1);  // a failure of another kind passes up: the rest goes back
                }
                continue;
            }
            done(count);
        }
    } catch (...) {
        std::lock_guard lock(m_history_mutex);
        m_history.insert(m_history.begin(),
                         std::make_move_iterator(rows.begin() + static_cast<std::ptrdiff_t>(written)),
                         std::make_move_iterator(rows.end()));
        throw;
    }
}

void CachedStore::flush() {
    std::lock_guard lock(m_flush_mutex);
    flush_locked();
}

// Every flush_interval_ms, or sooner when apply() finds flush_rows queued;
// after a failure, back off (doubling up to retry_max_ms) and ignore the
// early wake-ups so that a down database is not hammered.
void CachedStore::run_flusher() {
    auto delay = std::chrono::milliseconds(m_options.flush_interval_ms);
    bool failing = false;
    std::unique_lock lock(m_wake_mutex);
    while (!m_stopping) {
        m_wake.wait_for(lock, delay, [&] { return m_stopping || (m_wake_requested && !failing); });
        if (m_stopping) {
            break;
        }
        m_wake_requested = false;
        lock.unlock();
        try {
            flush();
            failing = false;
            delay = std::chrono::milliseconds(m_options.flush_interval_ms);
        } catch (const std::exception& e) {
            if (!failing && m_options.warn) {
                m_options.warn(std::string("cache: write-back failed, ") +
                               std::to_string(queued()) + " rows kept, retrying: " + e.what());
            }
            failing = true;
            delay = std::min(delay * 2, std::chrono::milliseconds(m_options.retry_max_ms));
        }
        lock.lock();
    }
}

}  // namespace dspamd
