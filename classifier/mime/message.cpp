// parse_message(): the MIME driver. Walks the entity tree of a message
// (RFC 2045/2046): headers of each entity, multipart bodies split at their
// boundaries, message/rfc822 parts parsed as embedded messages, text leaves
// decoded (transfer encoding, charset, HTML) into ParsedMessage::texts.
// Works on views of the input; a part's bytes are copied only when decoded.
// Every limit of MimeLimits is checked before the work it bounds, and every
// irregularity is recorded in `defects` instead of stopping the parse.
#include "classifier/mime/message.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "classifier/mime/ascii.h"
#include "classifier/mime/charset.h"
#include "classifier/mime/header.h"
#include "classifier/mime/html.h"
#include "classifier/mime/parameters.h"
#include "classifier/mime/transfer_encoding.h"
#include "classifier/mime/url.h"

namespace dspamd {
namespace {

using namespace mime;

constexpr std::size_t k_max_defects = 64;  // a hostile message could produce one per line
// Hard cap on recursion whatever max_depth says, so the stack stays small.
constexpr std::size_t k_max_nesting = 64;
// Where an HTML part without a charset parameter may declare one in <meta>.
constexpr std::size_t k_meta_charset_window = 4096;

enum class Role { top, part, embedded };

enum class Encoding { identity, base64, quoted_printable, unknown };

Encoding parse_encoding(std::string_view value) {
    const std::string v = to_lower(unfold(value));
    if (v.empty() || v == "7bit" || v == "8bit" || v == "binary") {
        return Encoding::identity;
    }
    if (v == "base64") {
        return Encoding::base64;
    }
    if (v == "quoted-printable") {
        return Encoding::quoted_printable;
    }
    return Encoding::unknown;
}

bool is_content_header(std::string_view name) {
    return name.size() >= 8 && iequals(name.substr(0, 8), "content-");
}

// <meta charset="x"> or <meta http-equiv=... content="text/html; charset=x">.
std::string sniff_html_charset(std::string_view html) {
    const std::string head = to_lower(html.substr(0, k_meta_charset_window));
    const std::size_t at = head.find("charset=");
    if (at == std::string::npos) {
        return {};
    }
    std::size_t i = at + 8;
    while (i < head.size() && (head[i] == '"' || head[i] == '\'' || head[i] == ' ')) {
        ++i;
    }
    const std::size_t start = i;
    while (i < head.size() && (is_alnum(head[i]) || head[i] == '-' || head[i] == '_' ||
                               head[i] == '.' || head[i] == ':')) {
        ++i;
    }
    return head.substr(start, i - start);
}

std::string without_blanks(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c != ' ' && c != '\t' && c != '\r') {
            out.push_back(c);
        }
    }
    return out;
}

