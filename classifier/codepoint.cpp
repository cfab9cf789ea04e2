// UTF-8 decoding and code point classification for the lexer (see
// codepoint.h). Ranges come from the Unicode block chart; only blocks that
// matter for splitting mail text are listed, everything else non-ASCII counts
// as a letter so that unknown scripts still form words.
#include "classifier/codepoint.h"

#include "classifier/mime/charset.h"

namespace dspamd::lex {
namespace {

struct Range {
    char32_t first;
    char32_t last;
};

template <std::size_t N>
constexpr bool in_ranges(char32_t cp, const Range (&ranges)[N]) {
    for (const Range& r : ranges) {
        if (cp >= r.first && cp <= r.last) {
            return true;
        }
    }
    return false;
}

// Zero-width and formatting characters spammers put inside words ("V\u200Biagra").
constexpr Range k_ignorable[] = {
    {0x00AD, 0x00AD}, {0x034F, 0x034F}, {0x180E, 0x180E},   {0x200B, 0x200D},   {0x2060, 0x2064},
    {0xFE00, 0xFE0F}, {0xFEFF, 0xFEFF}, {0x1F3FB, 0x1F3FF}, {0xE0000, 0xE007F}, {0xE0100, 0xE01EF},
};

constexpr Range k_currency[] = {{0x00A2, 0x00A5}, {0x20A0, 0x20CF}};

// Scripts written without spaces between words: CJK, Hangul, Thai, Lao,
// Khmer, Myanmar. Checked before the punctuation blocks so that the CJK
// iteration marks (U+3005..U+3007) count as ideographs.
constexpr Range k_ideograph[] = {
    {0x0E00, 0x0E59}, {0x0E5C, 0x0EFF}, {0x1000, 0x109F}, {0x1100, 0x11FF},
    {0x1780, 0x17FF}, {0x2E80, 0x2FDF}, {0x3005, 0x3007}, {0x3040, 0x30FF},
    {0x3100, 0x31FF}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xA960, 0xA97F},
    {0xAC00, 0xD7AF}, {0xF900, 0xFAFF}, {0xFF66, 0xFFDC}, {0x20000, 0x3134F},
};

// Emoji and pictographs: meaningful alone ("Subject*🔥"), never part of a word.
constexpr Range k_symbol[] = {{0x2600, 0x27BF}, {0x2B00, 0x2BFF}, {0x1F000, 0x1FAFF}};

// Punctuation, arithmetic, box drawing, private use and specials.
constexpr Range k_separator[] = {
    {0x0080, 0x00A9}, {0x00AB, 0x00B4}, {0x00B6, 0x00B9}, {0x00BB, 0x00BF}, {0x00D7, 0x00D7},
    {0x00F7, 0x00F7}, {0x037E, 0x037E}, {0x0387, 0x0387}, {0x055A, 0x055F}, {0x0589, 0x0589},
    {0x05BE, 0x05BE}, {0x05C0, 0x05C0}, {0x05C3, 0x05C3}, {0x05C6, 0x05C6}, {0x05F3, 0x05F4},
    {0x060C, 0x060C}, {0x061B, 0x061B}, {0x061F, 0x061F}, {0x066A, 0x066D}, {0x06D4, 0x06D4},
    {0x0964, 0x0965}, {0x0E5A, 0x0E5B}, {0x2000, 0x206F}, {0x2100, 0x25FF}, {0x27C0, 0x2AFF},
    {0x2E00, 0x2E7F}, {0x3000, 0x303F}, {0xD800, 0xDFFF}, {0xE000, 0xF8FF}, {0xFE10, 0xFE1F},
    {0xFE30, 0xFE6F}, {0xFF00, 0xFF00}, {0xFF5F, 0xFF65}, {0xFFF0, 0xFFFF}, {0xF0000, 0x10FFFF},
};

constexpr bool is_even(char32_t cp) {
    return (cp & 1U) == 0;
}

// Simple (one to one) lower-casing for Latin, Greek, Cyrillic and Armenian;
// other scripts are caseless or rare enough in mail to leave alone.
constexpr char32_t fold_case(char32_t cp) {
    if ((cp >= 0x00C0 && cp <= 0x00DE) || (cp >= 0x0391 && cp <= 0x03AB) ||
        (cp >= 0x0410 && cp <= 0x042F)) {
        return cp == 0x03A2 ? cp : cp + 0x20;
    }
    if (cp >= 0x0400 && cp <= 0x040F) {
        return cp + 0x50;
    }
    if (cp >= 0x0531 && cp <= 0x0556) {
        return cp + 0x30;
    }
    if (cp == 0x0130) {
        return 'i';
    }
    if (cp == 0x0178) {
        return 0x00FF;
    }
    if (cp == 0x03C2) {
        return 0x03C3;  // final sigma
    }
    if (cp == 0x0386) {
        return 0x03AC;
    }
    if (cp >= 0x0388 && cp <= 0x038A) {
        return cp + 0x25;
    }
    if (cp == 0x038C) {
        return 0x03CC;
    }
    if (cp == 0x038E || cp == 0x038F) {
        return cp + 0x3F;
    }
    // Blocks where upper and lower case alternate, upper case first.
    const bool even_upper = (cp >= 0x0100 && cp <= 0x012F) || (cp >= 0x0132 && cp <= 0x0137) ||
                            (cp >= 0x014A && cp <= 0x0177) || (cp >= 0x0460 && cp <= 0x0481) ||
                            (cp >= 0x048A && cp <= 0x04BF) || (cp >= 0x1E00 && cp <= 0x1E95) ||
                            (cp >= 0x1EA0 && cp <= 0x1EFF);
    if (even_upper) {
        return is_even(cp) ? cp + 1 : cp;
    }
    const bool odd_upper = (cp >= 0x0139 && cp <= 0x0148) || (cp >= 0x0179 && cp <= 0x017E);
    if (odd_upper) {
        return is_even(cp) ? cp : cp + 1;
    }
    return cp;
}

}  // namespace

