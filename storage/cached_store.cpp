// CachedStore: hot counts in memory, learning written back in batches. The
// design, the staleness bounds and the crash window are described in
// cached_store.h; this file and cached_store_flush.cpp (the write-back) keep
// the invariants that make them hold:
//   - An entry's counts are the backing store's merged counts at its read,
//     replayed with its in-flight then its pending changes.
//   - A read of the backing store for a user and the writing of that user's
//     batch never overlap (the user's stripe lock): otherwise a read could
//     not tell whether the batch it saw in flight was already committed.
//   - An entry with pending or in-flight changes is never evicted.
#include "storage/cached_store.h"

#include <algorithm>
#include <iterator>
#include <shared_mutex>
#include <stdexcept>

#include "classifier/hash.h"
#include "storage/limits.h"

namespace dspamd {

namespace {

std::uint64_t key_hash(UserId user, Token token) {
    return mix64(token ^ (static_cast<std::uint64_t>(user) * 0x9e3779b97f4a7c15ULL));
}

}  // namespace

using namespace queued_change;

// --- Construction ----------------------------------------------------------

std::size_t CachedStore::KeyHash::operator()(const Key& key) const {
    return static_cast<std::size_t>(key_hash(key.user, key.token));
}

CachedStore::CachedStore(Store& backing, CachedStoreOptions options)
    : m_backing(backing),
      m_options(std::move(options)),
      m_shard_capacity(std::max<std::size_t>(1, m_options.max_entries / k_shards)),
      m_start(m_options.now ? m_options.now() : std::chrono::steady_clock::now()),
      m_shards(std::make_unique<Shard[]>(k_shards)),
      m_stripes(std::make_unique<RwLock[]>(k_user_stripes)),
      m_collect_lock(std::make_unique<RwLock>()) {
    if (m_options.max_entries < k_shards) {
        throw std::invalid_argument("cache max_entries must be at least " +
                                    std::to_string(k_shards));
    }
    if (m_options.ttl_s < 0 || m_options.flush_interval_ms < 1 || m_options.max_queue < 1 ||
        m_options.flush_rows < 1 || m_options.batch_rows < 1 ||
        m_options.retry_max_ms < m_options.flush_interval_ms ||
        m_options.known_tokens_refresh_s < 0) {
        throw std::invalid_argument(
            "cache options: ttl_s >= 0, flush_interval_ms >= 1, flush_rows >= 1, batch_rows >= 1, "
            "max_queue >= 1, retry_max_ms >= flush_interval_ms and known_tokens_refresh_s >= 0");
    }
    if (m_options.background) {
        m_flusher = std::thread([this] { run_flusher(); });
        if (m_options.known_tokens_refresh_s > 0 || m_options.preload) {
            m_maintenance = std::thread([this] { run_maintenance(); });
        }
    }
}

CachedStore::~CachedStore() {
    {
        std::lock_guard lock(m_wake_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_maintenance_wake.notify_all();
    if (m_maintenance.joinable()) {
        m_maintenance.join();
    }
    if (m_flusher.joinable()) {
        m_flusher.join();
    }
    try {
        flush();
    } catch (const std::exception& e) {
        if (m_options.warn) {
            m_options.warn("cache: " + std::to_string(queued()) +
                           " queued rows of training lost at shutdown: " + e.what());
        }
    }
}

// --- Small helpers -----------------------------------------------------------

std::uint32_t CachedStore::now_s() const {
    const auto now = m_options.now ? m_options.now() : std::chrono::steady_clock::now();
    return static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::seconds>(now - m_start).count());
}

CachedStore::Shard& CachedStore::shard_of(const Key& key) {
    return m_shards[key_hash(key.user, key.token) >> 58];  // top 6 bits: 64 shards
}

CachedStore::RwLock& CachedStore::stripe_of(UserId user) {
    return m_stripes[mix64(static_cast<std::uint64_t>(user)) % k_user_stripes];
}

CachedStore::UserState& CachedStore::user_locked(UserId user) {
    return m_users[user];
}

std::size_t CachedStore::queued() const {
    return m_queued_rows.load(std::memory_order_relaxed);
}

// A new entry for `key`, evicting by CLOCK when the shard is full: a
// referenced entry gets a second chance, one with queued changes is skipped.
// When two sweeps find nothing to evict (everything queued), the shard grows:
// memory is then bounded by max_entries + max_queue.
CachedStore::Node* CachedStore::insert_locked(Shard& shard, const Key& key) {
    if (shard.map.size() >= m_shard_capacity && !shard.ring.empty()) {
        const std::size_t limit = 2 * shard.ring.size();
        for (std::size_t step = 0; step < limit; ++step) {
            if (shard.hand >= shard.ring.size()) {
                shard.hand = 0;
            }
            Entry& victim = shard.ring[shard.hand]->second;
            if (victim.referenced) {
                victim.referenced = false;
            } else if (victim.clean()) {
                if (victim.flushed != 0) {
                    ++shard.flushed_evictions;
                }
                shard.map.erase(shard.ring[shard.hand]->first);
                Node* node = &*shard.map.try_emplace(key).first;
                shard.ring[shard.hand] = node;
                ++shard.hand;
                m_evictions.fetch_add(1, std::memory_order_relaxed);
                return node;
            }
            ++shard.hand;
        }
    }
    Node* node = &*shard.map.try_emplace(key).first;
    shard.ring.push_back(node);
    m_entries.fetch_add(1, std::memory_order_relaxed);
    return node;
}

void CachedStore::mark_dirty_locked(Shard& shard, Node* node) {
    if (!node->second.dirty) {
        node->second.dirty = true;
        shard.dirty.push_back(node);
        m_queued_rows.fetch_add(1, std::memory_order_relaxed);
    }
}

// --- Pass-through ------------------------------------------------------------

UserId CachedStore::user_id(std::string_view name) {
    {
        std::lock_guard lock(m_users_mutex);
        if (const auto found = m_user_ids.find(std::string(name)); found != m_user_ids.end()) {
            return found->second;
        }
    }
    const UserId id = m_backing.user_id(name);  // ids never change: cached for good
    std::lock_guard lock(m_users_mutex);
    m_user_ids.emplace(std::string(name), id);
    m_named_ids.insert(id);
    return id;
}

void CachedStore::set_merge_group(UserId user, std::optional<UserId> group) {
    m_backing.set_merge_group(user, group);
    std::lock_guard lock(m_users_mutex);
    UserState& state = user_locked(user);
    // The user's cached view includes the old group: refetch it all. Setting
    // the same group again (a config reload) keeps it.
    if (!state.group || *state.group != group) {
        state.group = group;
        ++state.epoch;
    }
}

std::map<std::string, std::string> CachedStore::preferences(UserId user) {
    return m_backing.preferences(user);
}

void CachedStore::set_preference(UserId user, std::string_view key, std::string_view value) {
    m_backing.set_preference(user, key, value);
}

std::int64_t CachedStore::token_rows(UserId user) {
    flush();
    return m_backing.token_rows(user);
}

std::vector<UserStats> CachedStore::stats(std::optional<std::string_view> user) {
    return m_backing.stats(user);
}

void CachedStore::record_history(UserId user, const HistoryEntry& entry) {
    const UserHistoryEntry row{user, entry};
    record_history_batch(std::span(&row, 1));
}

void CachedStore::record_history_batch(std::span<const UserHistoryEntry> rows) {
    bool all_named = true;
    {
        std::lock_guard lock(m_users_mutex);
        for (const UserHistoryEntry& row : rows) {
            check_history_entry(row.entry);  // refused now, not dropped by the flusher later
            all_named = all_named && m_named_ids.contains(row.user);
        }
    }
    if (!all_named) {
        m_backing.record_history_batch(rows);
        return;
    }
    if (queued() + rows.size() > m_options.max_queue) {
        throw StoreUnavailable("cache: write-back queue full (" + std::to_string(queued()) +
                               " rows); is the database down?");
    }
    {
        std::lock_guard lock(m_history_mutex);
        m_history.insert(m_history.end(), rows.begin(), rows.end());
    }
    m_queued_rows.fetch_add(rows.size(), std::memory_order_relaxed);
}

std::vector<HistoryEntry> CachedStore::history(UserId user, std::size_t limit) {
    std::lock_guard write_lock(m_history_write_mutex);
    std::vector<HistoryEntry> queued_rows;  // newest first
    {
        std::lock_guard lock(m_history_mutex);
        for (auto row = m_history.rbegin(); row != m_history.rend(); ++row) {
            if (row->user == user) {
                queued_rows.push_back(row->entry);
            }
        }
    }
    // The backing store's order: time descending, then the later written
    // first, and queued rows will be written after every stored one.
    const auto newer = [](const HistoryEntry& a, const HistoryEntry& b) { return a.time > b.time; };
    std::stable_sort(queued_rows.begin(), queued_rows.end(), newer);
    const std::vector<HistoryEntry> stored = m_backing.history(user, limit);
    std::vector<HistoryEntry> rows;
    rows.reserve(queued_rows.size() + stored.size());
    std::merge(queued_rows.begin(), queued_rows.end(), stored.begin(), stored.end(),
               std::back_inserter(rows), newer);
    if (rows.size() > limit) {
        rows.resize(limit);
    }
    return rows;
}

std::int64_t CachedStore::purge_history(int older_than_days) {
    write_history();  // queued rows may be old enough too
    return m_backing.purge_history(older_than_days);
}

std::int64_t CachedStore::add_quarantine(UserId user, const QuarantineEntry& entry) {
    return m_backing.add_quarantine(user, entry);
}

std::optional<QuarantineEntry> CachedStore::find_quarantine_by_signature(
    UserId user, std::string_view signature) {
    return m_backing.find_quarantine_by_signature(user, signature);
}

std::int64_t CachedStore::release_quarantine(std::string_view queue_id, std::string_view host) {
    return m_backing.release_quarantine(queue_id, host);
}

// --- Reading -----------------------------------------------------------------

Snapshot CachedStore::fetch(UserId user, std::span<const Token> tokens) {
    return read_through(user, tokens, false);
}

// fetch(); `preloading` counts the tokens as preloaded, not as misses, and
// queues no preload.
Snapshot CachedStore::read_through(UserId user, std::span<const Token> tokens, bool preloading) {
    const std::uint32_t now = now_s();
    const auto fresh = [&](std::uint32_t fetched_s) {
        return now - fetched_s < static_cast<std::uint32_t>(m_options.ttl_s);
    };
    Snapshot snapshot;
    snapshot.stats.resize(tokens.size());
    std::uint32_t epoch = 0;
    bool totals_hit = false;
    bool validated = false;  // the last totals read vouches for entries read since clean_since_s
    std::uint32_t clean_since_s = 0;
    bool totals_known = false;
    const auto look_at_totals = [&](UserState& state) {
        epoch = state.epoch;
        totals_known = state.totals_known && state.totals_epoch == epoch;
        totals_hit = totals_known && fresh(state.totals_fetched_s);
        validated = totals_hit;
        clean_since_s = state.clean_since_s;
        if (totals_hit) {
            snapshot.totals = state.totals;
        }
    };
    {
        std::lock_guard lock(m_users_mutex);
        UserState& state = user_locked(user);
        look_at_totals(state);
        if (!state.preload_queued && !preloading && m_options.preload && m_options.background) {
            state.preload_queued = true;
            {
                std::lock_guard wake_lock(m_wake_mutex);
                m_preload_queue.push_back(user);
            }
            m_maintenance_wake.notify_one();
        }
    }
    if (totals_known && !totals_hit) {
        // Expired totals are read first, alone: when nobody else wrote since
        // they were last read, they vouch for the user's cached entries, and
        // this message needs no other read.
        Snapshot unused;
        const std::vector<bool> no_tokens;
        std::vector<bool> no_ambiguity;
        bool ambiguous = false;
        read_and_install(user, {}, ShardGroups{}, no_tokens, epoch, now, true, false, unused,
                         no_ambiguity, ambiguous);
        if (!ambiguous) {
            std::lock_guard lock(m_users_mutex);
            look_at_totals(user_locked(user));
        }
    }

    // Tokens grouped by shard so that each shard is locked once.
    ShardGroups shards;
    std::vector<std::uint8_t> shard_ids(tokens.size());
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        shard_ids[i] = static_cast<std::uint8_t>(key_hash(user, tokens[i]) >> 58);
        ++shards.offsets[shard_ids[i] + 1];
    }
    for (std::size_t s = 0; s < k_shards; ++s) {
        shards.offsets[s + 1] += shards.offsets[s];
    }
    shards.order.resize(tokens.size());
    {
        std::array<std::uint32_t, k_shards> next{};
        std::copy(shards.offsets.begin(), shards.offsets.end() - 1, next.begin());
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            shards.order[next[shard_ids[i]]++] = static_cast<std::uint32_t>(i);
        }
    }
    const auto& offsets = shards.offsets;
    const auto& order = shards.order;

