// Header tokens (rules in header_tokens.h).
#include "classifier/header_tokens.h"

#include <algorithm>
#include <array>

#include "classifier/mime/ascii.h"
#include "classifier/ngram.h"

namespace dspamd {
namespace {

using mime::is_alnum;
using mime::is_space;
using mime::trim;

enum class HeaderKind { words, ids, date, received, signature, mime, presence_only };

struct KindRule {
    std::string_view pattern;
    HeaderKind kind;
};

// Values of these headers are noise for every user (see header_tokens.h).
constexpr std::array<KindRule, 23> k_kind_rules{{
    {"Message-Id", HeaderKind::ids},
    {"In-Reply-To", HeaderKind::ids},
    {"References", HeaderKind::ids},
    {"Content-Id", HeaderKind::ids},
    {"Resent-Message-Id", HeaderKind::ids},
    {"Original-Message-Id", HeaderKind::ids},
    {"Date", HeaderKind::date},
    {"Resent-Date", HeaderKind::date},
    {"Delivery-Date", HeaderKind::date},
    {"Received", HeaderKind::received},
    {"X-Received", HeaderKind::received},
    {"DKIM-Signature", HeaderKind::signature},
    {"DomainKey-Signature", HeaderKind::signature},
    {"X-Google-DKIM-Signature", HeaderKind::signature},
    {"ARC-Seal", HeaderKind::signature},
    {"ARC-Message-Signature", HeaderKind::signature},
    {"Content-Type", HeaderKind::mime},
    {"Content-Disposition", HeaderKind::mime},
    {"X-Google-Smtp-Source", HeaderKind::presence_only},
    {"X-Gm-*", HeaderKind::presence_only},
    {"X-MS-Exchange-CrossTenant-*", HeaderKind::presence_only},
    {"X-MS-Office365-Filtering-Correlation-Id", HeaderKind::presence_only},
    {"X-MS-Exchange-Transport-CrossTenantHeadersStamped", HeaderKind::presence_only},
}};

// MIME parameters whose values come from a small vocabulary; other
// parameters (boundary, size, dates) count only by name.
constexpr std::array<std::string_view, 9> k_valued_params{"charset",     "format",   "delsp",
                                                          "type",        "protocol", "micalg",
                                                          "report-type", "method",   "reply-type"};

constexpr char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
constexpr char upper(char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
}


bool valid_header_name(std::string_view name) {
    if (name.empty() || name.size() > k_max_header_name_bytes) {
        return false;
    }
    for (char c : name) {
        if (c <= ' ' || c > '~' || c == ':') {
            return false;
        }
    }
    return true;
}

// Copies `in` lower-cased into `out` when every byte is in the small
// alphabet of domains, tags and MIME words; false otherwise.
bool lower_restricted(std::string_view in, std::string_view extra, std::size_t max_bytes,
                      std::string& out) {
    out.clear();
    if (in.empty() || in.size() > max_bytes) {
        return false;
    }
    for (char c : in) {
        if (!is_alnum(c) && extra.find(c) == std::string_view::npos) {
            return false;
        }
        out.push_back(lower(c));
    }
    return true;
}

// Splits a MIME header value at ';' outside quoted strings.
template <typename Fn>
void split_params(std::string_view value, Fn&& piece) {
    bool quoted = false;
    std::size_t begin = 0;
    for (std::size_t i = 0; i <= value.size(); ++i) {
        if (i < value.size()) {
            const char c = value[i];
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && quoted && i + 1 < value.size()) {
                ++i;  // the escaped character cannot end the quote
            }
            if (quoted || c != ';') {
                continue;
            }
        }
        if (!piece(trim(value.substr(begin, std::min(i, value.size()) - begin)))) {
            return;
        }
        begin = i + 1;
    }
}

}  // namespace

