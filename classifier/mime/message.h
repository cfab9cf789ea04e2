// A message as the tokenizers see it: decoded headers and the readable text
// of its parts, all in UTF-8. parse_message() turns raw RFC 5322 / MIME bytes
// into this; it never throws and never fails: malformed input degrades to
// whatever can still be read, and each problem is noted in `defects`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dspamd {

// Named limits; every one is checked before the work it bounds.
struct MimeLimits {
    std::size_t max_message_bytes = 4 * 1024 * 1024;  // bytes of input looked at
    std::size_t max_header_bytes = 256 * 1024;        // one header block (top or part)
    std::size_t max_headers = 1000;                   // headers kept per block
    std::size_t max_parts = 200;                      // MIME parts visited in all
    std::size_t max_depth = 16;                       // multipart / message nesting
    std::size_t max_text_bytes = 1024 * 1024;         // decoded text kept per part
};

struct Header {
    std::string name;   // as written, without the colon
    std::string value;  // unfolded, RFC 2047 words decoded, converted to UTF-8
};

// The readable text of one leaf part (text/plain, text/html, ...).
struct TextPart {
    std::string media_type;  // lower case, e.g. "text/html"
    std::string text;        // UTF-8; HTML already turned into text
};

struct ParsedMessage {
    std::vector<Header> headers;  // top-level headers in order (mbox "From " line skipped)
    // Content-* headers of the MIME parts below the top, and every header of
    // an attached message (message/rfc822).
    std::vector<Header> part_headers;
    std::vector<TextPart> texts;         // text of the text parts, in order
    std::vector<std::string> urls;       // URLs found in text and in HTML attributes
    std::vector<std::string> html_tags;  // HTML tag names (lower case) in order
    std::vector<std::string> defects;    // what was malformed, for logs and tests
    bool truncated = false;              // some limit cut the input short
};

ParsedMessage parse_message(std::string_view raw, const MimeLimits& limits) noexcept;

}  // namespace dspamd
