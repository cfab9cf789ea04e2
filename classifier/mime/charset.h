// Conversion of text in a declared charset to UTF-8. ASCII, UTF-8 and
// windows-1252 (which also stands for iso-8859-1 and us-ascii, as every mail
// client does) are converted by hand because they are most of the mail; the
// rest goes through glibc iconv, opened per conversion because an iconv_t
// must not be shared between threads. Charset names that real mail uses but
// iconv does not know, or knows only as a narrower set, are mapped to the
// superset that the sender's software really used (gb2312 → GB18030,
// ks_c_5601-1987 → CP949, ...). Invalid input is replaced by U+FFFD, one per
// bad byte, so that no two words around it are ever merged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace dspamd::mime {

struct ConvertReport {
    bool unknown_charset = false;  // not a charset we can convert; fallback used
    std::size_t replaced = 0;      // invalid sequences replaced by U+FFFD
    bool truncated = false;        // max_out reached
};

// Appends `in` converted from `charset` (any case, may be quoted or empty) to
// `out`, adding at most `max_out` bytes and never cutting a UTF-8 sequence.
// An empty or unknown charset, and us-ascii, keep valid UTF-8 as it is and
// read anything else as windows-1252.
void append_utf8(std::string_view charset, std::string_view in, std::string& out,
                 std::size_t max_out, ConvertReport& report);

bool is_valid_utf8(std::string_view in);

// Appends the UTF-8 form of a code point; invalid ones become U+FFFD.
void append_code_point(std::uint32_t cp, std::string& out);

// The Unicode code point of a windows-1252 byte (WHATWG mapping).
std::uint32_t cp1252_code_point(unsigned char byte);

// Cuts `text` back to at most `max` bytes without splitting a UTF-8 sequence.
void truncate_utf8(std::string& text, std::size_t max);

}  // namespace dspamd::mime