    // Loaded once: a lookup in it is a few instructions, the load is not.
    const std::shared_ptr<const TokenFilter> known = m_known.filter();
    std::vector<bool> missing(tokens.size(), false);
    std::size_t missing_count = 0;
    std::size_t skipped = 0;
    for (std::size_t s = 0; s < k_shards; ++s) {
        if (offsets[s] == offsets[s + 1]) {
            continue;
        }
        Shard& shard = m_shards[s];
        std::lock_guard lock(shard.mutex);
        shards.flushed_evictions[s] = shard.flushed_evictions;
        for (std::uint32_t k = offsets[s]; k < offsets[s + 1]; ++k) {
            const std::uint32_t i = order[k];
            snapshot.stats[i].token = tokens[i];
            const auto found = shard.map.find(Key{user, tokens[i]});
            if (found != shard.map.end() && found->second.known && found->second.epoch == epoch &&
                (fresh(found->second.fetched_s) ||
                 (validated && found->second.fetched_s > clean_since_s))) {
                found->second.referenced = true;
                snapshot.stats[i].counts = found->second.counts;
            } else if (known && !known->may_contain(tokens[i])) {
                // In no row, and never learned here (learning is added to
                // the filter before it is queued): zero counts, no read.
                ++skipped;
            } else {
                missing[i] = true;
                ++missing_count;
            }
        }
    }
    if (!preloading) {
        m_hits.fetch_add(tokens.size() - missing_count - skipped, std::memory_order_relaxed);
        m_known_skips.fetch_add(skipped, std::memory_order_relaxed);
    }
    if (missing_count == 0 && totals_hit) {
        return snapshot;
    }

