// Shape tokens: a few coarse measures of a message's text as a whole. A new
// campaign's words are new to the store, but its shouting, its exclamation
// marks and its prices are not: these tokens carry what earlier mail taught
// about such shapes to mail whose words are all unknown.
//   Shape*caps=B      the share of words written in capitals, among words of
//                     three or more letters: B = 0 none, 1 below 3 %,
//                     2 below 10 %, 3 below 25 %, 4 more
//   Shape*bang=B      how many '!', in bands of powers of two: B = 0 for
//                     none, 1 for one, 2 for 2-3, 3 for 4-7, ...
//   Shape*currency=B  currency signs ($ € £ ¥ ...), the same bands
//   Shape*length=B    bytes of text, the same bands
// Capitals are ASCII A-Z: the look-alikes the lexer maps to ASCII are not
// capitals here, and a word with letters of another script is not one.
// Pure.
#pragma once

#include <cstddef>
#include <span>

#include "classifier/mime/message.h"
#include "classifier/token_output.h"

namespace dspamd {

struct TextShape {
    std::size_t words = 0;          // runs of three or more letters
    std::size_t capital_words = 0;  // of those, the ones all in ASCII capitals
    std::size_t bangs = 0;
    std::size_t currency_signs = 0;
    std::size_t bytes = 0;
    friend bool operator==(const TextShape&, const TextShape&) = default;
};

TextShape measure_shape(std::span<const TextPart> texts);

// The band of `count`: its bit length (0, 1, 2 for 2-3, 3 for 4-7, ...).
int power_band(std::size_t count);

// The band of the share of capital words (see the top of this file).
int capitals_band(const TextShape& shape);

constexpr std::size_t k_shape_tokens = 4;

// Emits the k_shape_tokens Shape* tokens. Returns false when the output
// asked to stop.
bool add_shape_tokens(const TextShape& shape, TokenOutput& out);

}  // namespace dspamd
