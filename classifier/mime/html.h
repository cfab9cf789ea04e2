// HTML to text, the way a reader sees it: tags removed (block tags leave a
// line break so words on both sides stay apart, inline tags leave nothing),
// comments removed without leaving a space (spammers write
// "vi<!-- x -->agra"; one never closed ends at the next '>' so that the
// text after it is not lost), <script> and <style> contents dropped, character
// references decoded. Tag names and the URLs of href/src/action attributes
// are collected as features. Input and output are UTF-8.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dspamd::mime {

// Bounds on what one message may add, checked before each addition.
constexpr std::size_t k_max_html_tags = 20000;
constexpr std::size_t k_max_urls = 2000;
constexpr std::size_t k_max_url_bytes = 2048;

struct HtmlSink {
    std::string& text;
    std::vector<std::string>& tags;
    std::vector<std::string>& urls;
    std::size_t max_text;  // bytes of text this call may add
};

struct HtmlReport {
    bool truncated = false;             // max_text reached
    bool unterminated_comment = false;  // "<!--" without "-->": ended at the next '>'
    bool unterminated_tag = false;      // input ended inside a tag
};

HtmlReport html_to_text(std::string_view html, HtmlSink sink);

// Decodes the character reference at in[0] == '&' into `out`; returns the
// bytes consumed, or 0 when it is not a reference (the '&' is then literal).
std::size_t decode_entity(std::string_view in, std::string& out);

}  // namespace dspamd::mime
