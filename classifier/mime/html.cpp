// HTML to text; see html.h. A single forward scan: text runs are copied in
// blocks between '<' and '&', tags are parsed in place, nothing is built per
// character except the tag names and URLs that are kept.
#include "classifier/mime/html.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "classifier/mime/ascii.h"
#include "classifier/mime/charset.h"

namespace dspamd::mime {
namespace {

constexpr std::size_t k_max_tag_name = 32;
constexpr std::size_t k_max_entity_name = 10;

struct NamedEntity {
    std::string_view name;
    std::uint32_t cp;  // 0: decodes to nothing
};

// Sorted by name. &nbsp; becomes a plain space; &shy; and the zero-width
// characters become nothing, because spammers put them inside words.
constexpr std::array<NamedEntity, 72> k_entities = {{
    {"AElig", 0xC6},   {"Aacute", 0xC1},  {"Agrave", 0xC0},  {"Auml", 0xC4},    {"Ccedil", 0xC7},
    {"Eacute", 0xC9},  {"Egrave", 0xC8},  {"Iacute", 0xCD},  {"Ntilde", 0xD1},  {"Oacute", 0xD3},
    {"Ouml", 0xD6},    {"Uacute", 0xDA},  {"Uuml", 0xDC},    {"aacute", 0xE1},  {"acirc", 0xE2},
    {"aelig", 0xE6},   {"agrave", 0xE0},  {"amp", '&'},      {"apos", '\''},    {"aring", 0xE5},
    {"atilde", 0xE3},  {"auml", 0xE4},    {"bull", 0x2022},  {"ccedil", 0xE7},  {"cent", 0xA2},
    {"copy", 0xA9},    {"deg", 0xB0},     {"divide", 0xF7},  {"eacute", 0xE9},  {"ecirc", 0xEA},
    {"egrave", 0xE8},  {"euml", 0xEB},    {"euro", 0x20AC},  {"gt", '>'},       {"hellip", 0x2026},
    {"iacute", 0xED},  {"icirc", 0xEE},   {"iexcl", 0xA1},   {"iquest", 0xBF},  {"iuml", 0xEF},
    {"laquo", 0xAB},   {"ldquo", 0x201C}, {"lsquo", 0x2018}, {"lt", '<'},       {"mdash", 0x2014},
    {"middot", 0xB7},  {"nbsp", ' '},     {"ndash", 0x2013}, {"ntilde", 0xF1},  {"oacute", 0xF3},
    {"ocirc", 0xF4},   {"ograve", 0xF2},  {"ouml", 0xF6},    {"para", 0xB6},    {"plusmn", 0xB1},
    {"pound", 0xA3},   {"quot", '"'},     {"raquo", 0xBB},   {"rdquo", 0x201D}, {"reg", 0xAE},
    {"rsquo", 0x2019}, {"sect", 0xA7},    {"shy", 0},        {"szlig", 0xDF},   {"times", 0xD7},
    {"trade", 0x2122}, {"uacute", 0xFA},  {"ucirc", 0xFB},   {"uuml", 0xFC},    {"yen", 0xA5},
    {"zwj", 0},        {"zwnj", 0},
}};
static_assert(std::is_sorted(k_entities.begin(), k_entities.end(),
                             [](const NamedEntity& a, const NamedEntity& b) {
                                 return a.name < b.name;
                             }));

// Sorted. Elements that start a new line when rendered.
constexpr std::array<std::string_view, 46> k_block_tags = {
    "address",  "article", "aside", "blockquote", "body",     "br",     "caption", "center",
    "dd",       "div",     "dl",    "dt",         "fieldset", "figure", "footer",  "form",
    "frame",    "h1",      "h2",    "h3",         "h4",       "h5",     "h6",      "head",
    "header",   "hr",      "html",  "iframe",     "li",       "main",   "nav",     "ol",
    "option",   "p",       "pre",   "section",    "select",   "table",  "tbody",   "td",
    "textarea", "tfoot",   "th",    "thead",      "title",    "tr"};
static_assert(std::is_sorted(k_block_tags.begin(), k_block_tags.end()));

// Position of "</name" (any case) at or after `from`, or npos.
std::size_t find_end_tag(std::string_view html, std::size_t from, std::string_view name) {
    while (from < html.size()) {
        const void* lt = std::memchr(html.data() + from, '<', html.size() - from);
        if (lt == nullptr) {
            return std::string_view::npos;
        }
        const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(lt) - html.data());
        if (at + 2 + name.size() <= html.size() && html[at + 1] == '/' &&
            iequals(html.substr(at + 2, name.size()), name)) {
            return at;
        }
        from = at + 1;
    }
    return std::string_view::npos;
}

// Code points that are invisible and used to split words.
bool is_invisible(std::uint32_t cp) {
    return cp == 0xAD || cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0x2060 ||
           cp == 0xFEFF;
}

void append_reference(std::uint32_t cp, std::string& out) {
    if (cp == 0 || is_invisible(cp)) {
        return;
    }
    if (cp == 0xA0) {
        out.push_back(' ');
        return;
    }
    if (cp >= 0x80 && cp < 0xA0) {
        cp = cp1252_code_point(static_cast<unsigned char>(cp));  // HTML5: read as windows-1252
    }
    append_code_point(cp, out);
}

void add_url(std::string_view raw, std::vector<std::string>& urls) {
    while (!raw.empty() && is_space(raw.front())) {
        raw.remove_prefix(1);
    }
    while (!raw.empty() && is_space(raw.back())) {
        raw.remove_suffix(1);
    }
    if (raw.empty() || urls.size() >= k_max_urls) {
        return;
    }
    std::string url;
    url.reserve(std::min(raw.size(), k_max_url_bytes));
    // Copy a few bytes past the limit so that the cut below can tell where
    // the last whole UTF-8 sequence ends.
    for (std::size_t i = 0; i < raw.size() && url.size() < k_max_url_bytes + 4;) {
        if (raw[i] == '&') {
            const std::size_t used = decode_entity(raw.substr(i), url);
            if (used != 0) {
                i += used;
                continue;
            }
        }
        url.push_back(raw[i]);
        ++i;
    }
    truncate_utf8(url, k_max_url_bytes);
    urls.push_back(std::move(url));
}

bool is_url_attribute(std::string_view name) {
    return iequals(name, "href") || iequals(name, "src") || iequals(name, "action") ||
           iequals(name, "background");
}

struct Tag {
    std::size_t end = std::string_view::npos;  // index after '>', npos if unterminated
    std::string name;                          // lower case
    bool closing = false;
};

// Parses the tag starting at html[pos] == '<' (a letter or '/' follows),
// collecting URL attributes on the way.
Tag parse_tag(std::string_view html, std::size_t pos, std::vector<std::string>& urls) {
    Tag tag;
    std::size_t i = pos + 1;
    if (html[i] == '/') {
        tag.closing = true;
        ++i;
    }
    while (i < html.size() && (is_alpha(html[i]) || is_digit(html[i]) || html[i] == '-' ||
                               html[i] == ':' || html[i] == '_')) {
        if (tag.name.size() < k_max_tag_name) {
            tag.name.push_back(ascii_lower(html[i]));
        }
        ++i;
    }
    while (i < html.size()) {
        const char c = html[i];
        if (c == '>') {
            tag.end = i + 1;
            return tag;
        }
        if (is_space(c) || c == '/') {
            ++i;
            continue;
        }
        const std::size_t name_start = i;
        while (i < html.size() && !is_space(html[i]) && html[i] != '=' && html[i] != '>' &&
               html[i] != '/') {
            ++i;
        }
        const std::string_view attr = html.substr(name_start, i - name_start);
        while (i < html.size() && is_space(html[i])) {
            ++i;
        }
        if (i >= html.size() || html[i] != '=') {
            continue;
        }
        ++i;
        while (i < html.size() && is_space(html[i])) {
            ++i;
        }
        if (i >= html.size()) {
            break;
        }
        std::string_view value;
        if (html[i] == '"' || html[i] == '\'') {
            const std::size_t close = html.find(html[i], i + 1);
            if (close == std::string_view::npos) {
                break;
            }
            value = html.substr(i + 1, close - i - 1);
            i = close + 1;
        } else {
            const std::size_t value_start = i;
            while (i < html.size() && !is_space(html[i]) && html[i] != '>') {
                ++i;
            }
            value = html.substr(value_start, i - value_start);
        }
        if (!tag.closing && is_url_attribute(attr)) {
            add_url(value, urls);
        }
    }
    return tag;
}

void line_break(std::string& text) {
    if (!text.empty() && text.back() != '\n') {
        text.push_back('\n');
    }
}

}  // namespace

