// Header blocks and encoded words; see header.h.
#include "classifier/mime/header.h"

#include <algorithm>
#include <cstring>

#include "classifier/mime/ascii.h"
#include "classifier/mime/charset.h"
#include "classifier/mime/transfer_encoding.h"

namespace dspamd::mime {
namespace {

// RFC 2047 allows 75 characters per encoded word; broken encoders write
// longer ones, so allow more, but bound the search.
constexpr std::size_t k_max_word_charset = 64;
constexpr std::size_t k_max_word_text = 4096;

// End of the line starting at `pos` (index of '\n' or data.size()).
std::size_t line_end(std::string_view data, std::size_t pos) {
    const void* nl = std::memchr(data.data() + pos, '\n', data.size() - pos);
    return nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - data.data()) : data.size();
}

// Field names are printable ASCII without ':' (RFC 5322 ftext).
bool valid_field_name(std::string_view name) {
    if (name.empty()) {
        return false;
    }
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 33 || u > 126) {
            return false;
        }
    }
    return true;
}

// Offset just past the next empty line at or after `pos`, or data.size().
std::size_t skip_to_body(std::string_view data, std::size_t pos) {
    while (pos < data.size()) {
        const std::size_t end = line_end(data, pos);
        const std::string_view line = data.substr(pos, end - pos);
        pos = end + 1;
        if (line.empty() || line == "\r") {
            return std::min(pos, data.size());
        }
    }
    return data.size();
}

void append_text(std::string_view plain, std::string& out, std::string_view fallback_charset,
                 HeaderDecodeReport& report) {
    if (is_valid_utf8(plain)) {
        out.append(plain);
        return;
    }
    report.raw_not_utf8 = true;
    ConvertReport ignored;
    append_utf8(fallback_charset, plain, out, plain.size() * 4 + 4, ignored);
}

bool all_blank(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return is_space(c); });
}

struct EncodedWord {
    std::size_t end = 0;  // index after "?="; 0 when malformed
    std::string_view charset;
    char encoding = 'q';
    std::string_view text;
};

EncodedWord parse_encoded_word(std::string_view s, std::size_t p) {
    EncodedWord word;
    // Both scans are bounded so that a header full of "=?" stays linear.
    std::size_t q1 = p + 2;
    while (q1 < s.size() && s[q1] != '?' && !is_space(s[q1]) && q1 - p - 2 < k_max_word_charset) {
        ++q1;
    }
    if (q1 == p + 2 || q1 + 2 >= s.size() || s[q1] != '?' || s[q1 + 2] != '?') {
        return word;
    }
    const char encoding = ascii_lower(s[q1 + 1]);
    if (encoding != 'q' && encoding != 'b') {
        return word;
    }
    const std::size_t text_start = q1 + 3;
    std::size_t close = text_start;
    while (close + 1 < s.size() && !(s[close] == '?' && s[close + 1] == '=')) {
        if (is_space(s[close]) || close - text_start >= k_max_word_text) {
            return word;
        }
        ++close;
    }
    if (close + 1 >= s.size()) {
        return word;
    }
    std::string_view charset = s.substr(p + 2, q1 - p - 2);
    // RFC 2231 section 5: "charset*language".
    charset = charset.substr(0, charset.find('*'));
    word.end = close + 2;
    word.charset = charset;
    word.encoding = encoding;
    word.text = s.substr(text_start, close - text_start);
    return word;
}

}  // namespace

HeaderBlock split_header_block(std::string_view data, bool allow_mbox_from, std::size_t max_bytes,
                               std::size_t max_fields) {
    HeaderBlock block;
    std::size_t pos = 0;
    if (allow_mbox_from && data.starts_with("From ")) {
        pos = std::min(line_end(data, 0) + 1, data.size());
        block.skipped_mbox_from = true;
    }
    bool have_current = false;  // the last field was kept, so its continuations belong to it
    std::size_t value_start = 0;
    while (pos < data.size()) {
        const std::size_t end = line_end(data, pos);
        if (end > max_bytes) {
            block.too_big = true;
            block.body_offset = skip_to_body(data, pos);
            return block;
        }
        std::string_view line = data.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        const std::size_t next = std::min(end + 1, data.size());
        if (line.empty()) {
            block.body_offset = next;
            return block;
        }
        if (is_blank(line.front())) {
            if (have_current) {
                block.fields.back().value =
                    data.substr(value_start, pos + line.size() - value_start);
            } else if (block.fields.empty()) {
                block.leading_continuation = true;
            }
            pos = next;
            continue;
        }
        const std::size_t colon = line.find(':');
        std::string_view name = colon == std::string_view::npos ? line : line.substr(0, colon);
        while (!name.empty() && is_blank(name.back())) {
            name.remove_suffix(1);
        }
        if (colon == std::string_view::npos || !valid_field_name(name)) {
            block.no_blank_line = true;
            block.body_offset = pos;
            return block;
        }
        if (block.fields.size() < max_fields) {
            value_start = pos + colon + 1;
            block.fields.push_back({name, data.substr(value_start, line.size() - colon - 1)});
            have_current = true;
        } else {
            block.too_many = true;
            have_current = false;
        }
        pos = next;
    }
    block.body_offset = data.size();
    return block;
}

std::string unfold(std::string_view value) {
    value = trim(value);
    std::string out;
    out.reserve(value.size());
    // Copy the runs between line breaks; most values have none.
    while (!value.empty()) {
        const void* nl = std::memchr(value.data(), '\n', value.size());
        const std::size_t end =
            nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - value.data())
               : value.size();
        std::string_view run = value.substr(0, end);
        if (!run.empty() && run.back() == '\r') {
            run.remove_suffix(1);
        }
        out.append(run);
        value.remove_prefix(std::min(end + 1, value.size()));
    }
    return out;
}

std::string decode_header_value(std::string_view s, HeaderDecodeReport& report,
                                std::string_view fallback_charset) {
    std::string out;
    if (s.find("=?") == std::string_view::npos) {
        append_text(s, out, fallback_charset, report);  // the common case: nothing encoded
        return out;
    }
    out.reserve(s.size());
    std::string pending;  // decoded bytes of adjacent words in one charset
    std::string_view pending_charset;
    bool previous_encoded = false;
    const auto flush = [&] {
        if (pending_charset.data() == nullptr) {
            return;
        }
        ConvertReport convert;
        append_utf8(pending_charset, pending, out, pending.size() * 4 + 4, convert);
        if (convert.unknown_charset) {
            report.bad_charset = true;
        }
        pending.clear();
        pending_charset = {};
    };
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t p = s.find("=?", i);
        if (p == std::string_view::npos) {
            break;
        }
        const EncodedWord word = parse_encoded_word(s, p);
        if (word.end == 0) {
            flush();
            append_text(s.substr(i, p + 2 - i), out, fallback_charset, report);
            previous_encoded = false;
            i = p + 2;
            continue;
        }
        const std::string_view between = s.substr(i, p - i);
        if (!(previous_encoded && all_blank(between))) {
            flush();
            append_text(between, out, fallback_charset, report);
        }
        if (pending_charset.data() != nullptr && !iequals(pending_charset, word.charset)) {
            flush();
        }
        pending_charset = word.charset;
        if (word.encoding == 'b') {
            DecodeReport ignored;
            decode_base64(word.text, pending, word.text.size(), ignored);
        } else {
            decode_q_word(word.text, pending);
        }
        ++report.encoded_words;
        previous_encoded = true;
        i = word.end;
    }
    flush();
    if (i < s.size()) {
        append_text(s.substr(i), out, fallback_charset, report);
    }
    return out;
}

}  // namespace dspamd::mime
