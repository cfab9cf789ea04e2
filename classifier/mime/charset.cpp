// Charset conversion to UTF-8; see charset.h.
#include "classifier/mime/charset.h"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace dspamd::mime {
namespace {

// Longer names are not charsets; refusing them keeps odd strings away from iconv.
constexpr std::size_t k_max_charset_name = 40;
constexpr std::string_view k_replacement = "\xEF\xBF\xBD";  // U+FFFD

// windows-1252 0x80..0x9F; the five undefined bytes map to the C1 controls
// of the same value, as browsers do.
constexpr std::array<std::uint16_t, 32> k_cp1252_high = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

enum class Route { utf8, cp1252, ascii_or_unknown, iconv };

struct Alias {
    std::string_view name;
    std::string_view target;  // "" routes to cp1252 / utf8 by `route`
    Route route;
};

// Sorted by name for binary search. Names are compared after lower-casing.
// The "*_charset" names are Windows font charsets that some bulk mailers
// write where a MIME charset belongs.
constexpr std::array<Alias, 45> k_aliases = {{
    {"646", "", Route::ascii_or_unknown},
    {"ansi_charset", "", Route::cp1252},
    {"ansi_x3.4-1968", "", Route::ascii_or_unknown},
    {"ascii", "", Route::ascii_or_unknown},
    {"big5", "big5-hkscs", Route::iconv},
    {"chinesebig5_charset", "big5-hkscs", Route::iconv},
    {"cp1252", "", Route::cp1252},
    {"cp819", "", Route::cp1252},
    {"cp936", "gb18030", Route::iconv},
    {"default", "", Route::ascii_or_unknown},
    {"default_charset", "", Route::ascii_or_unknown},
    {"euc-cn", "gb18030", Route::iconv},
    {"euc-kr", "cp949", Route::iconv},
    {"gb2312", "gb18030", Route::iconv},
    {"gb2312_charset", "gb18030", Route::iconv},
    {"gb_2312-80", "gb18030", Route::iconv},
    {"gbk", "gb18030", Route::iconv},
    {"hangeul_charset", "cp949", Route::iconv},
    {"hangul_charset", "cp949", Route::iconv},
    {"iso-8859-1", "", Route::cp1252},
    {"iso-8859-11", "cp874", Route::iconv},
    {"iso-8859-8-i", "iso-8859-8", Route::iconv},
    {"iso-8859-9", "cp1254", Route::iconv},
    {"iso8859-1", "", Route::cp1252},
    {"iso_8859-1", "", Route::cp1252},
    {"ks_c_5601", "cp949", Route::iconv},
    {"ks_c_5601-1987", "cp949", Route::iconv},
    {"ksc5601", "cp949", Route::iconv},
    {"latin1", "", Route::cp1252},
    {"russian_charset", "cp1251", Route::iconv},
    {"shift-jis", "cp932", Route::iconv},
    {"shift_jis", "cp932", Route::iconv},
    {"shiftjis_charset", "cp932", Route::iconv},
    {"sjis", "cp932", Route::iconv},
    {"tis-620", "cp874", Route::iconv},
    {"unicode-1-1-utf-7", "utf-7", Route::iconv},
    {"unknown", "", Route::ascii_or_unknown},
    {"unknown-8bit", "", Route::ascii_or_unknown},
    {"us-ascii", "", Route::ascii_or_unknown},
    {"utf-8", "", Route::utf8},
    {"utf8", "", Route::utf8},
    {"windows-1252", "", Route::cp1252},
    {"x-gbk", "gb18030", Route::iconv},
    {"x-sjis", "cp932", Route::iconv},
    {"x-user-defined", "", Route::ascii_or_unknown},
}};
static_assert(std::is_sorted(k_aliases.begin(), k_aliases.end(),
                             [](const Alias& a, const Alias& b) { return a.name < b.name; }));

bool is_ascii(std::string_view in) {
    std::size_t i = 0;
    for (; i + 8 <= in.size(); i += 8) {
        std::uint64_t word;
        std::memcpy(&word, in.data() + i, 8);
        if (word & 0x8080808080808080ULL) {
            return false;
        }
    }
    for (; i < in.size(); ++i) {
        if (static_cast<unsigned char>(in[i]) >= 0x80) {
            return false;
        }
    }
    return true;
}

// Length of the valid UTF-8 sequence at in[i], or 0 (RFC 3629: no overlongs,
// no surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence(std::string_view in, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(in[k]); };
    const unsigned char b0 = byte(i);
    const std::size_t left = in.size() - i;
    const auto cont = [&](std::size_t k) { return (byte(k) & 0xC0) == 0x80; };
    if (b0 < 0x80) {
        return 1;
    }
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        return left >= 2 && cont(i + 1) ? 2 : 0;
    }
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        if (left < 3 || !cont(i + 1) || !cont(i + 2)) {
            return 0;
        }
        const unsigned char b1 = byte(i + 1);
        if ((b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 >= 0xA0)) {
            return 0;
        }
        return 3;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        if (left < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) {
            return 0;
        }
        const unsigned char b1 = byte(i + 1);
        if ((b0 == 0xF0 && b1 < 0x90) || (b0 == 0xF4 && b1 >= 0x90)) {
            return 0;
        }
        return 4;
    }
    return 0;
}