std::size_t decode_entity(std::string_view in, std::string& out) {
    std::size_t i = 1;
    if (i < in.size() && in[i] == '#') {
        ++i;
        const bool hex = i < in.size() && (in[i] == 'x' || in[i] == 'X');
        if (hex) {
            ++i;
        }
        const std::size_t digits_start = i;
        std::uint32_t cp = 0;
        while (i < in.size()) {
            const char c = in[i];
            int d;
            if (is_digit(c)) {
                d = c - '0';
            } else if (hex && c >= 'a' && c <= 'f') {
                d = c - 'a' + 10;
            } else if (hex && c >= 'A' && c <= 'F') {
                d = c - 'A' + 10;
            } else {
                break;
            }
            // Saturate above the Unicode range; the value becomes U+FFFD.
            cp = cp > 0x10FFFF ? cp : cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
            ++i;
        }
        if (i == digits_start) {
            return 0;
        }
        if (i < in.size() && in[i] == ';') {
            ++i;
        }
        append_reference(cp == 0 ? 0xFFFD : cp, out);
        return i;
    }
    const std::size_t name_start = i;
    while (i < in.size() && i - name_start <= k_max_entity_name &&
           (is_alpha(in[i]) || is_digit(in[i]))) {
        ++i;
    }
    const std::string_view name = in.substr(name_start, i - name_start);
    const auto it =
        std::lower_bound(k_entities.begin(), k_entities.end(), name,
                         [](const NamedEntity& e, std::string_view key) { return e.name < key; });
    if (it == k_entities.end() || it->name != name) {
        return 0;
    }
    const bool semicolon = i < in.size() && in[i] == ';';
    // Without ';' only the legacy references are recognised, as browsers do.
    if (!semicolon && name != "amp" && name != "lt" && name != "gt" && name != "quot" &&
        name != "nbsp" && name != "copy" && name != "reg") {
        return 0;
    }
    append_reference(it->cp, out);
    return i + (semicolon ? 1 : 0);
}

