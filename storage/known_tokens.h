// KnownTokens: which tokens the token table may hold (any user's), so that
// the cache does not ask PostgreSQL about a token nobody ever learned. Most
// tokens a message brings that are not cached yet are such tokens (one-off
// words, numbers, chains), and reading them costs the database a btree
// descent each for an empty answer.
//
// A Bloom filter: "absent" is certain, "may exist" is wrong for about 1 token
// in 1,500 (16 bits per token; more once the table outgrows the filter until
// the next rebuild sizes it again, and always correct).
//
// It is built from a scan of the table and kept exact by adding every token
// this process learns before the learning can reach the database. A rebuild
// (CachedStore, every known_tokens_refresh_s) runs:
//   1. begin_rebuild(queued) while no learning is being queued, where
//      `queued` are the tokens whose learning is queued or being written:
//      from now on every added token is also logged;
//   2. the scan, which starts after step 1 and so sees every row committed
//      before it;
//   3. finish_rebuild(scanned): the new filter gets the log, and replaces the
//      old one; abort_rebuild() when the scan failed (the old one stays,
//      still exact for this process).
// Tokens other writers (another MX host, dspamctl) add to the table are seen
// after the next rebuild: the staleness the cache's TTL already has.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "classifier/types.h"

namespace dspamd {

// A blocked Bloom filter: each token sets one bit in each of the 8 words of
// one 64-byte block, so a lookup touches one cache line. Inserts and lookups
// are thread-safe.
class TokenFilter {
public:
    // Sized for `expected` tokens at about 16 bits each (a power of two,
    // between 64 KiB and k_max_bytes).
    explicit TokenFilter(std::size_t expected);

    void insert(Token token) noexcept;
    bool may_contain(Token token) const noexcept;
    std::size_t capacity() const { return m_capacity; }  // tokens it was sized for
    std::size_t bytes() const { return m_words_count * sizeof(std::uint64_t); }

    static constexpr std::size_t k_max_bytes = std::size_t{256} << 20;

private:
    std::size_t m_capacity;
    std::size_t m_words_count;
    std::size_t m_block_mask;  // blocks - 1
    std::unique_ptr<std::atomic<std::uint64_t>[]> m_words;
};

class KnownTokens {
public:
    // True when a filter was built: until then every token may exist.
    bool ready() const { return m_filter.load() != nullptr; }
    // False only when `token` is certainly in no row of the table.
    bool may_exist(Token token) const;
    // The current filter, for many lookups; null until built.
    std::shared_ptr<const TokenFilter> filter() const { return m_filter.load(); }
    // Tokens this process is about to learn; call before they are queued,
    // never while begin_rebuild() runs.
    void add(std::span<const Token> tokens);
    // Tokens just read from the table: any scan starting later sees them, so
    // they go into the current filter only (no log, any time).
    void note_existing(std::span<const Token> tokens);

    void begin_rebuild(std::span<const Token> queued);
    // `scanned`: the filter filled by the scan.
    void finish_rebuild(std::shared_ptr<TokenFilter> scanned);
    void abort_rebuild();

    // The size the next filter should have: the last scan's count.
    std::size_t last_count() const { return m_last_count.load(); }
    void set_last_count(std::size_t count) { m_last_count.store(count); }

private:
    std::atomic<std::shared_ptr<TokenFilter>> m_filter;
    std::atomic<bool> m_logging{false};
    std::atomic<std::size_t> m_last_count{0};
    std::mutex m_mutex;  // the log, and the swap against concurrent add()
    std::vector<Token> m_log;
};

}  // namespace dspamd