void append_checked_utf8(std::string_view in, std::string& out, ConvertReport& report) {
    std::size_t i = 0;
    std::size_t run = 0;  // start of the pending valid run
    while (i < in.size()) {
        if (static_cast<unsigned char>(in[i]) < 0x80) {
            ++i;
            continue;
        }
        const std::size_t n = utf8_sequence(in, i);
        if (n != 0) {
            i += n;
            continue;
        }
        out.append(in.data() + run, i - run);
        out.append(k_replacement);
        ++report.replaced;
        ++i;
        run = i;
    }
    out.append(in.data() + run, in.size() - run);
}

void append_cp1252(std::string_view in, std::string& out) {
    std::size_t run = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        const auto b = static_cast<unsigned char>(in[i]);
        if (b < 0x80) {
            continue;
        }
        out.append(in.data() + run, i - run);
        append_code_point(cp1252_code_point(b), out);
        run = i + 1;
    }
    out.append(in.data() + run, in.size() - run);
}

// Lower case, without quotes and blanks; empty when the name cannot be a charset.
std::string normalize_name(std::string_view charset) {
    std::string name;
    for (char c : charset) {
        if (c == '"' || c == '\'' || c == ' ' || c == '\t') {
            continue;
        }
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == ':';
        if (!ok || name.size() >= k_max_charset_name) {
            return {};
        }
        name.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    }
    return name;
}

// Converts with iconv; false when iconv does not know the charset.
bool append_iconv(const std::string& from, std::string_view in, std::string& out,
                  ConvertReport& report) {
    iconv_t cd = iconv_open("UTF-8", from.c_str());
    if (cd == reinterpret_cast<iconv_t>(-1)) {
        return false;
    }
    const std::size_t start = out.size();
    std::size_t used = start;
    out.resize(start + in.size() * 2 + 16);
    char* src = const_cast<char*>(in.data());  // iconv's signature; it does not write
    std::size_t src_left = in.size();
    bool flushing = false;
    while (true) {
        char* dst = out.data() + used;
        std::size_t dst_left = out.size() - used;
        const std::size_t rc = flushing ? iconv(cd, nullptr, nullptr, &dst, &dst_left)
                                        : iconv(cd, &src, &src_left, &dst, &dst_left);
        used = static_cast<std::size_t>(dst - out.data());
        if (rc != static_cast<std::size_t>(-1)) {
            if (flushing) {
                break;
            }
            flushing = true;  // return a stateful encoding to its initial state
            continue;
        }
        if (errno == E2BIG) {
            out.resize(out.size() + src_left * 2 + 64);
            continue;
        }
        // EILSEQ or EINVAL (truncated sequence at the end): replace one byte.
        if (out.size() - used < k_replacement.size()) {
            out.resize(out.size() + 64);
        }
        std::memcpy(out.data() + used, k_replacement.data(), k_replacement.size());
        used += k_replacement.size();
        ++report.replaced;
        if (src_left == 0 || flushing) {
            break;
        }
        ++src;
        --src_left;
    }
    out.resize(used);
    iconv_close(cd);
    return true;
}

