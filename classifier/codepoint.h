// Code points for the lexer: UTF-8 decoding and a small, table-free
// classification of Unicode good enough to split mail text into words in any
// script without ICU. Look-alikes that spammers use to dodge filters
// (fullwidth Latin, mathematical bold letters, circled letters, zero-width
// characters inside words) are mapped back to plain ASCII or dropped, and
// case is folded for the scripts that have it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace dspamd::lex {

enum class CharClass : std::uint8_t {
    separator,  // ends a word
    ignorable,  // dropped without ending a word (zero-width, soft hyphen, selectors)
    letter,     // letters and combining marks of any alphabetic script
    digit,      // 0-9 (after mapping other digit forms)
    currency,   // $ € £ ¥ ...: word characters ("$100", "us$")
    inner,      // ' - . _ : kept only between two word characters
    comma,      // kept only between two digits ("1,000")
    equals,     // '=': kept between word characters in header values ("spf=pass")
    bang,       // '!': a run right after a word becomes one trailing '!' (DSPAM)
    ideograph,  // CJK and Thai: written without spaces, split into bigrams
    symbol,     // emoji and pictographs: one token each
};

struct CodePoint {
    char32_t value = 0;  // folded / normalised
    CharClass cls = CharClass::separator;
};

constexpr char32_t k_replacement_char = 0xFFFD;

constexpr CodePoint classify_ascii(char32_t c) {
    if (c >= 'A' && c <= 'Z') {
        return {c + ('a' - 'A'), CharClass::letter};
    }
    if (c >= 'a' && c <= 'z') {
        return {c, CharClass::letter};
    }
    if (c >= '0' && c <= '9') {
        return {c, CharClass::digit};
    }
    switch (c) {
        case '$':
            return {c, CharClass::currency};
        case '\'':
        case '-':
        case '.':
        case '_':
            return {c, CharClass::inner};
        case ',':
            return {c, CharClass::comma};
        case '=':
            return {c, CharClass::equals};
        case '!':
            return {c, CharClass::bang};
        default:
            return {c, CharClass::separator};
    }
}

// ASCII is most of most mail: its classes come from a table.
inline constexpr std::array<CodePoint, 128> k_ascii_classes = [] {
    std::array<CodePoint, 128> table{};
    for (char32_t c = 0; c < 128; ++c) {
        table[c] = classify_ascii(c);
    }
    return table;
}();

// Decodes the code point starting at text[pos] and advances pos past it (by
// one byte at least). Malformed, overlong and surrogate sequences yield
// U+FFFD, which classifies as a separator.
char32_t decode_utf8(std::string_view text, std::size_t& pos);

// Folds case and maps look-alikes, then classifies the result.
CodePoint classify(char32_t cp);

void append_utf8(std::string& out, char32_t cp);

}  // namespace dspamd::lex