bool header_name_matches(std::string_view pattern, std::string_view name) {
    // Iterative glob: on a mismatch, retry from the last '*' one byte later.
    std::size_t p = 0;
    std::size_t n = 0;
    std::size_t star = std::string_view::npos;
    std::size_t star_n = 0;
    while (n < name.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            star_n = n;
        } else if (p < pattern.size() && lower(pattern[p]) == lower(name[n])) {
            ++p;
            ++n;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            n = ++star_n;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') {
        ++p;
    }
    return p == pattern.size();
}

void canonical_header_name(std::string_view name, std::string& out) {
    out.clear();
    bool word_start = true;
    for (char c : name) {
        out.push_back(word_start ? upper(c) : lower(c));
        word_start = c == '-';
    }
}

HeaderTokenizer::HeaderTokenizer(const TokenizerParams& params, TokenOutput& out)
    : m_params(params), m_out(out) {}

bool HeaderTokenizer::ignored(std::string_view name) const {
    for (const std::string& pattern : m_params.ignored_headers) {
        if (header_name_matches(pattern, name)) {
            return true;
        }
    }
    return false;
}

bool HeaderTokenizer::add(const Header& header, bool top_level) {
    if (!valid_header_name(header.name)) {
        return top_level ? m_out.emit(k_invalid_name_token) : true;
    }
    if (ignored(header.name)) {
        return true;
    }
    canonical_header_name(header.name, m_name);
    if (top_level) {
        std::string& text = m_out.text_buffer();
        text.assign(k_presence_prefix);
        text.append(m_name);
        if (!m_out.emit(text)) {
            return false;
        }
    }
    m_prefix.assign(m_name);
    m_prefix.push_back('*');

    HeaderKind kind = HeaderKind::words;
    for (const KindRule& rule : k_kind_rules) {
        if (header_name_matches(rule.pattern, header.name)) {
            kind = rule.kind;
            break;
        }
    }
    const std::string_view value = header.value;
    switch (kind) {
        case HeaderKind::words:
            return add_words(value, false);
        case HeaderKind::received:
            return add_words(value, true);
        case HeaderKind::ids:
            return add_ids(value);
        case HeaderKind::date:
            return add_date(value);
        case HeaderKind::signature:
            return add_signature(value);
        case HeaderKind::mime:
            return add_mime(value);
        case HeaderKind::presence_only:
            return true;
    }
    return true;
}

bool HeaderTokenizer::emit_single(std::string_view value, std::string_view more) {
    std::string& text = m_out.text_buffer();
    text.assign(m_prefix);
    text.append(value);
    text.append(more);
    return m_out.emit(text);
}

bool HeaderTokenizer::add_words(std::string_view value, bool received) {
    if (received) {
        // The date after the last ';' differs in every message.
        const std::size_t semicolon = value.rfind(';');
        if (semicolon != std::string_view::npos) {
            value = value.substr(0, semicolon);
        }
    }
    m_words.clear();
    lex_words(value, LexMode::header, m_words);
    if (received) {
        // "id 4AbC12" is the relay's queue id: one-off noise.
        bool after_id = false;
        m_words.retain([&after_id](std::size_t, std::string_view word) {
            const bool keep = !after_id;
            after_id = word == "id";
            return keep;
        });
    }
    return emit_ngrams(m_params.kind, m_prefix, m_words, m_out);
}

bool HeaderTokenizer::add_ids(std::string_view value) {
    std::size_t count = 0;
    for (std::size_t at = value.find('@');
         at != std::string_view::npos && count < k_max_ids_per_header;
         at = value.find('@', at + 1)) {
        std::size_t end = at + 1;
        while (end < value.size() && value[end] != '>' && !is_space(value[end]) &&
               value[end] != ',' && value[end] != ';' && value[end] != '@') {
            ++end;
        }
        std::string_view domain = value.substr(at + 1, end - at - 1);
        while (!domain.empty() && domain.back() == '.') {
            domain.remove_suffix(1);
        }
        ++count;
        if (lower_restricted(domain, ".-_[]", k_max_domain_bytes, m_value) &&
            !emit_single(m_value)) {
            return false;
        }
    }
    return true;
}

