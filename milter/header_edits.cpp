// Header and body edits of a classified message.
#include "milter/header_edits.h"

#include <strings.h>

#include <algorithm>
#include <map>

namespace dspamd::milter {
namespace {

constexpr std::string_view k_dspam_prefix = "X-DSPAM-";

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

}  // namespace

bool is_dspam_header(std::string_view name) {
    return name.size() >= k_dspam_prefix.size() &&
           strncasecmp(name.data(), k_dspam_prefix.data(), k_dspam_prefix.size()) == 0;
}

std::vector<HeaderChange> remove_foreign_headers(const std::vector<ReceivedHeader>& received) {
    std::vector<HeaderChange> changes;
    for (const ReceivedHeader& header : received) {
        if (is_dspam_header(header.name)) {
            changes.push_back(HeaderChange{header.name, header.index, std::nullopt});
        }
    }
    std::stable_sort(changes.begin(), changes.end(),
                     [](const HeaderChange& a, const HeaderChange& b) {
                         const std::string la = lower(a.name);
                         const std::string lb = lower(b.name);
                         return la != lb ? la < lb : a.index > b.index;
                     });
    return changes;
}

std::string prefixed_subject(std::string_view prefix, std::string_view subject) {
    std::string_view trimmed = subject;
    while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t')) {
        trimmed.remove_prefix(1);
    }
    if (prefix.empty() || trimmed.starts_with(prefix)) {
        return std::string(subject);
    }
    if (trimmed.empty()) {
        return std::string(prefix);
    }
    return std::string(prefix) + " " + std::string(trimmed);
}

std::string body_with_signature_tag(std::string_view body, std::string_view signature_id) {
    // SMTP bodies end lines with CRLF; keep bare LF only where the body has it.
    const bool crlf =
        body.find("\r\n") != std::string_view::npos || body.find('\n') == std::string_view::npos;
    const std::string_view eol = crlf ? "\r\n" : "\n";
    std::string out(body);
    if (!out.empty() && out.back() != '\n') {
        out += eol;
    }
    out += "!DSPAM:";
    out += signature_id;
    out += "!";
    out += eol;
    return out;
}

std::string reply_text(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (out.size() >= k_max_reply_text) {
            break;
        }
        if (c == '%') {
            out += "%%";
        } else if (c >= 0x20 && c <= 0x7e) {
            out += c;
        } else {
            out += '?';
        }
    }
    return out;
}

}  // namespace dspamd::milter