    (preloading ? m_preloaded : m_misses).fetch_add(missing_count, std::memory_order_relaxed);

    // Read the missing tokens without waiting for the flusher; a token whose
    // batch was committed while we read cannot tell whether our read saw it:
    // those few are read again while no batch of this user is written.
    std::vector<bool> ambiguous(tokens.size(), false);
    bool totals_ambiguous = false;
    read_and_install(user, tokens, shards, missing, epoch, now, !totals_hit, false, snapshot,
                     ambiguous, totals_ambiguous);
    if (std::find(ambiguous.begin(), ambiguous.end(), true) != ambiguous.end() ||
        totals_ambiguous) {
        m_rereads.fetch_add(1, std::memory_order_relaxed);
        std::shared_lock stripe_lock(stripe_of(user));
        std::vector<bool> unused(tokens.size(), false);
        bool unused_totals = false;
        read_and_install(user, tokens, shards, ambiguous, epoch, now, totals_ambiguous, true,
                         snapshot, unused, unused_totals);
    }
    return snapshot;
}

// Reads the tokens marked in `wanted` (and the totals) from the backing store
// in one round trip and installs them: counts = the read replayed with the
// entry's in-flight then pending changes. That is right only when the read
// saw exactly the batches already cleared from flight, which the user's flush
// sequence numbers tell (cached_store.h); `ambiguous` gets the tokens where
// it cannot be told. Under the user's stripe lock (`locked`) no batch is
// being written and everything is installed.
void CachedStore::read_and_install(UserId user, std::span<const Token> tokens,
                                   const ShardGroups& shards, const std::vector<bool>& wanted,
                                   std::uint32_t epoch, std::uint32_t now, bool want_totals,
                                   bool locked, Snapshot& snapshot, std::vector<bool>& ambiguous,
                                   bool& totals_ambiguous) {
    std::vector<Token> read_tokens;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (wanted[i]) {
            read_tokens.push_back(tokens[i]);  // still ascending
        }
    }
    UserState* state = nullptr;
    {
        std::lock_guard lock(m_users_mutex);
        state = &user_locked(user);  // nodes of an unordered_map stay put
    }
    const std::uint32_t done_before = state->flush_done.load();
    m_backing_fetches.fetch_add(1, std::memory_order_relaxed);
    const Snapshot read = m_backing.fetch(user, read_tokens);  // StoreUnavailable passes up
    std::unordered_map<Token, Counts> read_counts;
    read_counts.reserve(read.stats.size());
    std::vector<Token> existing;
    existing.reserve(read.stats.size());
    for (const TokenStat& stat : read.stats) {
        read_counts.emplace(stat.token, stat.counts);
        existing.push_back(stat.token);
    }
    // Rows another writer added since the last scan: known from now on, so
    // the entry's expiry does not turn them into zero counts.
    m_known.note_existing(existing);
    // A token's read is right when no batch touching it was committed after
    // the read began: its last write-back finished before (flushed <=
    // done_before) and the batch holding it now, if any, has not started. An
    // absent token is right when no written entry left its shard since the
    // lookup before the read, or no batch finished since the read began.
    const auto settled = [&](bool present, std::uint32_t flushed, bool in_flight) {
        if (locked) {
            return true;
        }
        const std::uint32_t started_now = state->flush_started.load();
        const std::uint32_t done_now = state->flush_done.load();
        if (!present) {
            return done_now == done_before;
        }
        return flushed <= done_before && (!in_flight || started_now == done_now);
    };
    for (std::size_t s = 0; s < k_shards; ++s) {
        if (shards.offsets[s] == shards.offsets[s + 1]) {
            continue;
        }
        Shard& shard = m_shards[s];
        std::lock_guard lock(shard.mutex);
        for (std::uint32_t k = shards.offsets[s]; k < shards.offsets[s + 1]; ++k) {
            const std::uint32_t i = shards.order[k];
            if (!wanted[i]) {
                continue;
            }
            const Key key{user, tokens[i]};
            auto found = shard.map.find(key);
            const Counts& base = read_counts[tokens[i]];
            if (found == shard.map.end()) {
                if (shard.flushed_evictions != shards.flushed_evictions[s] &&
                    !settled(false, 0, false)) {
                    ambiguous[i] = true;
                    continue;
                }
            } else if (!settled(true, found->second.flushed, !found->second.in_flight.empty())) {
                ambiguous[i] = true;
                continue;
            }
            Node* node = found != shard.map.end() ? &*found : insert_locked(shard, key);
            Entry& entry = node->second;
            entry.counts = replay(replay(base, entry.in_flight), entry.pending);
            entry.known = true;
            entry.fetched_s = now;
            entry.epoch = epoch;
            entry.referenced = true;
            snapshot.stats[i].counts = entry.counts;
        }
    }
    if (!want_totals) {
        return;  // cached and fresh: the read's totals may be ambiguous, ours are not
    }
    std::lock_guard lock(m_users_mutex);
    if (!settled(true, state->totals_flushed, !state->in_flight.empty())) {
        totals_ambiguous = true;
        return;
    }
    const Totals totals = replay(replay(read.totals, state->in_flight), state->pending);
    if (!state->totals_known || state->totals_epoch != epoch || totals != state->totals) {
        state->clean_since_s = now;  // someone else wrote (or a first read): vouch from now on
    }
    state->totals = totals;
    state->totals_known = true;
    state->totals_fetched_s = now;
    state->totals_epoch = epoch;
    snapshot.totals = state->totals;
}

