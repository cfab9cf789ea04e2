// URL tokens, prefixed "Url*" as DSPAM's URL context tokens are. For
// "https://user@Mail.Example.co.uk:8080/Offer/claim.php?id=7#top":
//   Url*https                        the scheme
//   Url*userinfo                     credentials before the host (a phishing trick)
//   Url*mail.example.co.uk           the host, then each of its parent domains:
//   Url*example.co.uk, Url*co.uk, Url*uk
//   Url*:8080                        an explicit port
//   Url*offer, Url*claim.php, Url*id  words of the path and query (lexer rules)
// A host written as an address (IPv4, IPv6, a bare number) adds Url*ip-host
// and no parent domains. "mailto:" URLs give the scheme and the address's
// domain; other schemes without "//" only the scheme. The fragment is
// ignored.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "classifier/lexer.h"
#include "classifier/token_output.h"

namespace dspamd {

constexpr std::string_view k_url_prefix = "Url*";
constexpr std::size_t k_max_url_bytes = 2048;  // longer URLs are cut there
constexpr std::size_t k_max_url_words = 16;    // path words kept per URL
constexpr std::size_t k_max_host_labels = 10;  // host tokens per URL
constexpr std::size_t k_max_scheme_bytes = 16;
constexpr std::size_t k_max_host_bytes = 253;  // RFC 1035

class UrlTokenizer {
public:
    explicit UrlTokenizer(TokenOutput& out) : m_out(out) {}

    // Returns false when the output asked to stop.
    bool add(std::string_view url);

private:
    bool emit(std::string_view piece);
    bool add_host(std::string_view host);

    TokenOutput& m_out;
    std::string m_host;
    WordList m_words;
};

}  // namespace dspamd
