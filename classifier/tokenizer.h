// Tokenizers: a ParsedMessage becomes a set of token texts, each hashed to a
// Token. DSPAM's four tokenizers are provided:
//   word   single words
//   chain  words plus each pair of adjacent words ("chained tokens")
//   osb    orthogonal sparse bigrams: each word paired with each of the next
//          four words, the gap marked by skip symbols (crm114/DSPAM)
//   sbph   sparse binary polynomial hashing: every subsequence of a five-word
//          window that keeps its first word (crm114/DSPAM)
// Header words are prefixed with the header name ("Subject*word"), URL parts
// with "Url*". Pure code: no I/O, all settings in TokenizerParams.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "classifier/mime/message.h"
#include "classifier/types.h"

namespace dspamd {

enum class TokenizerKind { word, chain, osb, sbph };

struct TokenizerParams {
    TokenizerKind kind = TokenizerKind::osb;
    // Distinct tokens kept per message; the rest are dropped (first come first kept).
    std::size_t max_tokens = 20000;
    // Headers whose content is never tokenized: case-insensitive names, a
    // trailing '*' matches any suffix ("X-Spam-*"). Other filters' verdicts
    // must not become our features.
    std::vector<std::string> ignored_headers;
};

// Called once per token occurrence, in message order; duplicates included.
using TokenSink = std::function<void(std::string_view text)>;

void tokenize(const ParsedMessage& message, const TokenizerParams& params, const TokenSink& sink);

// The distinct tokens of a message, sorted ascending (the order storage wants
// to avoid deadlocks). `names` maps each token to its text when asked for
// (X-DSPAM-Factors, dspamctl tokens); left empty otherwise to save the copies.
struct MessageTokens {
    std::vector<Token> tokens;
    std::unordered_map<Token, std::string> names;
};

MessageTokens collect_tokens(const ParsedMessage& message, const TokenizerParams& params,
                             bool keep_names);

bool parse_tokenizer_kind(std::string_view name, TokenizerKind& out);
std::string_view tokenizer_kind_name(TokenizerKind kind);

}  // namespace dspamd