std::optional<Signature> CachedStore::load_signature(UserId user, std::string_view id) {
    std::string encoded;
    bool queued_here = false;
    {
        std::lock_guard lock(m_users_mutex);
        if (const auto state = m_users.find(user); state != m_users.end()) {
            // The pending copy is the newer one (a correction replaces by id).
            for (const auto* signatures :
                 {&state->second.signatures, &state->second.signatures_in_flight}) {
                if (const auto found = signatures->find(id); found != signatures->end()) {
                    encoded = found->second;
                    queued_here = true;
                    break;
                }
            }
        }
    }
    if (!queued_here) {
        return m_backing.load_signature(user, id);
    }
    Signature signature;
    if (!decode_signature(encoded, signature)) {
        throw std::runtime_error("signature '" + std::string(id) + "' of user " +
                                 std::to_string(user) + " is malformed");
    }
    return signature;
}

// --- Learning ----------------------------------------------------------------

void CachedStore::apply(UserId user, const TrainingDelta& delta, const SignatureRecord* signature) {
    std::string encoded;
    if (signature != nullptr) {
        check_signature_id(signature->id);
        encoded = encoded_signature(*signature);
    }
    std::size_t rows = signature != nullptr ? 1 : 0;
    for (const TokenDelta& change : delta.tokens) {
        rows += change.empty() ? 0 : 1;
    }
    if (rows == 0 && delta.totals == Totals{}) {
        return;
    }
    // Approximate under concurrency: each thread may pass the cap by one
    // message. Refusing is the back-pressure: the milter tempfails.
    if (queued() + rows > m_options.max_queue) {
        throw StoreUnavailable("cache: write-back queue full (" + std::to_string(queued()) +
                               " rows); is the database down?");
    }
    const std::uint32_t now = now_s();
    {
        std::shared_lock collect_lock(*m_collect_lock);
        // Tokens in no row and never learned here have counts of zero in the
        // database: their new entries are known at once (no read later).
        // Then they are known before queued, so that no read skips a token
        // whose learning may already be in the database.
        std::vector<bool> absent(delta.tokens.size(), false);
        {
            const std::shared_ptr<const TokenFilter> known = m_known.filter();
            std::vector<Token> learned;
            learned.reserve(delta.tokens.size());
            for (std::size_t i = 0; i < delta.tokens.size(); ++i) {
                const TokenDelta& change = delta.tokens[i];
                if (!change.empty()) {
                    absent[i] = known && !known->may_contain(change.token);
                    learned.push_back(change.token);
                }
            }
            m_known.add(learned);
        }
        std::uint32_t epoch = 0;
        {
            std::lock_guard lock(m_users_mutex);
            UserState& state = user_locked(user);
            epoch = state.epoch;
            for (std::size_t f = 0; f < k_totals_fields.size(); ++f) {
                const std::int64_t d = delta.totals.*k_totals_fields[f];
                if (d == 0) {
                    continue;
                }
                add(state.pending.fields[f], d);
                if (state.totals_known) {
                    std::int64_t& value = state.totals.*k_totals_fields[f];
                    value = std::max<std::int64_t>(0, value + d);
                }
            }
            if (signature != nullptr) {
                if (state.signatures.insert_or_assign(signature->id, std::move(encoded)).second) {
                    m_queued_rows.fetch_add(1, std::memory_order_relaxed);
                }
            }
            if (!state.dirty) {
                state.dirty = true;
                m_dirty_users.push_back(user);
            }
        }
        for (std::size_t i = 0; i < delta.tokens.size(); ++i) {
            const TokenDelta& change = delta.tokens[i];
            if (change.empty()) {
                continue;
            }
            const Key key{user, change.token};
            Shard& shard = shard_of(key);
            std::lock_guard lock(shard.mutex);
            auto found = shard.map.find(key);
            Node* node = found != shard.map.end() ? &*found : insert_locked(shard, key);
            Entry& entry = node->second;
            if (found == shard.map.end() && absent[i]) {
                entry.known = true;  // zero counts, which the deltas below change
                entry.fetched_s = now;
                entry.epoch = epoch;
            }
            add(entry.pending.spam, change.spam);
            add(entry.pending.innocent, change.innocent);
            entry.pending.weight += change.weight;
            if (entry.known) {
                entry.counts.spam = std::max<std::int64_t>(0, entry.counts.spam + change.spam);
                entry.counts.innocent =
                    std::max<std::int64_t>(0, entry.counts.innocent + change.innocent);
                entry.counts.weight += change.weight;
            }
            mark_dirty_locked(shard, node);
        }
    }
    if (queued() >= m_options.flush_rows) {
        {
            std::lock_guard lock(m_wake_mutex);
            m_wake_requested = true;
        }
        m_wake.notify_one();
    }
}