bool HeaderTokenizer::add_date(std::string_view value) {
    // "Sat, 21 Nov 2026 16:07:26 +0000 (UTC)": the zone says where the
    // sender's clock is set; the rest is a timestamp.
    const std::size_t comment = value.find('(');
    if (comment != std::string_view::npos) {
        value = value.substr(0, comment);
    }
    value = trim(value);
    std::size_t space = value.size();
    while (space > 0 && !is_space(value[space - 1])) {
        --space;
    }
    const std::string_view zone = value.substr(space);
    bool numeric = zone.size() == 5 && (zone[0] == '+' || zone[0] == '-');
    for (std::size_t i = 1; numeric && i < zone.size(); ++i) {
        numeric = zone[i] >= '0' && zone[i] <= '9';
    }
    bool named = !zone.empty() && zone.size() <= 5;
    for (std::size_t i = 0; named && i < zone.size(); ++i) {
        named = (zone[i] >= 'a' && zone[i] <= 'z') || (zone[i] >= 'A' && zone[i] <= 'Z');
    }
    if (!numeric && !named) {
        return true;
    }
    m_value.clear();
    for (char c : zone) {
        m_value.push_back(lower(c));
    }
    return emit_single(m_value);
}

bool HeaderTokenizer::add_signature(std::string_view value) {
    bool keep_going = true;
    split_params(value, [&](std::string_view tag) {
        const std::size_t eq = tag.find('=');
        if (eq == std::string_view::npos) {
            return true;
        }
        const std::string_view name = trim(tag.substr(0, eq));
        if (name != "d" && name != "s") {
            return true;
        }
        if (!lower_restricted(trim(tag.substr(eq + 1)), ".-_", k_max_domain_bytes, m_value)) {
            return true;
        }
        m_param.assign(name);
        m_param.push_back('=');
        keep_going = emit_single(m_param, m_value);
        return keep_going;
    });
    return keep_going;
}

bool HeaderTokenizer::add_mime(std::string_view value) {
    bool keep_going = true;
    bool first = true;
    std::size_t params = 0;
    split_params(value, [&](std::string_view piece) {
        if (first) {
            first = false;
            if (lower_restricted(piece, "/.+-_", k_max_header_name_bytes, m_value)) {
                keep_going = emit_single(m_value);
            }
            return keep_going;
        }
        if (piece.empty()) {
            return true;
        }
        if (++params > k_max_mime_params) {
            return false;
        }
        const std::size_t eq = piece.find('=');
        if (eq == std::string_view::npos) {
            return true;
        }
        keep_going = add_mime_param(trim(piece.substr(0, eq)), trim(piece.substr(eq + 1)));
        return keep_going;
    });
    return keep_going;
}

bool HeaderTokenizer::add_mime_param(std::string_view name, std::string_view value) {
    // RFC 2231 sections and charsets ("filename*0*") count as the parameter.
    name = name.substr(0, name.find('*'));
    if (!lower_restricted(name, "-_.", k_max_header_name_bytes, m_param)) {
        return true;
    }
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
    }
    if (m_param == "name" || m_param == "filename") {
        // The extension says what the attachment is; the name is one-off.
        const std::size_t dot = value.rfind('.');
        if (dot != std::string_view::npos &&
            lower_restricted(value.substr(dot + 1), "", k_max_extension_bytes, m_value)) {
            m_param.append("=.");
            return emit_single(m_param, m_value);
        }
        return emit_single(m_param);
    }
    for (std::string_view valued : k_valued_params) {
        if (m_param == valued) {
            if (lower_restricted(value, ".-_/+:", k_max_param_value_bytes, m_value)) {
                m_param.push_back('=');
                return emit_single(m_param, m_value);
            }
            break;
        }
    }
    return emit_single(m_param);
}

}  // namespace dspamd
