// CachedStore: a Store decorator that keeps hot token counts in memory, shared
// by all threads, and writes learning back to its backing Store (PostgreSQL)
// in batches from a background thread. PostgreSQL stays the durable source of
// truth; reading and writing every token of every message there costs 2-20 ms
// (issue 3), which the milter cannot afford per message.
//
// Reads: fetch() answers from a sharded table (user, token) -> counts as that
// user sees them (own + merged group), plus per-user totals; only missing or
// expired entries go to the backing store, in one round trip. Unknown tokens
// are cached as zero counts too (negative caching). Tokens that no row of the
// table can hold (KnownTokens, storage/known_tokens.h: a filter rebuilt from
// a scan every known_tokens_refresh_s and kept exact for this process's own
// learning) are answered as zero without a read and without an entry: most
// uncached tokens of a message are one-off words nobody learned.
//
// Preload: a user's first fetch queues the user for the background thread,
// which reads all the rows fetch() would find for it into memory (when they
// fit in half of max_entries), so that after a start or a reload the first
// messages do not each read their tokens.
//
// Writes: apply() changes the cached counts at once (the user's next message
// sees its own learning) and queues the deltas, merged per (user, token), and
// the signature; record_history() queues the row. The flusher writes the
// queue every flush_interval_ms, or sooner when flush_rows rows are queued,
// in batches of about batch_rows token rows: one backing apply_batch per user
// per batch (one transaction), tokens ascending, with the user's totals and
// all the user's queued signatures in one statement; then the history rows of
// all users, in statements of up to batch_rows rows (record_history_batch).
// So a message costs no transaction of its own. load_signature() and
// history() find queued signatures and rows.
//
// Exactness: counts are clamped at zero (PgStore's greatest(0, ...)), so a
// plain sum of queued deltas could differ from applying them one by one. The
// queue keeps, per counter, the sum and the lowest running sum
// (storage/queued_change.h), which replay the sequence in one delta, or in two
// applies of the same flush when the sequence touched zero. Weights are not
// clamped: their queued sum goes with the first apply.
//
// Staleness (documented bounds):
// - Own learning is visible to the user at once.
// - The cache is keyed by the requesting user: an entry holds the merged view
//   (own + group) as that user sees it, and the user's deltas go to it. The
//   group's own learning reaches a member's view once the group's queue is
//   flushed and the member's entry refetched: within flush_interval_ms +
//   ttl_s (on any host). set_merge_group() drops the user's cached view.
// - Other MX hosts' learning reaches this host within their flush interval
//   (plus any outage) + ttl_s; a token that is new to the whole table (also
//   one dspamctl learned) within known_tokens_refresh_s. Every learning
//   changes the user's totals, so the totals, read again every ttl_s, tell
//   whether anyone else wrote: while they come back as this cache's own
//   learning left them, the user's entries stay fresh without being read
//   again (a single host re-reads nothing); once they differ, every entry
//   read before is read again when next used.
// - When the user's own count is below an unlearning delta while its group
//   has counts, the cache clamps the merged view and the database clamps the
//   own row: they differ until the entry is refetched (ttl_s).
// - stats() and preferences() read the backing store: stats lag by the queue.
//   token_rows() flushes first, so it counts every row learned before it.
//
// Crash window: a crash loses the queued training, signatures and history
// rows, never a message: normally at most flush_interval_ms plus the duration
// of one flush (a batch per batch_rows queued rows); while the database is
// unreachable or slower than the learning, up to max_queue rows (then apply()
// and record_history() throw StoreUnavailable and the milter's failure
// policy, tempfail by default, takes over; a history row it cannot queue is
// logged and skipped). A batch whose commit outcome is unknown (connection
// lost during COMMIT) is retried, so it may count twice, and its history
// rows appear twice.
//
// Memory: about 160 bytes per cached entry (the entry, its hash node and
// bucket, its CLOCK slot); max_entries bounds them, except that entries with
// queued changes are never evicted, so the bound is max_entries + max_queue.
//
// Thread safety: every public method may be called from any number of
// threads. Shards and user records have their own mutexes. A fetch reads the
// backing store without waiting for the flusher; per user, flush sequence
// numbers (started/done) and a stamp on each entry tell whether a batch was
// committed while the read ran, in which case the read cannot tell whether it
// saw that batch. Only those tokens (recently written ones that were missing
// or expired: rare) are read again under the user's stripe lock, which the
// flusher holds while it writes the user's counts. So a read never counts a
// batch both in the database and in the queue, nor neither.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <absl/container/node_hash_map.h>