void CachedStore::apply_batch(UserId user, const TrainingDelta& delta,
                              std::span<const SignatureRecord> signatures) {
    for (const SignatureRecord& signature : signatures) {
        check_signature_id(signature.id);  // all or none
    }
    apply(user, delta, signatures.empty() ? nullptr : &signatures.front());
    for (std::size_t i = 1; i < signatures.size(); ++i) {
        apply(user, TrainingDelta{}, &signatures[i]);
    }
}

bool CachedStore::refresh_known_tokens() {
    {
        // No apply() is queueing: every token whose learning may not be
        // committed yet is either listed here or will be logged.
        std::lock_guard collect_lock(*m_collect_lock);
        std::vector<Token> queued;
        for (std::size_t s = 0; s < k_shards; ++s) {
            std::lock_guard lock(m_shards[s].mutex);
            for (const auto& [key, entry] : m_shards[s].map) {
                if (!entry.clean()) {
                    queued.push_back(key.token);
                }
            }
        }
        m_known.begin_rebuild(queued);
    }
    const std::size_t expected =
        std::max(m_known.last_count(), m_entries.load(std::memory_order_relaxed)) * 5 / 4;
    auto filter = std::make_shared<TokenFilter>(expected);
    std::size_t count = 0;
    try {
        m_backing.scan_tokens(std::nullopt, [&](std::span<const Token> tokens) {
            for (const Token token : tokens) {
                filter->insert(token);
            }
            count += tokens.size();
        });
    } catch (...) {
        m_known.abort_rebuild();
        throw;
    }
    const bool outgrown = count > filter->capacity();
    m_known.finish_rebuild(std::move(filter));
    m_known.set_last_count(count);
    m_known_rebuilds.fetch_add(1, std::memory_order_relaxed);
    return outgrown;
}

