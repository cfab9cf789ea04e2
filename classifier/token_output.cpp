// TokenSet and TokenOutput (see token_output.h).
#include "classifier/token_output.h"

#include <cstdint>
#include <exception>
#include <random>

#include "classifier/hash.h"

namespace dspamd {
namespace {

constexpr std::size_t k_initial_slots = 1024;  // power of two; a typical message fits

// FNV-1a is not a keyed hash: a sender could craft thousands of tokens whose
// hashes share their low bits and make linear probing quadratic. Slots are
// therefore chosen by a keyed mix (splitmix64's finaliser) with a key drawn
// once per process. The key affects only where tokens sit in the table,
// never which tokens come out or their order.
std::uint64_t process_key() {
    static const std::uint64_t key = [] {
        try {
            std::random_device device;
            return (static_cast<std::uint64_t>(device()) << 32) ^ device();
        } catch (const std::exception&) {
            // No entropy source: the code's load address still varies under ASLR.
            return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(&process_key));
        }
    }();
    return key;
}

std::size_t slot_of(Token token, std::uint64_t key, std::size_t mask) {
    return static_cast<std::size_t>(mix64(token ^ key)) & mask;
}

}  // namespace

TokenSet::TokenSet() : m_key(process_key()) {}

std::uint32_t TokenSet::add(Token token) {
    const auto bump = [](std::uint32_t& n) {
        n += n < UINT32_MAX ? 1 : 0;
        return n;
    };
    if (token == 0) {
        m_size += m_zero_count == 0 ? 1 : 0;
        return bump(m_zero_count);
    }
    // Keep the load factor at or below one half so probes stay short.
    if ((m_size + 1) * 2 > m_slots.size()) {
        grow();
    }
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t i = slot_of(token, m_key, mask);; i = (i + 1) & mask) {
        if (m_slots[i] == token) {
            return bump(m_counts[i]);
        }
        if (m_slots[i] == 0) {
            m_slots[i] = token;
            ++m_size;
            return bump(m_counts[i]);
        }
    }
}

std::uint32_t TokenSet::count(Token token) const {
    if (token == 0) {
        return m_zero_count;
    }
    if (m_slots.empty()) {
        return 0;
    }
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t i = slot_of(token, m_key, mask);; i = (i + 1) & mask) {
        if (m_slots[i] == token) {
            return m_counts[i];
        }
        if (m_slots[i] == 0) {
            return 0;
        }
    }
}

void TokenSet::grow() {
    std::vector<Token> old;
    std::vector<std::uint32_t> old_counts;
    old.swap(m_slots);
    old_counts.swap(m_counts);
    m_slots.assign(old.empty() ? k_initial_slots : old.size() * 2, 0);
    m_counts.assign(m_slots.size(), 0);
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t k = 0; k < old.size(); ++k) {
        if (old[k] == 0) {
            continue;
        }
        std::size_t i = slot_of(old[k], m_key, mask);
        while (m_slots[i] != 0) {
            i = (i + 1) & mask;
        }
        m_slots[i] = old[k];
        m_counts[i] = old_counts[k];
    }
}

TokenOutput::TokenOutput(std::size_t max_tokens, const TokenSink* sink, MessageTokens* collected,
                         bool keep_names)
    : m_max_tokens(max_tokens), m_sink(sink), m_collected(collected), m_keep_names(keep_names) {
    m_full = max_tokens == 0;
}

bool TokenOutput::emit(std::string_view text) {
    if (m_full) {
        return false;
    }
    const Token token = token_hash(text);
    // At the limit, occurrences of kept tokens still pass; the first new one
    // ends the message's tokens. Checked before inserting so the set never
    // outgrows the limit.
    if (m_seen.size() >= m_max_tokens && !m_seen.contains(token)) {
        m_full = true;
        return false;
    }
    if (m_seen.insert(token) && m_collected != nullptr) {
        m_collected->tokens.push_back(token);
        if (m_keep_names) {
            m_collected->names.emplace(token, std::string(text));
        }
    }
    if (m_sink != nullptr) {
        (*m_sink)(text);
    }
    return true;
}

}  // namespace dspamd