#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "storage/known_tokens.h"
#include "storage/queued_change.h"
#include "storage/store.h"
#include "storage/writer_first_lock.h"

namespace dspamd {

// Proposed [cache] configuration keys (defaults):
//   enabled = true
//   max_entries = 500000         cached (user, token) entries; ~160 bytes each
//   ttl_s = 60                   refetch entries older than this
//   flush_interval_ms = 1000     write-back period
//   flush_rows = 20000           write back sooner when this many rows queue
//   batch_rows = 5000            token rows per write-back transaction
//   max_queue = 500000           hard cap: apply(), record_history() throw StoreUnavailable
//   retry_max_ms = 30000         back-off cap while the database is down
//   known_tokens_refresh_s = 60  rebuild of the known-token filter; 0: no filter
//   preload = true               read a user's rows into memory on its first message
struct CachedStoreOptions {
    std::size_t max_entries = 500'000;  // rounded down to a multiple of the shard count
    int ttl_s = 60;                     // 0: every fetch reads the backing store
    int flush_interval_ms = 1000;
    std::size_t flush_rows = 20'000;
    std::size_t batch_rows = 5'000;   // token rows per backing transaction (about)
    std::size_t max_queue = 500'000;  // token rows + signatures + history rows waiting
    int retry_max_ms = 30'000;        // back-off doubles from flush_interval_ms up to this
    int known_tokens_refresh_s = 60;  // 0: no KnownTokens filter, every miss is read
    bool preload = true;              // with background: a user's rows on its first fetch
    // Where the flusher reports failures (storage does not log); may be empty.
    std::function<void(const std::string&)> warn;
    // The clock for TTLs; empty: std::chrono::steady_clock. For tests.
    std::function<std::chrono::steady_clock::time_point()> now;
    // false: no background thread; only flush() writes back. For tests.
    bool background = true;
};

// Counters for logs and benchmarks; a consistent-enough copy, not a snapshot.
struct CachedStoreStats {
    std::uint64_t hits = 0;             // tokens answered from memory
    std::uint64_t misses = 0;           // tokens read from the backing store
    std::uint64_t known_skips = 0;      // tokens the KnownTokens filter answered: no row
    std::uint64_t known_rebuilds = 0;   // filters built from a scan
    std::uint64_t preloaded = 0;        // tokens read ahead for a user's first messages
    std::size_t known_tokens = 0;       // rows the last scan found
    std::uint64_t backing_fetches = 0;  // round trips for misses
    std::uint64_t rereads = 0;          // reads repeated under the stripe lock (a flush overlapped)
    std::uint64_t evictions = 0;
    std::uint64_t flushes = 0;       // successful flush passes with work
    std::uint64_t flushed_rows = 0;  // token rows written back
    std::uint64_t flushed_signatures = 0;
    std::uint64_t flushed_history = 0;  // history rows written back
    std::uint64_t flush_failures = 0;
    std::uint64_t dropped_rows = 0;  // rows the backing store refused (not unavailability)
    std::size_t queued_rows = 0;  // token rows + signatures + history rows waiting or being written
    std::size_t entries = 0;
};

class CachedStore final : public Store {
public:
    // Starts the flusher thread unless options.background is false. Throws
    // std::invalid_argument on bad options.
    CachedStore(Store& backing, CachedStoreOptions options = {});
    // Stops the flusher and writes back what is queued; what cannot be
    // written is reported through options.warn.
    ~CachedStore() override;
    CachedStore(const CachedStore&) = delete;
    CachedStore& operator=(const CachedStore&) = delete;

