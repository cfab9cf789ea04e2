// Where the tokenizer stages deliver token texts: hashes each text once,
// keeps the set of distinct tokens seen to enforce max_tokens ("first come,
// first kept"), and passes each occurrence on to a TokenSink and/or gathers
// the distinct tokens for collect_tokens(). Internal to dspamd_classifier.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "classifier/tokenizer.h"
#include "classifier/types.h"

namespace dspamd {

// Open-addressing hash set of tokens (linear probing, load at most one half)
// that counts how often each was added. 0 marks an empty slot; the token 0 is
// tracked apart.
class TokenSet {
public:
    TokenSet();
    // Adds one occurrence; returns the occurrences so far, 1 for a token not
    // in the set before (saturating at UINT32_MAX).
    std::uint32_t add(Token token);
    // True when `token` was not in the set before.
    bool insert(Token token) { return add(token) == 1; }
    // Occurrences added; 0 for a token not in the set.
    std::uint32_t count(Token token) const;
    bool contains(Token token) const { return count(token) != 0; }
    std::size_t size() const { return m_size; }

private:
    void grow();

    std::uint64_t m_key;  // mixes tokens into slots (token_output.cpp)
    std::vector<Token> m_slots;
    std::vector<std::uint32_t> m_counts;  // beside m_slots
    std::size_t m_size = 0;
    std::uint32_t m_zero_count = 0;
};

class TokenOutput {
public:
    // `sink` receives every occurrence (may be null); `collected` receives
    // each distinct token once, with its text when `keep_names`.
    TokenOutput(std::size_t max_tokens, const TokenSink* sink, MessageTokens* collected,
                bool keep_names);

    // Delivers one occurrence. Returns false once a new distinct token would
    // exceed max_tokens: that token is dropped, and so is everything after
    // it (the caller stops).
    bool emit(std::string_view text);

    // Distinct tokens delivered so far.
    std::size_t distinct_tokens() const { return m_seen.size(); }

    // Occurrences of `token` delivered so far.
    std::uint32_t occurrences(Token token) const { return m_seen.count(token); }

    // Scratch space for composing token texts ("Subject*free+money").
    std::string& text_buffer() { return m_text; }

private:
    std::size_t m_max_tokens;
    const TokenSink* m_sink;
    MessageTokens* m_collected;
    bool m_keep_names;
    bool m_full = false;
    TokenSet m_seen;
    std::string m_text;
};

}  // namespace dspamd