// Some senders declare boundary="=Part 07" and write "--= Part 07": the
// first delimiter-like line that equals the declared boundary once blanks
// are ignored gives the boundary really used, or "" if there is none.
std::string find_spaced_boundary(std::string_view body, std::string_view declared) {
    const std::string wanted = without_blanks(declared);
    for (std::size_t pos = 0; pos < body.size();) {
        std::size_t end = body.find('\n', pos);
        if (end == std::string_view::npos) {
            end = body.size();
        }
        std::string_view line = body.substr(pos, end - pos);
        pos = end + 1;
        if (!line.starts_with("--")) {
            continue;
        }
        line.remove_prefix(2);
        while (!line.empty() &&
               (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
            line.remove_suffix(1);
        }
        if (line.ends_with("--") && without_blanks(line.substr(0, line.size() - 2)) == wanted) {
            line.remove_suffix(2);
        }
        if (!wanted.empty() && without_blanks(line) == wanted) {
            return std::string(line);
        }
    }
    return {};
}

// Whether an untyped body starts like an HTML document.
bool looks_like_html(std::string_view body) {
    std::size_t i = 0;
    while (i < body.size() && is_space(body[i])) {
        ++i;
    }
    const std::string_view start = body.substr(i, 14);
    return (start.size() >= 5 && iequals(start.substr(0, 5), "<html")) ||
           (start.size() >= 14 && iequals(start, "<!doctype html"));
}

bool is_ascii_label(std::string_view charset) {
    const std::string name = to_lower(charset);
    return name.find("ascii") != std::string::npos || name == "default" ||
           name == "default_charset";
}

// Removes the CR of each CRLF, in place.
void normalize_newlines(std::string& text) {
    if (std::memchr(text.data(), '\r', text.size()) == nullptr) {
        return;
    }
    std::size_t w = 0;
    for (std::size_t r = 0; r < text.size(); ++r) {
        if (text[r] == '\r' && r + 1 < text.size() && text[r + 1] == '\n') {
            continue;
        }
        text[w++] = text[r];
    }
    text.resize(w);
}

class Parser {
public:
    Parser(const MimeLimits& limits, ParsedMessage& out) : m_limits(limits), m_out(out) {}

    void run(std::string_view raw) {
        if (raw.size() > m_limits.max_message_bytes) {
            raw = raw.substr(0, m_limits.max_message_bytes);
            truncate("message larger than max_message_bytes; the rest was not read");
        }
        if (raw.empty()) {
            defect("empty message");
            return;
        }
        parse_entity(raw, 0, Role::top, "text/plain");
        redecode_raw_headers();
    }

    void defect(std::string_view what) {
        if (m_out.defects.size() < k_max_defects) {
            m_out.defects.emplace_back(what);
        }
    }

private:
    void truncate(std::string_view what) {
        m_out.truncated = true;
        defect(what);
    }

    // The field's value in UTF-8; false in `raw_not_utf8` tells whether
    // another fallback charset could read it better.
    std::string decode_field(const RawHeader& field, std::string_view fallback_charset,
                             bool& raw_not_utf8) {
        std::string value = unfold(field.value);
        if ((iequals(field.name, "content-type") || iequals(field.name, "content-disposition")) &&
            value.find("*=") != std::string::npos) {
            // RFC 2231 parameters are only readable once decoded.
            const StructuredValue structured = parse_structured(value);
            if (structured.has_extended()) {
                value = structured.render();
            }
        }
        HeaderDecodeReport report;
        std::string decoded = decode_header_value(value, report, fallback_charset);
        if (report.bad_charset) {
            defect("header: encoded word in an unknown charset");
        }
        raw_not_utf8 = report.raw_not_utf8;
        return decoded;
    }

    void keep_header(const RawHeader& field, std::vector<Header>& into) {
        bool raw_not_utf8 = false;
        std::string decoded = decode_field(field, {}, raw_not_utf8);
        if (raw_not_utf8 && &into == &m_out.headers) {
            m_redecode.push_back({into.size(), field});
        }
        into.push_back(Header{std::string(field.name), std::move(decoded)});
    }

    // Top-level fields with raw 8-bit bytes that are not UTF-8 were read as
    // windows-1252; a sender that writes them raw uses the charset of its
    // text (GB2312 spam subjects, ...), so read them again in that charset.
    void redecode_raw_headers() {
        if (m_text_charset.empty()) {
            return;
        }
        for (const auto& [index, field] : m_redecode) {
            bool raw_not_utf8 = false;
            m_out.headers[index].value = decode_field(field, m_text_charset, raw_not_utf8);
        }
    }

    void note_header_defects(const HeaderBlock& block) {
        if (block.leading_continuation) {
            defect("header: folded line before the first field, ignored");
        }
        if (block.no_blank_line) {
            defect("header: line that is not a field; body starts there");
        }
        if (block.too_many) {
            truncate("header: more fields than max_headers; the rest were dropped");
        }
        if (block.too_big) {
            truncate("header: block larger than max_header_bytes; the rest was skipped");
        }
    }

    void parse_entity(std::string_view data, std::size_t depth, Role role,
                      std::string_view default_type) {
        if (m_parts >= m_limits.max_parts) {
            if (!m_parts_exceeded) {
                m_parts_exceeded = true;
                truncate("more MIME parts than max_parts; the rest were not read");
            }
            return;
        }
        ++m_parts;
        const HeaderBlock block = split_header_block(
            data, role == Role::top, m_limits.max_header_bytes, m_limits.max_headers);
        note_header_defects(block);

        std::string_view content_type;
        std::string_view transfer_encoding;
        bool have_type = false;
        bool have_encoding = false;
        for (const RawHeader& field : block.fields) {
            if (!have_type && iequals(field.name, "content-type")) {
                content_type = field.value;
                have_type = true;
            } else if (!have_encoding && iequals(field.name, "content-transfer-encoding")) {
                transfer_encoding = field.value;
                have_encoding = true;
            }
            if (role == Role::top) {
                keep_header(field, m_out.headers);
            } else if (role == Role::embedded || is_content_header(field.name)) {
                keep_header(field, m_out.part_headers);
            }
        }

        StructuredValue type = parse_structured(unfold(content_type));
        if (type.token.empty() || type.token.find('/') == std::string::npos ||
            type.token.front() == '/' || type.token.back() == '/') {
            if (have_type) {
                defect("content-type: malformed, read as the default type");
            }
            type.token = std::string(default_type);
        }
        const std::string_view body = data.substr(std::min(block.body_offset, data.size()));
        if (!have_type && type.token == "text/plain" && looks_like_html(body)) {
            // Bulk mailers often send HTML with no Content-Type at all; read
            // it as the HTML it is, so its markup does not become words.
            defect("content-type: missing, body read as HTML");
            type.token = "text/html";
        }
        const Encoding encoding = parse_encoding(transfer_encoding);
        if (encoding == Encoding::unknown) {
            defect("content-transfer-encoding: unknown, read as 8bit");
        }

        if (type.token.starts_with("multipart/")) {
            const std::string* boundary = type.find("boundary");
            if (boundary == nullptr || boundary->empty()) {
                defect("multipart: no boundary parameter, body read as text");
                add_text(body, "text/plain", "", Encoding::identity);
                return;
            }
            if (!enter(depth)) {
                return;
            }
            parse_multipart(body, *boundary, depth + 1, type.token == "multipart/digest");
            return;
        }
        if (type.token == "message/rfc822" || type.token == "message/global" ||
            type.token == "message/news") {
            if (!enter(depth)) {
                return;
            }
            if (encoding == Encoding::base64 || encoding == Encoding::quoted_printable) {
                // Not allowed by RFC 2046 5.2.1, but sent; decode and go on.
                defect("message/rfc822: encoded with base64 or quoted-printable");
                std::string decoded = decode(body, encoding);
                parse_entity(decoded, depth + 1, Role::embedded, "text/plain");
                return;
            }
            parse_entity(body, depth + 1, Role::embedded, "text/plain");
            return;
        }
        if (type.token.starts_with("text/")) {
            const std::string* charset = type.find("charset");
            add_text(body, type.token, charset ? std::string_view(*charset) : std::string_view(),
                     encoding);
        }
    }

    bool enter(std::size_t depth) {
        if (depth + 1 > m_limits.max_depth || depth + 1 > k_max_nesting) {
            if (!m_depth_exceeded) {
                m_depth_exceeded = true;
                truncate("MIME nesting deeper than max_depth; inner parts not read");
            }
            return false;
        }
        return true;
    }

    std::string decode(std::string_view body, Encoding encoding) {
        std::string out;
        DecodeReport report;
        if (encoding == Encoding::base64) {
            decode_base64(body, out, body.size(), report);
        } else {
            decode_quoted_printable(body, out, body.size(), report);
        }
        if (report.stopped_on_garbage) {
            defect("base64: stopped at a line that is not base64");
        } else if (report.junk != 0) {
            defect("base64: characters outside the alphabet skipped");
        }
        if (report.bad_escapes != 0) {
            defect("quoted-printable: bad escapes kept as written");
        }
        return out;
    }

    void parse_multipart(std::string_view body, std::string_view boundary, std::size_t depth,
                         bool digest) {
        std::string delimiter = "--";
        delimiter += boundary;
        const std::string_view child_default = digest ? "message/rfc822" : "text/plain";
        std::size_t pos = 0;
        std::size_t part_start = std::string_view::npos;
        bool seen = false;
        bool closed = false;
        while (pos < body.size()) {
            const std::size_t at = body.find(delimiter, pos);
            if (at == std::string_view::npos) {
                break;
            }
            pos = at + 1;
            if (at != 0 && body[at - 1] != '\n') {
                continue;
            }
            std::size_t i = at + delimiter.size();
            const bool closing = body.substr(i, 2) == "--";
            if (closing) {
                i += 2;
            }
            // Only transport padding may follow the delimiter on its line.
            while (i < body.size() && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r')) {
                ++i;
            }
            if (i < body.size() && body[i] != '\n') {
                continue;
            }
            const std::size_t next_line = std::min(i + 1, body.size());
            if (part_start != std::string_view::npos) {
                // The line break before the delimiter belongs to it (RFC 2046 5.1.1).
                std::size_t end = at;
                if (end > part_start && body[end - 1] == '\n') {
                    --end;
                }
                if (end > part_start && body[end - 1] == '\r') {
                    --end;
                }
                parse_entity(body.substr(part_start, end - part_start), depth, Role::part,
                             child_default);
            }
            seen = true;
            if (closing) {
                closed = true;
                break;
            }
            part_start = next_line;
            pos = next_line;
        }
        if (!seen) {
            const std::string written = find_spaced_boundary(body, boundary);
            if (!written.empty() && written != boundary) {
                defect("multipart: boundary written with other blanks than declared");
                parse_multipart(body, written, depth, digest);
                return;
            }
            defect("multipart: boundary never seen, body read as text");
            add_text(body, "text/plain", "", Encoding::identity);
            return;
        }
        if (!closed) {
            defect("multipart: closing boundary missing");
            if (part_start != std::string_view::npos) {
                parse_entity(body.substr(part_start), depth, Role::part, child_default);
            }
        }
    }

    void add_text(std::string_view body, std::string_view media_type, std::string_view charset,
                  Encoding encoding) {
        std::string decoded;
        std::string_view bytes = body;
        if (encoding == Encoding::base64 || encoding == Encoding::quoted_printable) {
            decoded = decode(body, encoding);
            bytes = decoded;
        }
        const bool html = media_type == "text/html";
        std::string sniffed;
        if (html && charset.empty()) {
            sniffed = sniff_html_charset(bytes);
            charset = sniffed;
        }
        if (m_text_charset.empty() && !charset.empty() && !is_ascii_label(charset)) {
            m_text_charset = std::string(charset);
        }
        TextPart part;
        part.media_type = std::string(media_type);
        ConvertReport convert;
        const std::size_t urls_before = m_out.urls.size();
        if (html) {
            std::string utf8;
            append_utf8(charset, bytes, utf8, bytes.size() * 4 + 4, convert);
            decoded = std::string();  // release the raw bytes before the text grows
            const HtmlReport report = html_to_text(
                utf8, HtmlSink{part.text, m_out.html_tags, m_out.urls, m_limits.max_text_bytes});
            if (report.truncated) {
                truncate("text: part longer than max_text_bytes, cut");
            }
            if (report.unterminated_comment) {
                defect("html: comment never closed; ended at the next '>'");
            }
            if (report.unterminated_tag) {
                defect("html: input ends inside a tag");
            }
        } else {
            append_utf8(charset, bytes, part.text, m_limits.max_text_bytes, convert);
            if (convert.truncated) {
                truncate("text: part longer than max_text_bytes, cut");
            }
        }
        if (convert.unknown_charset) {
            defect("charset: unknown, read as UTF-8 or windows-1252");
        }
        if (convert.replaced != 0) {
            defect("charset: invalid sequences replaced");
        }
        normalize_newlines(part.text);
        if (part.text.empty()) {
            return;
        }
        find_text_urls(part.text, m_out.urls, urls_before);
        m_out.texts.push_back(std::move(part));
    }

    const MimeLimits& m_limits;
    ParsedMessage& m_out;
    std::size_t m_parts = 0;
    bool m_parts_exceeded = false;
    bool m_depth_exceeded = false;
    std::string m_text_charset;  // the first charset a text part declared, not ASCII
    struct PendingField {
        std::size_t index;  // in m_out.headers
        RawHeader field;    // views into the input, which outlives the parse
    };
    std::vector<PendingField> m_redecode;
};

}  // namespace

ParsedMessage parse_message(std::string_view raw, const MimeLimits& limits) noexcept {
    ParsedMessage message;
    try {
        Parser parser(limits, message);
        parser.run(raw);
    } catch (const std::bad_alloc&) {
        // Keep what was parsed; the note itself may fail to allocate.
        message.truncated = true;
        try {
            message.defects.emplace_back("out of memory; parse stopped");
        } catch (...) {
        }
    } catch (...) {
        message.truncated = true;
        try {
            message.defects.emplace_back("internal error; parse stopped");
        } catch (...) {
        }
    }
    return message;
}

}  // namespace dspamd