std::size_t CachedStore::preload(UserId user) {
    constexpr std::size_t k_chunk = 4096;  // tokens per read: one statement each
    const std::size_t budget = m_options.max_entries / 2;
    // Thrown from the sink to end the scan of a user too big to preload.
    struct TooMany {};
    std::vector<Token> tokens;
    try {
        m_backing.scan_tokens(user, [&](std::span<const Token> chunk) {
            if (tokens.size() + chunk.size() > budget) {
                throw TooMany{};
            }
            tokens.insert(tokens.end(), chunk.begin(), chunk.end());
        });
    } catch (const TooMany&) {
        return 0;
    }
    if (m_entries.load(std::memory_order_relaxed) + tokens.size() > budget) {
        return 0;
    }
    std::sort(tokens.begin(), tokens.end());
    tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
    for (std::size_t i = 0; i < tokens.size(); i += k_chunk) {
        {
            std::lock_guard lock(m_wake_mutex);
            if (m_stopping) {
                return i;
            }
        }
        const std::size_t n = std::min(k_chunk, tokens.size() - i);
        read_through(user, std::span<const Token>(tokens).subspan(i, n), true);
    }
    return tokens.size();
}

// The known-token filter at once, then every known_tokens_refresh_s (at once
// again when the table outgrew the filter); between them, the users queued
// for preloading. While the database is down the previous filter stays (it
// is still exact for this process's learning) and preloads are dropped: a
// user not preloaded is only slower.
void CachedStore::run_maintenance() {
    using Clock = std::chrono::steady_clock;
    const auto period = std::chrono::seconds(m_options.known_tokens_refresh_s);
    const bool rebuilding = m_options.known_tokens_refresh_s > 0;
    auto next_rebuild = rebuilding ? Clock::now() : Clock::now() + std::chrono::hours(24 * 365);
    bool failing = false;
    const auto warn = [&](const std::string& what, const std::exception& e) {
        if (!failing && m_options.warn) {
            m_options.warn("cache: " + what + ": " + e.what());
        }
        failing = true;
    };
    std::unique_lock lock(m_wake_mutex);
    while (!m_stopping) {
        m_maintenance_wake.wait_until(
            lock, next_rebuild, [&] { return m_stopping || !m_preload_queue.empty(); });
        if (m_stopping) {
            break;
        }
        std::vector<UserId> users;
        users.swap(m_preload_queue);
        const bool rebuild_due = rebuilding && Clock::now() >= next_rebuild;
        lock.unlock();
        if (rebuild_due) {
            next_rebuild = Clock::now() + period;
            try {
                if (refresh_known_tokens()) {
                    next_rebuild = Clock::now();
                }
                failing = false;
            } catch (const std::exception& e) {
                warn("known-token scan failed, keeping the previous filter", e);
            }
        }
        for (const UserId user : users) {
            try {
                preload(user);
            } catch (const std::exception& e) {
                warn("preload of user " + std::to_string(user) + " failed", e);
            }
        }
        lock.lock();
    }
}

