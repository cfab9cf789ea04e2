// Header blocks (RFC 5322 section 2.2): splitting a block into fields,
// unfolding and RFC 2047 encoded words. Splitting returns views into the
// input so nothing is copied until a field is kept.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dspamd::mime {

struct RawHeader {
    std::string_view name;   // without the colon and the blanks before it
    std::string_view value;  // still folded, without the final line break
};

struct HeaderBlock {
    std::vector<RawHeader> fields;
    std::size_t body_offset = 0;        // where the body starts in the input
    bool skipped_mbox_from = false;     // a leading "From " envelope line was skipped
    bool leading_continuation = false;  // a folded line before any field, ignored
    bool no_blank_line = false;         // a line that is no field started the body
    bool too_many = false;              // fields past max_fields were dropped
    bool too_big = false;               // the block passed max_bytes; the rest was skipped
};

// Splits the header block at the start of `data`. With `allow_mbox_from`, a
// first line "From ..." (an mbox envelope) is skipped. The block ends at the
// first empty line (LF or CRLF), or at a line that cannot be a field.
HeaderBlock split_header_block(std::string_view data, bool allow_mbox_from, std::size_t max_bytes,
                               std::size_t max_fields);

// Removes the line breaks of folding (keeping the blank that follows) and the
// blanks around the value.
std::string unfold(std::string_view value);

// An unfolded value in UTF-8: encoded words decoded (adjacent ones joined
// without the blanks between them, malformed ones left as written) and other
// 8-bit bytes read as UTF-8 when valid, else in `fallback_charset` (the
// charset the message's text declares, as mail clients do), else as
// windows-1252.
struct HeaderDecodeReport {
    std::size_t encoded_words = 0;
    bool bad_charset = false;   // a charset that could not be converted
    bool raw_not_utf8 = false;  // unencoded 8-bit bytes that are not UTF-8
};
std::string decode_header_value(std::string_view unfolded, HeaderDecodeReport& report,
                                std::string_view fallback_charset = {});

}  // namespace dspamd::mime
