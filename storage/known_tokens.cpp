#include "storage/known_tokens.h"

#include <algorithm>
#include <bit>

namespace dspamd {

namespace {

constexpr std::size_t k_bits_per_token = 16;
constexpr std::size_t k_min_bytes = std::size_t{64} << 10;

// Tokens are hashes already, but of text with structure; one more mix makes
// the word index and the bits within it independent.
std::uint64_t remix(std::uint64_t x) {
    x ^= x >> 31;
    x *= 0x7fb5d329728ea185ULL;
    x ^= x >> 27;
    x *= 0x81dadef4bc2dd44dULL;
    x ^= x >> 33;
    return x;
}

// 4 bit positions from the top 24 bits of the hash.
std::uint64_t bits_of(std::uint64_t h) {
    return (std::uint64_t{1} << (h >> 58)) | (std::uint64_t{1} << ((h >> 52) & 63)) |
           (std::uint64_t{1} << ((h >> 46) & 63)) | (std::uint64_t{1} << ((h >> 40) & 63));
}

}  // namespace

TokenFilter::TokenFilter(std::size_t expected) {
    const std::size_t wanted = std::clamp(expected * k_bits_per_token / 8, k_min_bytes, k_max_bytes);
    const std::size_t bytes = std::bit_ceil(wanted);
    m_mask = bytes / sizeof(std::uint64_t) - 1;
    m_capacity = bytes * 8 / k_bits_per_token;
    m_words = std::make_unique<std::atomic<std::uint64_t>[]>(m_mask + 1);
}

void TokenFilter::insert(Token token) noexcept {
    const std::uint64_t h = remix(token);
    m_words[h & m_mask].fetch_or(bits_of(h), std::memory_order_relaxed);
}

bool TokenFilter::may_contain(Token token) const noexcept {
    const std::uint64_t h = remix(token);
    const std::uint64_t bits = bits_of(h);
    return (m_words[h & m_mask].load(std::memory_order_relaxed) & bits) == bits;
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