void CachedStore::scan_tokens(std::optional<UserId> user, const TokenChunkSink& sink) {
    flush();
    m_backing.scan_tokens(user, sink);
}

CachedStoreStats CachedStore::cache_stats() const {
    CachedStoreStats stats;
    stats.hits = m_hits.load(std::memory_order_relaxed);
    stats.misses = m_misses.load(std::memory_order_relaxed);
    stats.known_skips = m_known_skips.load(std::memory_order_relaxed);
    stats.known_rebuilds = m_known_rebuilds.load(std::memory_order_relaxed);
    stats.preloaded = m_preloaded.load(std::memory_order_relaxed);
    stats.known_tokens = m_known.last_count();
    stats.backing_fetches = m_backing_fetches.load(std::memory_order_relaxed);
    stats.rereads = m_rereads.load(std::memory_order_relaxed);
    stats.evictions = m_evictions.load(std::memory_order_relaxed);
    stats.flushes = m_flushes.load(std::memory_order_relaxed);
    stats.flushed_rows = m_flushed_rows.load(std::memory_order_relaxed);
    stats.flushed_signatures = m_flushed_signatures.load(std::memory_order_relaxed);
    stats.flushed_history = m_flushed_history.load(std::memory_order_relaxed);
    stats.flush_failures = m_flush_failures.load(std::memory_order_relaxed);
    stats.dropped_rows = m_dropped_rows.load(std::memory_order_relaxed);
    stats.queued_rows = queued();
    stats.entries = m_entries.load(std::memory_order_relaxed);
    return stats;
}

}  // namespace dspamd