    UserId user_id(std::string_view name) override;
    void set_merge_group(UserId user, std::optional<UserId> group) override;
    Snapshot fetch(UserId user, std::span<const Token> tokens) override;
    // Never waits for the database. Throws StoreUnavailable when the queue
    // would pass max_queue, std::invalid_argument on a bad signature id.
    // Errors the backing store finds later (an unknown user) are reported by
    // the flusher, and the rows dropped.
    void apply(UserId user, const TrainingDelta& delta, const SignatureRecord* signature) override;
    // apply() of each signature (the deltas with the first).
    void apply_batch(UserId user, const TrainingDelta& delta,
                     std::span<const SignatureRecord> signatures) override;
    std::optional<Signature> load_signature(UserId user, std::string_view id) override;
    // Writes back what is queued first (may throw StoreUnavailable like
    // flush()): only the backing store knows which rows exist.
    std::int64_t token_rows(UserId user) override;
    // The backing store's, after writing back what is queued.
    void scan_tokens(std::optional<UserId> user, const TokenChunkSink& sink) override;
    std::map<std::string, std::string> preferences(UserId user) override;
    void set_preference(UserId user, std::string_view key, std::string_view value) override;
    std::vector<UserStats> stats(std::optional<std::string_view> user) override;
    // Queues the rows for the flusher (never waits for the database); rows of
    // a user id that user_id() did not return go straight to the backing
    // store, which knows whether it exists. Throws std::invalid_argument on
    // an invalid row, StoreUnavailable when the queue would pass max_queue.
    void record_history(UserId user, const HistoryEntry& entry) override;
    void record_history_batch(std::span<const UserHistoryEntry> rows) override;
    // The backing store's rows with the queued ones, newest first.
    std::vector<HistoryEntry> history(UserId user, std::size_t limit) override;
    // Writes the queued history rows first.
    std::int64_t purge_history(int older_than_days) override;
    // Quarantine is written at once, straight to the backing store.
    std::int64_t add_quarantine(UserId user, const QuarantineEntry& entry) override;
    std::optional<QuarantineEntry> find_quarantine_by_signature(
        UserId user, std::string_view signature) override;
    std::int64_t release_quarantine(std::string_view queue_id, std::string_view host) override;

    // Writes back everything queued before the call, now. Throws
    // StoreUnavailable (the queue is kept) when the backing store is down.
    void flush();

    // Builds the KnownTokens filter again from a scan of the backing store
    // (the background thread does it every known_tokens_refresh_s). Returns
    // true when the table outgrew the new filter, which the next rebuild
    // fixes. Throws StoreUnavailable, keeping the previous filter.
    bool refresh_known_tokens();

    // Reads every row fetch(user) would find into memory, unless that would
    // fill more than half of max_entries. Returns the tokens read. The
    // background thread does it for each user's first fetch when preload is
    // on. Throws StoreUnavailable.
    std::size_t preload(UserId user);

    CachedStoreStats cache_stats() const;

private:
    using Change = queued_change::Change;
    using TokenChange = queued_change::TokenChange;
    using TotalsChange = queued_change::TotalsChange;
    struct Key {
        UserId user = 0;
        Token token = 0;
        friend bool operator==(const Key&, const Key&) = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& key) const;
    };
    struct Entry {
        Counts counts;                // valid when `known`
        TokenChange pending;          // queued, not yet taken by the flusher
        TokenChange in_flight;        // taken by the flusher, not yet confirmed written
        std::uint32_t fetched_s = 0;  // seconds since m_start, when read from the backing store
        std::uint32_t epoch = 0;      // the user's merge epoch at that read
        std::uint32_t flushed = 0;    // the user's flush that last wrote it
        bool known = false;           // counts read from the backing store (else only deltas)
        bool referenced = false;      // CLOCK bit
        bool dirty = false;           // listed in the shard's dirty list
        bool clean() const { return !dirty && pending.empty() && in_flight.empty(); }
    };
    // A Swiss table of pointers to nodes: node addresses stay stable (the
    // ring and dirty lists hold them), and a lookup probes a flat array of
    // tag bytes instead of walking a bucket's chain (std::unordered_map's
    // lookups took 15 % of dspamd's CPU).
    using Map = absl::node_hash_map<Key, Entry, KeyHash>;
    using Node = Map::value_type;
    struct Shard {
        std::mutex mutex;
        Map map;
        std::vector<Node*> ring;  // CLOCK order; node addresses are stable in node_hash_map
        std::size_t hand = 0;
        std::vector<Node*> dirty;             // entries with pending changes
        std::uint64_t flushed_evictions = 0;  // evictions of entries the flusher wrote
    };
    struct UserState {
        Totals totals;  // valid when totals_known
        bool totals_known = false;
        std::uint32_t totals_fetched_s = 0;
        std::uint32_t totals_epoch = 0;
        // Since the read of the totals at clean_since_s, every later read
        // found them as this cache's own learning left them: nobody else
        // wrote the user's (or its group's) rows, so entries read since then
        // are as fresh as the last totals read.
        std::uint32_t clean_since_s = 0;
        std::uint32_t epoch = 0;  // bumped when the merge group changes
        // Flush sequence numbers: started is bumped before a batch's first
        // write, done after its in-flight changes are cleared (or restored).
        std::atomic<std::uint32_t> flush_started{0};
        std::atomic<std::uint32_t> flush_done{0};
        std::uint32_t totals_flushed = 0;
        std::optional<std::optional<UserId>> group;  // last set through us
        TotalsChange pending;
        TotalsChange in_flight;
        std::map<std::string, std::string, std::less<>> signatures;  // queued, encoded
        std::map<std::string, std::string, std::less<>> signatures_in_flight;
        bool dirty = false;
        bool preload_queued = false;
    };
    struct Batch;
    struct UserBatch;
    using RwLock = WriterFirstLock;

