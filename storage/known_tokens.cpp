#include "storage/known_tokens.h"

#include <algorithm>
#include <bit>

#include "classifier/hash.h"

namespace dspamd {

namespace {

constexpr std::size_t k_bits_per_token = 16;
constexpr std::size_t k_min_bytes = std::size_t{64} << 10;


constexpr std::size_t k_block_words = 8;  // 64 bytes: one cache line

// One bit in each word of the block, from the top 48 bits of the hash; the
// low bits pick the block.
std::uint64_t bit_of(std::uint64_t h, std::size_t word) {
    return std::uint64_t{1} << ((h >> (16 + 6 * word)) & 63);
}

}  // namespace

TokenFilter::TokenFilter(std::size_t expected) {
    const std::size_t wanted = std::clamp(expected * k_bits_per_token / 8, k_min_bytes, k_max_bytes);
    const std::size_t bytes = std::bit_ceil(wanted);
    m_words_count = bytes / sizeof(std::uint64_t);
    m_block_mask = m_words_count / k_block_words - 1;
    m_capacity = bytes * 8 / k_bits_per_token;
    m_words = std::make_unique<std::atomic<std::uint64_t>[]>(m_words_count);
}

void TokenFilter::insert(Token token) noexcept {
    const std::uint64_t h = mix64(token);  // block and bits independent
    std::atomic<std::uint64_t>* block = &m_words[(h & m_block_mask) * k_block_words];
    for (std::size_t w = 0; w < k_block_words; ++w) {
        const std::uint64_t bit = bit_of(h, w);
        // Most learned tokens are there already: a read, not a locked write.
        if ((block[w].load(std::memory_order_relaxed) & bit) == 0) {
            block[w].fetch_or(bit, std::memory_order_relaxed);
        }
    }
}

bool TokenFilter::may_contain(Token token) const noexcept {
    const std::uint64_t h = mix64(token);  // block and bits independent
    const std::atomic<std::uint64_t>* block = &m_words[(h & m_block_mask) * k_block_words];
    for (std::size_t w = 0; w < k_block_words; ++w) {
        if ((block[w].load(std::memory_order_relaxed) & bit_of(h, w)) == 0) {
            return false;
        }
    }
    return true;
}

bool KnownTokens::may_exist(Token token) const {
    const std::shared_ptr<TokenFilter> filter = m_filter.load();
    return !filter || filter->may_contain(token);
}

void KnownTokens::add(std::span<const Token> tokens) {
    if (tokens.empty()) {
        return;
    }
    if (!m_logging.load()) {
        // No rebuild runs: begin_rebuild() never overlaps an add().
        if (const std::shared_ptr<TokenFilter> filter = m_filter.load()) {
            for (const Token token : tokens) {
                filter->insert(token);
            }
        }
        return;
    }
    std::lock_guard lock(m_mutex);
    if (const std::shared_ptr<TokenFilter> filter = m_filter.load()) {
        for (const Token token : tokens) {
            filter->insert(token);
        }
    }
    if (m_logging.load()) {
        m_log.insert(m_log.end(), tokens.begin(), tokens.end());
    }
}

void KnownTokens::note_existing(std::span<const Token> tokens) {
    if (const std::shared_ptr<TokenFilter> filter = m_filter.load()) {
        for (const Token token : tokens) {
            filter->insert(token);
        }
    }
}

void KnownTokens::begin_rebuild(std::span<const Token> queued) {
    std::lock_guard lock(m_mutex);
    m_log.assign(queued.begin(), queued.end());
    m_logging.store(true);
}

void KnownTokens::finish_rebuild(std::shared_ptr<TokenFilter> scanned) {
    std::lock_guard lock(m_mutex);
    for (const Token token : m_log) {
        scanned->insert(token);
    }
    m_filter.store(std::move(scanned));
    m_logging.store(false);
    m_log.clear();
    m_log.shrink_to_fit();
}

void KnownTokens::abort_rebuild() {
    std::lock_guard lock(m_mutex);
    m_logging.store(false);
    m_log.clear();
    m_log.shrink_to_fit();
}

}  // namespace dspamd
