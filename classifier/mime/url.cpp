// Plain-text URL finder; see url.h. Scans for ':' and '.' with memchr and
// looks back for "http(s)" or "www", so text without URLs costs two memchr
// passes and a few comparisons per dot.
#include "classifier/mime/url.h"

#include <algorithm>
#include <cstring>

#include "classifier/mime/ascii.h"
#include "classifier/mime/html.h"

namespace dspamd::mime {
namespace {

bool ends_with_ci(std::string_view text, std::size_t end, std::string_view word) {
    if (end < word.size()) {
        return false;
    }
    for (std::size_t i = 0; i < word.size(); ++i) {
        if (ascii_lower(text[end - word.size() + i]) != word[i]) {
            return false;
        }
    }
    return true;
}

// Characters that end a URL written in text (RFC 3986 excludes them, or mail
// puts them around URLs).
bool ends_url(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= ' ' || u >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\'' || c == '`' ||
           c == '{' || c == '}' || c == '|' || c == '\\' || c == '^';
}

void add(std::string_view text, std::size_t start, std::vector<std::string>& urls,
         std::size_t skip_from) {
    std::size_t end = start;
    while (end < text.size() && end - start < k_max_url_bytes && !ends_url(text[end])) {
        ++end;
    }
    while (end > start && std::strchr(".,;:!?)]", text[end - 1]) != nullptr) {
        --end;
    }
    const std::string_view url = text.substr(start, end - start);
    if (url.size() <= 7 || urls.size() >= k_max_urls) {
        return;
    }
    if (std::find(urls.begin() + static_cast<std::ptrdiff_t>(skip_from), urls.end(), url) !=
        urls.end()) {
        return;
    }
    urls.emplace_back(url);
}

}  // namespace

void find_text_urls(std::string_view text, std::vector<std::string>& urls, std::size_t skip_from) {
    // "http://" and "https://": find each "://" and look back for the scheme.
    for (std::size_t pos = 0; pos < text.size() && urls.size() < k_max_urls;) {
        const void* hit = std::memchr(text.data() + pos, ':', text.size() - pos);
        if (hit == nullptr) {
            break;
        }
        const std::size_t colon =
            static_cast<std::size_t>(static_cast<const char*>(hit) - text.data());
        pos = colon + 1;
        if (text.substr(colon, 3) != "://") {
            continue;
        }
        std::size_t start = std::string_view::npos;
        if (ends_with_ci(text, colon, "https")) {
            start = colon - 5;
        } else if (ends_with_ci(text, colon, "http")) {
            start = colon - 4;
        }
        if (start == std::string_view::npos || (start > 0 && is_alnum(text[start - 1]))) {
            continue;
        }
        add(text, start, urls, skip_from);
    }
    // "www." not preceded by a scheme (those were found above).
    for (std::size_t pos = 0; pos < text.size() && urls.size() < k_max_urls;) {
        const void* hit = std::memchr(text.data() + pos, '.', text.size() - pos);
        if (hit == nullptr) {
            break;
        }
        const std::size_t dot =
            static_cast<std::size_t>(static_cast<const char*>(hit) - text.data());
        pos = dot + 1;
        if (!ends_with_ci(text, dot, "www")) {
            continue;
        }
        const std::size_t start = dot - 3;
        if (start > 0 && (is_alnum(text[start - 1]) || text[start - 1] == '/' ||
                          text[start - 1] == '.' || text[start - 1] == '@')) {
            continue;
        }
        if (dot + 1 >= text.size() || !is_alnum(text[dot + 1])) {
            continue;
        }
        add(text, start, urls, skip_from);
    }
}

}  // namespace dspamd::mime