char32_t decode_utf8(std::string_view text, std::size_t& pos) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(pos);
    if (lead < 0x80) {
        ++pos;
        return lead;
    }
    std::size_t length = 0;
    char32_t cp = 0;
    char32_t min_value = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        cp = lead & 0x1FU;
        min_value = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        cp = lead & 0x0FU;
        min_value = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        cp = lead & 0x07U;
        min_value = 0x10000;
    } else {
        ++pos;
        return k_replacement_char;
    }
    if (text.size() - pos < length) {
        ++pos;
        return k_replacement_char;
    }
    for (std::size_t i = 1; i < length; ++i) {
        const unsigned char next = byte(pos + i);
        if ((next & 0xC0U) != 0x80U) {
            ++pos;  // resynchronise on the next byte, which may start a character
            return k_replacement_char;
        }
        cp = (cp << 6) | (next & 0x3FU);
    }
    pos += length;
    if (cp < min_value || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return k_replacement_char;
    }
    return cp;
}

CodePoint classify(char32_t cp) {
    if (cp < 0x80) {
        return k_ascii_classes[cp];
    }
    if (cp == 0x2019 || cp == 0x02BC) {
        return {U'\'', CharClass::inner};  // typographic apostrophe: "don’t" = "don't"
    }
    // Fast paths for the alphabets and ideographs most non-ASCII mail is
    // written in (Latin, Greek, Cyrillic; CJK): the range tables below hold
    // nothing else for them but the five code points excluded here.
    if (cp >= 0x00C0 && cp <= 0x052F && cp != 0x00D7 && cp != 0x00F7 && cp != 0x034F &&
        cp != 0x037E && cp != 0x0387) {
        return {fold_case(cp), CharClass::letter};
    }
    if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3040 && cp <= 0x30FF)) {
        return {cp, CharClass::ideograph};
    }
    // Look-alikes of ASCII: fullwidth forms, mathematical alphanumerics
    // (𝐅𝐑𝐄𝐄), circled letters, Arabic-Indic digits.
    if (cp >= 0xFF01 && cp <= 0xFF5E) {
        return k_ascii_classes[cp - 0xFEE0];
    }
    if (cp >= 0x1D400 && cp <= 0x1D6A3) {
        const char32_t index = (cp - 0x1D400) % 52;
        return {index < 26 ? U'a' + index : U'a' + index - 26, CharClass::letter};
    }
    if (cp >= 0x1D7CE && cp <= 0x1D7FF) {
        return {U'0' + (cp - 0x1D7CE) % 10, CharClass::digit};
    }
    if (cp >= 0x24B6 && cp <= 0x24CF) {
        return {U'a' + (cp - 0x24B6), CharClass::letter};
    }
    if (cp >= 0x24D0 && cp <= 0x24E9) {
        return {U'a' + (cp - 0x24D0), CharClass::letter};
    }
    if (cp >= 0x0660 && cp <= 0x0669) {
        return {U'0' + (cp - 0x0660), CharClass::digit};
    }
    if (cp >= 0x06F0 && cp <= 0x06F9) {
        return {U'0' + (cp - 0x06F0), CharClass::digit};
    }
    if (cp == 0x2010 || cp == 0x2011) {
        return {U'-', CharClass::inner};
    }
    if (in_ranges(cp, k_ignorable)) {
        return {cp, CharClass::ignorable};
    }
    if (in_ranges(cp, k_currency)) {
        return {cp, CharClass::currency};
    }
    if (in_ranges(cp, k_ideograph)) {
        return {cp, CharClass::ideograph};
    }
    if (in_ranges(cp, k_symbol)) {
        return {cp, CharClass::symbol};
    }
    if (in_ranges(cp, k_separator)) {
        return {cp, CharClass::separator};
    }
    return {fold_case(cp), CharClass::letter};
}

void append_utf8(std::string& out, char32_t cp) {
    mime::append_code_point(static_cast<std::uint32_t>(cp), out);
}

}  // namespace dspamd::lex