// Whether ASCII bytes stand for themselves in the charset: not so in the
// UTF-16/32 and UCS families (NUL bytes), UTF-7, ISO-2022 (ESC sequences) and
// HZ ("~{").
bool ascii_is_identity(std::string_view name) {
    for (std::string_view family : {"16", "32", "ucs", "utf-7", "utf7", "2022", "hz", "unicode"}) {
        if (name.find(family) != std::string_view::npos) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::uint32_t cp1252_code_point(unsigned char byte) {
    if (byte >= 0x80 && byte < 0xA0) {
        return k_cp1252_high[byte - 0x80];
    }
    return byte;
}

void append_code_point(std::uint32_t cp, std::string& out) {
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        out.append(k_replacement);
        return;
    }
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

bool is_valid_utf8(std::string_view in) {
    for (std::size_t i = 0; i < in.size();) {
        if (i + 8 <= in.size()) {
            std::uint64_t word;
            std::memcpy(&word, in.data() + i, 8);
            if ((word & 0x8080808080808080ULL) == 0) {
                i += 8;  // eight ASCII bytes at once: most of mail
                continue;
            }
        }
        if (static_cast<unsigned char>(in[i]) < 0x80) {
            ++i;
            continue;
        }
        const std::size_t n = utf8_sequence(in, i);
        if (n == 0) {
            return false;
        }
        i += n;
    }
    return true;
}

void truncate_utf8(std::string& text, std::size_t max) {
    if (text.size() <= max) {
        return;
    }
    std::size_t cut = max;
    // Step back over continuation bytes to the start of the cut sequence.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut;
    }
    text.resize(cut);
}

void append_utf8(std::string_view charset, std::string_view in, std::string& out,
                 std::size_t max_out, ConvertReport& report) {
    const std::size_t start = out.size();
    const std::string name = normalize_name(charset);
    Route route = Route::ascii_or_unknown;
    std::string target;
    if (!name.empty()) {
        const auto it = std::lower_bound(
            k_aliases.begin(), k_aliases.end(), name,
            [](const Alias& alias, const std::string& key) { return alias.name < key; });
        if (it != k_aliases.end() && it->name == name) {
            route = it->route;
            target = it->target;
        } else {
            route = Route::iconv;  // iconv knows the name or says so
            target = name;
        }
    } else if (!charset.empty()) {
        report.unknown_charset = true;
    }

    if (is_ascii(in) && (route != Route::iconv || ascii_is_identity(target))) {
        out.append(in);
        if (out.size() - start > max_out) {
            truncate_utf8(out, start + max_out);
            report.truncated = true;
        }
        return;
    }

    switch (route) {
        case Route::utf8:
            append_checked_utf8(in, out, report);
            break;
        case Route::cp1252:
            append_cp1252(in, out);
            break;
        case Route::iconv:
            if (append_iconv(target, in, out, report)) {
                break;
            }
            report.unknown_charset = true;
            [[fallthrough]];
        case Route::ascii_or_unknown:
            if (is_valid_utf8(in)) {
                out.append(in);
            } else {
                append_cp1252(in, out);
            }
            break;
    }
    if (out.size() - start > max_out) {
        truncate_utf8(out, start + max_out);
        report.truncated = true;
    }
}

}  // namespace dspamd::mime
