// URL tokens (shapes in url_tokens.h). URLs come from hostile mail: every
// piece is bounded and checked before it becomes a token.
#include "classifier/url_tokens.h"

#include <algorithm>

#include "classifier/codepoint.h"
#include "classifier/mime/ascii.h"

namespace dspamd {
namespace {

using mime::is_alpha;
using mime::is_digit;
using mime::trim;

constexpr char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

// Host bytes: letters, digits, '-', '_', '.', and UTF-8 of internationalised names.
constexpr bool is_host_char(char c) {
    return is_alpha(c) || is_digit(c) || c == '-' || c == '_' || c == '.' ||
           static_cast<unsigned char>(c) >= 0x80;
}


// The scheme's length when `url` starts with one ("https:"), else 0.
std::size_t scheme_length(std::string_view url) {
    if (url.empty() || !is_alpha(url[0])) {
        return 0;
    }
    for (std::size_t i = 1; i < url.size() && i <= k_max_scheme_bytes; ++i) {
        const char c = url[i];
        if (c == ':') {
            return i;
        }
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') {
            return 0;
        }
    }
    return 0;
}

// Token texts may be shown to users (X-DSPAM-Factors): keep them valid UTF-8.
bool valid_utf8(std::string_view text) {
    for (std::size_t pos = 0; pos < text.size();) {
        if (lex::decode_utf8(text, pos) == lex::k_replacement_char) {
            return false;
        }
    }
    return true;
}

// No top-level domain starts with a digit, so such a last label means an
// address: dotted, a bare number (3232235777) or hex (0x7f.1).
bool is_address_host(std::string_view host) {
    const std::size_t dot = host.rfind('.');
    const std::string_view last = dot == std::string_view::npos ? host : host.substr(dot + 1);
    return !last.empty() && is_digit(last.front());
}

}  // namespace

bool UrlTokenizer::emit(std::string_view piece) {
    std::string& text = m_out.text_buffer();
    text.assign(k_url_prefix);
    text.append(piece);
    return m_out.emit(text);
}

bool UrlTokenizer::add(std::string_view url) {
    url = trim(url.substr(0, k_max_url_bytes));
    const std::size_t fragment = url.find('#');
    if (fragment != std::string_view::npos) {
        url = url.substr(0, fragment);
    }
    std::size_t scheme = scheme_length(url);
    const bool hierarchical = scheme > 0 && url.substr(scheme + 1, 2) == "//";
    // "www.example.com:8080/" is a host and port, not a scheme.
    if (scheme > 0 && !hierarchical && url.substr(0, scheme).find('.') != std::string_view::npos) {
        scheme = 0;
    }
    if (scheme > 0) {
        m_host.clear();
        for (char c : url.substr(0, scheme)) {
            m_host.push_back(lower(c));
        }
        if (!emit(m_host)) {
            return false;
        }
        if (!hierarchical) {
            if (m_host != "mailto") {
                return true;
            }
            std::string_view address = url.substr(scheme + 1);
            address = address.substr(0, address.find('?'));
            const std::size_t at = address.rfind('@');
            return at == std::string_view::npos || add_host(address.substr(at + 1));
        }
        url.remove_prefix(scheme + 3);
    }

    const std::size_t authority_end = std::min(url.find_first_of("/?\\"), url.size());
    std::string_view authority = url.substr(0, authority_end);
    std::string_view rest = url.substr(authority_end);
    const std::size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
        if (!emit("userinfo")) {
            return false;
        }
        authority.remove_prefix(at + 1);
    }
    std::string_view host = authority;
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        host = authority.substr(0, close == std::string_view::npos ? authority.size() : close + 1);
        port = authority.substr(host.size());
    } else {
        const std::size_t colon = authority.rfind(':');
        if (colon != std::string_view::npos) {
            host = authority.substr(0, colon);
            port = authority.substr(colon);
        }
    }
    if (!add_host(host)) {
        return false;
    }
    if (port.size() > 1 && port.size() <= 6 && port[0] == ':' &&
        std::all_of(port.begin() + 1, port.end(), is_digit) && !emit(port)) {
        return false;
    }
    m_words.clear();
    lex_words(rest, LexMode::body, m_words);
    for (std::size_t i = 0; i < m_words.size() && i < k_max_url_words; ++i) {
        if (!emit(m_words[i])) {
            return false;
        }
    }
    return true;
}

bool UrlTokenizer::add_host(std::string_view host) {
    while (!host.empty() && host.back() == '.') {
        host.remove_suffix(1);
    }
    if (host.empty() || host.size() > k_max_host_bytes) {
        return true;
    }
    m_host.clear();
    const bool bracketed = host.front() == '[' && host.back() == ']' && host.size() > 2;
    for (char c : bracketed ? host.substr(1, host.size() - 2) : host) {
        if (!(bracketed ? (is_alpha(c) || is_digit(c) || c == ':' || c == '.') : is_host_char(c))) {
            return true;
        }
        m_host.push_back(lower(c));
    }
    // Empty labels ("a..b", ".a") make no sense as a domain.
    if (!valid_utf8(m_host) || m_host.front() == '.' || m_host.find("..") != std::string::npos) {
        return true;
    }
    if (bracketed || is_address_host(m_host)) {
        return emit(m_host) && emit("ip-host");
    }
    // The host, then its parent domains. A host with too many labels keeps
    // its full name and its shortest parents: padding "a.a.a.a..." in front
    // must not push the registered domain out.
    if (!emit(m_host)) {
        return false;
    }
    std::size_t labels =
        static_cast<std::size_t>(std::count(m_host.begin(), m_host.end(), '.')) + 1;
    std::string_view suffix = m_host;
    while (labels > 1) {
        suffix.remove_prefix(suffix.find('.') + 1);
        --labels;
        if (labels < k_max_host_labels && !emit(suffix)) {
            return false;
        }
    }
    return true;
}

}  // namespace dspamd