HtmlReport html_to_text(std::string_view html, HtmlSink sink) {
    HtmlReport report;
    std::string& text = sink.text;
    const std::size_t start = text.size();
    const std::size_t limit = start + sink.max_text;
    text.reserve(start + std::min(html.size(), sink.max_text));
    std::size_t pos = 0;
    std::size_t no_comment_end = std::string_view::npos;
    while (pos < html.size()) {
        if (text.size() >= limit) {
            report.truncated = true;
            break;
        }
        const char c = html[pos];
        if (c != '<' && c != '&') {
            // Copy the run up to the next markup character in one go.
            std::size_t end = pos + 1;
            while (end < html.size() && html[end] != '<' && html[end] != '&') {
                ++end;
            }
            text.append(html.data() + pos, end - pos);
            pos = end;
            continue;
        }
        if (c == '&') {
            const std::size_t used = decode_entity(html.substr(pos), text);
            if (used == 0) {
                text.push_back('&');
                ++pos;
            } else {
                pos += used;
            }
            continue;
        }
        const char next = pos + 1 < html.size() ? html[pos + 1] : '\0';
        if (next == '!' && html.substr(pos, 4) == "<!--") {
            // Once no "-->" follows some point, none follows any later one:
            // remembering that keeps "<!--<!--<!--..." linear.
            const std::size_t close =
                pos + 4 >= no_comment_end ? std::string_view::npos : html.find("-->", pos + 4);
            if (close == std::string_view::npos) {
                no_comment_end = std::min(no_comment_end, pos + 4);
            }
            if (close != std::string_view::npos) {
                pos = close + 3;
                continue;
            }
            // A browser would hide everything after it; the words there are
            // still the sender's, so end the comment at the next '>' instead.
            report.unterminated_comment = true;
            const std::size_t gt = html.find('>', pos + 4);
            pos = gt == std::string_view::npos ? html.size() : gt + 1;
            continue;
        }
        if (next == '!' || next == '?') {
            const std::size_t close = html.find('>', pos);
            pos = close == std::string_view::npos ? html.size() : close + 1;
            continue;
        }
        if (!is_alpha(next) && !(next == '/' && pos + 2 < html.size() && is_alpha(html[pos + 2]))) {
            text.push_back('<');  // "a < b" is text
            ++pos;
            continue;
        }
        Tag tag = parse_tag(html, pos, sink.urls);
        if (tag.end == std::string_view::npos) {
            report.unterminated_tag = true;
            break;
        }
        pos = tag.end;
        if (std::binary_search(k_block_tags.begin(), k_block_tags.end(),
                               std::string_view(tag.name))) {
            line_break(text);
        }
        if (tag.closing) {
            continue;
        }
        if (tag.name == "script" || tag.name == "style") {
            const std::size_t close = find_end_tag(html, pos, tag.name);
            if (close == std::string_view::npos) {
                pos = html.size();
            } else {
                const std::size_t gt = html.find('>', close);
                pos = gt == std::string_view::npos ? html.size() : gt + 1;
            }
        }
        if (sink.tags.size() < k_max_html_tags) {
            sink.tags.push_back(std::move(tag.name));
        }
    }
    if (text.size() > limit) {
        truncate_utf8(text, limit);
        report.truncated = true;
    }
    return report;
}

}  // namespace dspamd::mime
