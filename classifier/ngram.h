// The n-gram stage: a sequence of words (one header value, one text part)
// becomes token texts according to the tokenizer kind, in DSPAM's shapes:
//   word   w1
//   chain  w1, w1+w2                  (each word, then it chained to the one before)
//   osb    w1, w1+w2, w1+#+w3, w1+#+#+w4, w1+#+#+#+w5
//   sbph   w1 with every subset of the next four words, skipped positions
//          as '#', trailing skips dropped: w1, w1+w2, w1+#+w3, w1+w2+w3, ...
// OSB and SBPH use DSPAM's five-word window (SPARSE_WINDOW_SIZE). Unlike
// DSPAM, OSB also emits the single word: without it a one-word Subject or a
// short message yields no token at all. Every token text starts with
// `prefix` ("Subject*" for headers, "" for the body).
#pragma once

#include <cstddef>
#include <string_view>

#include "classifier/lexer.h"
#include "classifier/token_output.h"
#include "classifier/tokenizer.h"

namespace dspamd {

constexpr std::size_t k_sparse_window = 5;  // DSPAM's SPARSE_WINDOW_SIZE
constexpr char k_chain_join = '+';
constexpr char k_skip_marker = '#';

// Returns false when `out` asked to stop (max_tokens reached).
bool emit_ngrams(TokenizerKind kind, std::string_view prefix, const WordList& words,
                 TokenOutput& out);

}  // namespace dspamd
