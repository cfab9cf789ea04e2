// The tokenizer driver: walks a ParsedMessage in a fixed order and feeds
// each piece to its stage. The order decides what survives max_tokens
// ("first come, first kept"), so the pieces richest in evidence come first:
//   1. top-level headers but the Subject, in message order (header_tokens.h)
//   2. the Content-* headers of MIME parts and the headers of attached
//      messages (same names, no presence token)
//   3. the Subject (the headers' rules; counted with the body's tokens)
//   4. the shape of the text, "Shape*caps=2" (shape_tokens.h)
//   5. the text of each part                 (lexer.h, ngram.h; the n-gram
//                                             window restarts at each part)
//   6. URLs                                  (url_tokens.h)
//   7. HTML tag names, "Html*font"
#include <algorithm>

#include "classifier/header_tokens.h"
#include "classifier/lexer.h"
#include "classifier/ngram.h"
#include "classifier/shape_tokens.h"
#include "classifier/token_output.h"
#include "classifier/tokenizer.h"
#include "classifier/url_tokens.h"

namespace dspamd {
namespace {

constexpr std::string_view k_html_prefix = "Html*";
constexpr std::size_t k_max_header_line = 65535;  // MessageTokens::header_lines is 16-bit
constexpr std::size_t k_max_tag_name_bytes = 32;

constexpr bool is_tag_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == ':' || c == '_';
}

bool add_tag(std::string_view tag, TokenOutput& out) {
    if (tag.empty() || tag.size() > k_max_tag_name_bytes ||
        !std::all_of(tag.begin(), tag.end(), is_tag_char)) {
        return true;
    }
    std::string& text = out.text_buffer();
    text.assign(k_html_prefix);
    for (char c : tag) {
        text.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
    }
    return out.emit(text);
}

// The Subject is written by the sender like the body, while the other
// headers are mostly transport (Received, MIME, list lines) that a list
// shares between its ham and the spam relayed through it. So the Subject's
// tokens count with the body's (fisher's body test, the regression's body
// group), not with the headers'.
bool is_content_header(std::string_view name) {
    return header_name_matches("Subject", name);
}

// The top-level headers that are (`content`) or are not content, then, with
// the latter, the headers of MIME parts and attached messages. `line_ends`,
// when given, receives the count of distinct tokens after each header.
bool tokenize_headers(const ParsedMessage& message, const TokenizerParams& params,
                      TokenOutput& out, bool content,
                      std::vector<std::size_t>* line_ends = nullptr) {
    HeaderTokenizer headers(params, out);
    auto add = [&](const Header& header, bool top_level) {
        const bool more = headers.add(header, top_level);
        if (line_ends != nullptr) {
            line_ends->push_back(out.distinct_tokens());
        }
        return more;
    };
    for (const Header& header : message.headers) {
        if (is_content_header(header.name) == content && !add(header, true)) {
            return false;
        }
    }
    if (content) {
        return true;
    }
    for (const Header& header : message.part_headers) {
        if (!add(header, false)) {
            return false;
        }
    }
    return true;
}

// Headers come first, the Subject last of them; `header_line_ends`, when
// given, receives the count of distinct tokens after each header before the
// Subject (the last one: how many the headers gave).
bool tokenize_into(const ParsedMessage& message, const TokenizerParams& params, TokenOutput& out,
                   std::vector<std::size_t>* header_line_ends = nullptr) {
    if (!tokenize_headers(message, params, out, false, header_line_ends) ||
        !tokenize_headers(message, params, out, true)) {
        return false;
    }
    // Before the text, so that a long message's last words, not its shape,
    // are what max_tokens cuts. A message without text has no shape.
    if (!message.texts.empty() && !add_shape_tokens(measure_shape(message.texts), out)) {
        return false;
    }
    WordList words;
    for (const TextPart& part : message.texts) {
        words.clear();
        lex_words(part.text, LexMode::body, words);
        if (!emit_ngrams(params.kind, {}, words, out)) {
            return false;
        }
    }
    UrlTokenizer urls(out);
    for (const std::string& url : message.urls) {
        if (!urls.add(url)) {
            return false;
        }
    }
    for (const std::string& tag : message.html_tags) {
        if (!add_tag(tag, out)) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::size_t token_bound(const TokenizerParams& params) {
    if (params.max_words == 0) {
        return params.max_tokens;
    }
    std::size_t per_word = 1;
    switch (params.kind) {
        case TokenizerKind::word: per_word = 1; break;
        case TokenizerKind::chain: per_word = 2; break;
        case TokenizerKind::osb: per_word = k_sparse_window; break;
        case TokenizerKind::sbph: per_word = std::size_t{1} << (k_sparse_window - 1); break;
    }
    // max_words is at most k_max_count (config), so the product cannot wrap.
    return std::min(params.max_tokens, params.max_words * per_word);
}

void tokenize(const ParsedMessage& message, const TokenizerParams& params, const TokenSink& sink) {
    TokenOutput out(token_bound(params), &sink, nullptr, false);
    tokenize_into(message, params, out);
}

MessageTokens collect_tokens(const ParsedMessage& message, const TokenizerParams& params,
                             bool keep_names) {
    MessageTokens result;
    TokenOutput out(token_bound(params), nullptr, &result, keep_names);
    std::vector<std::size_t> line_ends;
    tokenize_into(message, params, out, &line_ends);
    // Collected in order of appearance: the headers' tokens are the first
    // ones, line by line.
    std::vector<std::pair<Token, std::uint16_t>> from_headers;
    std::size_t line = 0;
    for (std::size_t k = 0; !line_ends.empty() && k < line_ends.back(); ++k) {
        while (line_ends[line] <= k) {
            ++line;  // a header that gave no new token
        }
        from_headers.emplace_back(result.tokens[k],
                                  static_cast<std::uint16_t>(std::min<std::size_t>(line + 1, k_max_header_line)));
    }
    std::sort(from_headers.begin(), from_headers.end());
    result.header_tokens.reserve(from_headers.size());
    result.header_lines.reserve(from_headers.size());
    for (const auto& [token, header_line] : from_headers) {
        result.header_tokens.push_back(token);
        result.header_lines.push_back(header_line);
    }
    std::sort(result.tokens.begin(), result.tokens.end());
    result.frequencies.reserve(result.tokens.size());
    for (Token token : result.tokens) {
        result.frequencies.push_back(out.occurrences(token));
    }
    return result;
}

}  // namespace dspamd
