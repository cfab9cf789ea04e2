// Tokenizers: a ParsedMessage becomes a set of token texts, each hashed to a
// Token. DSPAM's four tokenizers are provided:
//   word   single words
//   chain  words plus each pair of adjacent words ("chained tokens")
//   osb    orthogonal sparse bigrams: each word, and each word paired with
//          each of the next four words, the gap marked by skip symbols
//          (crm114/DSPAM; DSPAM itself leaves out the single word)
//   sbph   sparse binary polynomial hashing: every subsequence of a five-word
//          window that keeps its first word (crm114/DSPAM)
// Header words are prefixed with the header name ("Subject*word"), URL parts
// with "Url*", HTML tag names with "Html*"; "Header*Name" marks a header's
// presence. Pure code: no I/O, all settings in TokenizerParams.
// The stages: lexer.h (words), ngram.h (token shapes), header_tokens.h,
// url_tokens.h; tokenizer.cpp drives them.
#pragma once

#include <cstddef>
#include <cstdint>
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
    // dspamd's default, chosen by measurement (ARCHITECTURE.md); DSPAM's was osb.
    TokenizerKind kind = TokenizerKind::chain;
    // Distinct tokens kept per message: the first new token past the bound
    // ends the message's tokens (first come first kept: headers, then the
    // body from its start). The bound is max_words times the kind's tokens
    // per word (word 1, chain 2, osb 5, sbph 16), so it means the same length
    // of text whatever the tokenizer, and never more than max_tokens.
    // Measured (README, Accuracy): with chain, 300 to 750 words rank better
    // than no bound, since a long message's tail dilutes its evidence, and
    // every message costs at most that many token reads and writes.
    std::size_t max_tokens = 20000;
    std::size_t max_words = 500;  // 0: only max_tokens bounds
    // Headers that give no token at all, not even their presence:
    // case-insensitive names where '*' matches any run of characters
    // ("X-Spam-*"). Other filters' verdicts must not become our features,
    // and mailbox bookkeeping added after delivery (Status, X-UID, Gmail
    // labels) would leak the very folder a message was trained from.
    std::vector<std::string> ignored_headers{
        // spam filters and virus scanners
        "X-DSPAM-*", "X-Spam*", "X-Virus*", "X-Bogosity", "X-CRM114-*", "X-Quarantine-*",
        "X-Barracuda*", "X-Proofpoint-*", "X-*MailScanner*", "X-Rspamd-*", "X-Amavis-*",
        "X-Microsoft-Antispam*", "X-Forefront-Antispam-Report*", "X-MS-Exchange-Organization-SCL",
        "X-IronPort-Anti-Spam*", "X-Mimecast-Spam-*", "X-Policyd-Weight", "X-Greylist", "X-Razor*",
        "X-Pyzor*", "X-Bayes*", "X-Junk*", "X-Sophos-*", "X-Cloudmark-*",
        // mailbox bookkeeping
        "Status", "X-Status", "X-Keywords", "X-UID", "X-Mozilla-*", "X-Gmail-Labels",
        "X-Evolution*", "X-Label", "Lines", "Content-Length"};
};

// The distinct tokens a message may give under `params` (see max_words).
std::size_t token_bound(const TokenizerParams& params);

// Called once per token occurrence, in message order; duplicates included.
// The view is valid only during the call.
using TokenSink = std::function<void(std::string_view text)>;

void tokenize(const ParsedMessage& message, const TokenizerParams& params, const TokenSink& sink);

// The distinct tokens of a message, sorted ascending (the order storage wants
// to avoid deadlocks). `names` maps each token to its text when asked for
// (X-DSPAM-Factors, dspamctl tokens); left empty otherwise to save the copies.
struct MessageTokens {
    std::vector<Token> tokens;  // distinct, sorted
    // Beside each of `tokens`, how often it occurs in the message (within
    // the token bound): Burton's and Robinson's windows count a repeated
    // token twice (TokenStat::frequency).
    std::vector<std::uint32_t> frequencies;
    // Those of `tokens` that came from headers other than the Subject
    // (tokenizer.cpp: the Subject counts as content), sorted, and beside each
    // the header line it came from first (1 for the first header; lines past
    // 65,535 share the last number).
    std::vector<Token> header_tokens;
    std::vector<std::uint16_t> header_lines;
    std::unordered_map<Token, std::string> names;
};

MessageTokens collect_tokens(const ParsedMessage& message, const TokenizerParams& params,
                             bool keep_names);

bool parse_tokenizer_kind(std::string_view name, TokenizerKind& out);
std::string_view tokenizer_kind_name(TokenizerKind kind);

}  // namespace dspamd