    static constexpr std::size_t k_shards = 64;
    static constexpr std::size_t k_user_stripes = 64;

    struct ShardGroups {
        std::array<std::uint32_t, k_shards + 1> offsets{};
        std::vector<std::uint32_t> order;                         // token indices, shard by shard
        std::array<std::uint64_t, k_shards> flushed_evictions{};  // as the hit lookup saw them
    };

    std::uint32_t now_s() const;
    Shard& shard_of(const Key& key);
    RwLock& stripe_of(UserId user);
    UserState& user_locked(UserId user);
    Node* insert_locked(Shard& shard, const Key& key);
    void mark_dirty_locked(Shard& shard, Node* node);
    std::size_t queued() const;
    void read_and_install(UserId user, std::span<const Token> tokens, const ShardGroups& shards,
                          const std::vector<bool>& wanted, std::uint32_t epoch, std::uint32_t now,
                          bool want_totals, bool locked, Snapshot& snapshot,
                          std::vector<bool>& ambiguous, bool& totals_ambiguous);

    Batch collect();
    void write_back(Batch& batch);
    void write_user(UserBatch& user);
    void restore(UserBatch& user, bool first_written, std::size_t signatures_written,
                 std::uint32_t flush);
    void finish(UserBatch& user, std::size_t signatures_written, std::uint32_t flush);
    void write_history();
    void flush_locked();
    void run_flusher();
    void run_maintenance();
    Snapshot read_through(UserId user, std::span<const Token> tokens, bool preloading);

    Store& m_backing;
    const CachedStoreOptions m_options;
    const std::size_t m_shard_capacity;
    const std::chrono::steady_clock::time_point m_start;

    std::unique_ptr<Shard[]> m_shards;
    std::unique_ptr<RwLock[]> m_stripes;

    mutable std::mutex m_users_mutex;
    std::unordered_map<UserId, UserState> m_users;
    std::unordered_map<std::string, UserId> m_user_ids;
    std::unordered_set<UserId> m_named_ids;  // the values of m_user_ids
    std::vector<UserId> m_dirty_users;

    // apply() holds it shared, collect() exclusive: a batch not cut short by
    // batch_rows holds whole messages, never half of one.
    std::unique_ptr<RwLock> m_collect_lock;
    std::mutex m_flush_mutex;  // one flush pass at a time

    // History rows: queued, and taken by the flusher. history() holds
    // m_history_write_mutex, which the flusher holds from taking rows until
    // they are written or back in the queue: a row is never missed or seen
    // twice.
    std::mutex m_history_mutex;
    std::vector<UserHistoryEntry> m_history;  // in arrival order
    std::mutex m_history_write_mutex;

    std::mutex m_wake_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    bool m_wake_requested = false;
    std::thread m_flusher;

    KnownTokens m_known;
    // Rebuilds of m_known and preloads, on one thread.
    std::condition_variable m_maintenance_wake;  // with m_wake_mutex and m_stopping
    std::vector<UserId> m_preload_queue;         // under m_wake_mutex
    std::thread m_maintenance;

    std::atomic<std::size_t> m_queued_rows{0};  // dirty entries + in-flight rows + signatures
                                                // + history rows
    std::atomic<std::size_t> m_entries{0};
    std::atomic<std::uint64_t> m_hits{0};
    std::atomic<std::uint64_t> m_misses{0};
    std::atomic<std::uint64_t> m_known_skips{0};
    std::atomic<std::uint64_t> m_known_rebuilds{0};
    std::atomic<std::uint64_t> m_preloaded{0};
    std::atomic<std::uint64_t> m_backing_fetches{0};
    std::atomic<std::uint64_t> m_rereads{0};
    std::atomic<std::uint64_t> m_evictions{0};
    std::atomic<std::uint64_t> m_flushes{0};
    std::atomic<std::uint64_t> m_flushed_rows{0};
    std::atomic<std::uint64_t> m_flushed_signatures{0};
    std::atomic<std::uint64_t> m_flushed_history{0};
    std::atomic<std::uint64_t> m_flush_failures{0};
    std::atomic<std::uint64_t> m_dropped_rows{0};
};

}  // namespace dspamd
