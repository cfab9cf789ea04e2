// Tests of classifier/tokenizer.h and its stages (lexer, n-grams, header and
// URL tokens) on small hand-built ParsedMessages, with the exact tokens
// expected in emission order.
#include "classifier/tokenizer.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "classifier/hash.h"
#include "classifier/header_tokens.h"
#include "classifier/shape_tokens.h"
#include "classifier/token_output.h"

namespace dspamd {
namespace {

using Tokens = std::vector<std::string>;

TokenizerParams params_for(TokenizerKind kind) {
    TokenizerParams params;
    params.kind = kind;
    return params;
}

// Every token but the text's shape (shape_tokens.h, tested on its own).
Tokens dump(const ParsedMessage& message, const TokenizerParams& params) {
    Tokens out;
    tokenize(message, params, [&out](std::string_view text) {
        if (!text.starts_with("Shape*")) {
            out.emplace_back(text);
        }
    });
    return out;
}

// The Shape* tokens the message gives (shape_tokens.h, tested on its own).
std::vector<Token> shape_tokens_of(const ParsedMessage& message) {
    std::vector<Token> out;
    tokenize(message, TokenizerParams{}, [&out](std::string_view text) {
        if (text.starts_with("Shape*")) {
            out.push_back(token_hash(text));
        }
    });
    return out;
}

ParsedMessage body(std::string text) {
    ParsedMessage message;
    message.texts.push_back({"text/plain", std::move(text)});
    return message;
}

ParsedMessage with_header(std::string name, std::string value) {
    ParsedMessage message;
    message.headers.push_back({std::move(name), std::move(value)});
    return message;
}

Tokens words_of(const std::string& text) {
    return dump(body(text), params_for(TokenizerKind::word));
}

TEST_CASE("word: words, inner characters, trailing '!'") {
    CHECK(
        words_of("Hello, World!!! Don't e-mail me at 3.14 o'clock. I said--no.") ==
        Tokens{"hello", "world!", "don't", "e-mail", "me", "at", "3.14", "o'clock", "said", "no"});
}

TEST_CASE("word: inner characters only between word characters") {
    CHECK(words_of("'quoted' -dash- end. ...dots... a_b __ x") ==
          Tokens{"quoted", "dash", "end", "dots", "a_b"});
}

TEST_CASE("word: length limits") {
    const std::string long_word(k_max_word_chars + 1, 'x');
    const std::string max_word(k_max_word_chars, 'y');
    CHECK(words_of("a " + long_word + " " + max_word + " ok") == Tokens{max_word, "ok"});
}

TEST_CASE("word: numbers keep their shape past four digits, IPv4 addresses stay") {
    CHECK(words_of("Call 555-123-4567 now: $1,000,000 or 2026, 1,5 at 192.168.10.1 on 12345") ==
          Tokens{"call", "000-000-0000", "now", "$0,000,000", "or", "2026", "1,5", "at",
                 "192.168.10.1", "on", "00000"});
}

TEST_CASE("word: currency signs are word characters") {
    CHECK(words_of("only $99 or 50€ $$$") == Tokens{"only", "$99", "or", "50€", "$$$"});
}

TEST_CASE("word: UTF-8 words are lower-cased in any script") {
    CHECK(words_of("Größe ÉTÉ Привет ΚΑΛΗΜΕΡΑ Ťažký") ==
          Tokens{"größe", "été", "привет", "καλημερα", "ťažký"});
}

TEST_CASE("word: look-alikes and zero-width tricks are undone") {
    // fullwidth, zero-width space inside a word, soft hyphen, mathematical bold,
    // circled letters, typographic apostrophe
    CHECK(words_of("ＦＲＥＥ V\u200Biagra Vi\u00ADagra \U0001D401\U0001D400\U0001D40D\U0001D40A "
                   "\u24B8\u24BE\u24C7 don\u2019t") ==
          Tokens{"free", "viagra", "viagra", "bank", "cir", "don't"});
}

TEST_CASE("word: CJK text becomes overlapping bigrams, emoji one token each") {
    CHECK(words_of("日本語のテキスト") ==
          Tokens{"日本", "本語", "語の", "のテ", "テキ", "キス", "スト"});
    CHECK(words_of("价 格 iPhone価格") == Tokens{"价", "格", "iphone", "価格"});
    CHECK(words_of("Hot🔥🔥 deal✅") == Tokens{"hot", "🔥", "🔥", "deal", "✅"});
}

TEST_CASE("word: malformed UTF-8 separates words and never crashes") {
    CHECK(words_of("ab\xFF\xFE"
                   "cd \xC3 ef \xE2\x82 gh \xF0\x9F\x94") == Tokens{"ab", "cd", "ef", "gh"});
    CHECK(words_of("\xC0\xAF\xED\xA0\x80zz").size() == 1);  // overlong and surrogate
    CHECK(words_of(std::string("a\0b cd", 6)) == Tokens{"cd"});
}

TEST_CASE("word: '=' joins words in header values only") {
    CHECK(words_of("spf=pass a==b") == Tokens{"spf", "pass"});
    CHECK(dump(with_header("X-Test", "spf=pass a==b x="), params_for(TokenizerKind::word)) ==
          Tokens{"Header*X-Test", "X-Test*spf=pass"});
}

TEST_CASE("chain: each word, then the pair ending with it") {
    CHECK(dump(body("buy cheap pills"), params_for(TokenizerKind::chain)) ==
          Tokens{"buy", "cheap", "buy+cheap", "pills", "cheap+pills"});
}

TEST_CASE("osb: each word and its skip-bigrams with the next four words") {
    CHECK(dump(body("aa bb cc dd ee ff"), params_for(TokenizerKind::osb)) ==
          Tokens{"aa",    "aa+bb",   "aa+#+cc", "aa+#+#+dd", "aa+#+#+#+ee",
                 "bb",    "bb+cc",   "bb+#+dd", "bb+#+#+ee", "bb+#+#+#+ff",
                 "cc",    "cc+dd",   "cc+#+ee", "cc+#+#+ff", "dd",
                 "dd+ee", "dd+#+ff", "ee",      "ee+ff",     "ff"});
}

TEST_CASE("sbph: every subset of the window that keeps its first word") {
    CHECK(dump(body("aa bb cc"), params_for(TokenizerKind::sbph)) ==
          Tokens{"aa", "aa+bb", "aa+#+cc", "aa+bb+cc", "bb", "bb+cc", "cc"});
    const Tokens five = dump(body("aa bb cc dd ee"), params_for(TokenizerKind::sbph));
    REQUIRE(five.size() == 16 + 8 + 4 + 2 + 1);
    CHECK(Tokens(five.begin(), five.begin() + 16) ==
          Tokens{"aa", "aa+bb", "aa+#+cc", "aa+bb+cc", "aa+#+#+dd", "aa+bb+#+dd", "aa+#+cc+dd",
                 "aa+bb+cc+dd", "aa+#+#+#+ee", "aa+bb+#+#+ee", "aa+#+cc+#+ee", "aa+bb+cc+#+ee",
                 "aa+#+#+dd+ee", "aa+bb+#+dd+ee", "aa+#+cc+dd+ee", "aa+bb+cc+dd+ee"});
}

TEST_CASE("the n-gram window restarts at each text part") {
    ParsedMessage message = body("aa bb");
    message.texts.push_back({"text/html", "cc"});
    CHECK(dump(message, params_for(TokenizerKind::chain)) == Tokens{"aa", "bb", "aa+bb", "cc"});
}

TEST_CASE("headers: presence token, then words prefixed with the canonical name") {
    ParsedMessage message = with_header("x-mailer", "Foo 2.0");
    message.headers.push_back({"X-MAILER-VERSION", "Free money"});
    CHECK(dump(message, params_for(TokenizerKind::osb)) ==
          Tokens{"Header*X-Mailer", "X-Mailer*foo", "X-Mailer*foo+2.0", "X-Mailer*2.0",
                 "Header*X-Mailer-Version", "X-Mailer-Version*free",
                 "X-Mailer-Version*free+money", "X-Mailer-Version*money"});
    CHECK(dump(message, params_for(TokenizerKind::chain)) ==
          Tokens{"Header*X-Mailer", "X-Mailer*foo", "X-Mailer*2.0", "X-Mailer*foo+2.0",
                 "Header*X-Mailer-Version", "X-Mailer-Version*free",
                 "X-Mailer-Version*money", "X-Mailer-Version*free+money"});
}

TEST_CASE("headers: each header has its own n-gram window") {
    ParsedMessage message = with_header("Subject", "aa");
    message.headers.push_back({"Subject", "bb"});
    CHECK(dump(message, params_for(TokenizerKind::chain)) ==
          Tokens{"Header*Subject", "Subject*aa", "Header*Subject", "Subject*bb"});
}

TEST_CASE("headers: '=' stays inside header words") {
    CHECK(dump(with_header("Authentication-Results", "mx.example.org; spf=pass dkim=fail"),
               params_for(TokenizerKind::word)) ==
          Tokens{"Header*Authentication-Results", "Authentication-Results*mx.example.org",
                 "Authentication-Results*spf=pass", "Authentication-Results*dkim=fail"});
}

TEST_CASE("headers: the default list ignores other filters' verdicts") {
    ParsedMessage message;
    for (const char* name :
         {"X-Spam-Status", "X-SPAM-FLAG", "X-DSPAM-Result", "x-virus-scanned", "X-Bogosity",
          "X-CRM114-Status", "X-Barracuda-Spam-Score", "X-Proofpoint-Spam-Details",
          "X-MailScanner-SpamCheck", "X-Example-MailScanner-SpamCheck", "X-Quarantine-ID",
          "X-Spamd-Result", "X-Microsoft-Antispam", "Status", "X-UID"}) {
        message.headers.push_back({name, "Yes, score=9.9"});
    }
    message.headers.push_back({"Subject", "hi there"});
    CHECK(dump(message, params_for(TokenizerKind::word)) ==
          Tokens{"Header*Subject", "Subject*hi", "Subject*there"});
}

TEST_CASE("headers: ignored_headers can be replaced") {
    TokenizerParams params = params_for(TokenizerKind::word);
    params.ignored_headers = {"subj*", "X-Spam-Status"};
    ParsedMessage message = with_header("Subject", "hi there");
    message.headers.push_back({"X-Spam-Flag", "YES"});
    CHECK(dump(message, params) == Tokens{"Header*X-Spam-Flag", "X-Spam-Flag*yes"});
}

TEST_CASE("header_name_matches: case-insensitive glob") {
    CHECK(header_name_matches("X-Spam-*", "x-spam-status"));
    CHECK(header_name_matches("X-Spam-*", "X-Spam-"));
    CHECK_FALSE(header_name_matches("X-Spam-*", "X-Spam"));
    CHECK(header_name_matches("X-*MailScanner*", "X-Acme-MailScanner-ID"));
    CHECK(header_name_matches("X-Bogosity", "X-BOGOSITY"));
    CHECK_FALSE(header_name_matches("X-Bogosity", "X-Bogosity2"));
    CHECK(header_name_matches("*", ""));
    CHECK_FALSE(header_name_matches("", "a"));
}

TEST_CASE("canonical_header_name") {
    std::string name;
    canonical_header_name("mESSAGE-iD", name);
    CHECK(name == "Message-Id");
    canonical_header_name("x--y-", name);
    CHECK(name == "X--Y-");
    canonical_header_name("", name);
    CHECK(name.empty());
}

TEST_CASE("headers: message ids give their domain only") {
    ParsedMessage message = with_header("Message-ID", "<CAF=x81k2@Mail.Example.com>");
    message.headers.push_back({"References", "<a@one.example> <b@two.example.>\n <junk> <c@x y>"});
    CHECK(dump(message, params_for(TokenizerKind::osb)) ==
          Tokens{"Header*Message-Id", "Message-Id*mail.example.com", "Header*References",
                 "References*one.example", "References*two.example", "References*x"});
}

TEST_CASE("headers: Date gives its zone only") {
    auto date_tokens = [](const std::string& value) {
        return dump(with_header("Date", value), params_for(TokenizerKind::osb));
    };
    CHECK(date_tokens("Sat, 21 Nov 2026 16:07:26 +0100 (CET)") ==
          Tokens{"Header*Date", "Date*+0100"});
    CHECK(date_tokens("21 Nov 2026 16:07:26 GMT") == Tokens{"Header*Date", "Date*gmt"});
    CHECK(date_tokens("yesterday at noon-ish 12") == Tokens{"Header*Date"});
}

TEST_CASE("headers: Received loses its date and queue id") {
    CHECK(dump(with_header("Received",
                           "from mx.example.com (mx.example.com [203.0.113.5]) by mail.example.org "
                           "with ESMTPS id 4AbC12xYz for <bob@example.org>; Sat, 21 Nov 2026"),
               params_for(TokenizerKind::word)) ==
          Tokens{"Header*Received", "Received*from", "Received*mx.example.com",
                 "Received*mx.example.com", "Received*203.0.113.5", "Received*by",
                 "Received*mail.example.org", "Received*with", "Received*esmtps", "Received*id",
                 "Received*for", "Received*bob", "Received*example.org"});
}

TEST_CASE("headers: signatures give their d= and s= tags") {
    CHECK(dump(with_header("DKIM-Signature",
                           "v=1; a=rsa-sha256; d=Example.com; s=sel1;\n\tbh=abc+/=; b=xyz/+"),
               params_for(TokenizerKind::osb)) ==
          Tokens{"Header*Dkim-Signature", "Dkim-Signature*d=example.com", "Dkim-Signature*s=sel1"});
}

TEST_CASE("headers: MIME type and parameters") {
    ParsedMessage message = with_header(
        "Content-Type", "multipart/mixed; boundary=\"=_a;b\"; charset=\"UTF-8\"; size=12345");
    message.part_headers.push_back({"Content-Type", "Image/GIF; name=\"Offer 2026.GIF\""});
    message.part_headers.push_back({"Content-Disposition", "attachment; filename*0*=utf-8''x.exe"});
    message.part_headers.push_back({"Content-Transfer-Encoding", "Base64"});
    message.part_headers.push_back({"Content-Disposition", "inline; filename=noext"});
    CHECK(dump(message, params_for(TokenizerKind::osb)) ==
          Tokens{"Header*Content-Type", "Content-Type*multipart/mixed", "Content-Type*boundary",
                 "Content-Type*charset=utf-8", "Content-Type*size", "Content-Type*image/gif",
                 "Content-Type*name=.gif", "Content-Disposition*attachment",
                 "Content-Disposition*filename=.exe", "Content-Transfer-Encoding*base64",
                 "Content-Disposition*inline", "Content-Disposition*filename"});
}

TEST_CASE("headers: opaque blobs count by presence, bad names by one token") {
    ParsedMessage message = with_header("X-Google-Smtp-Source", "AGHT+IFk3x/Zq9+8dW==");
    message.headers.push_back({"Bad Name", "value"});
    message.headers.push_back({"", "value"});
    CHECK(dump(message, params_for(TokenizerKind::osb)) ==
          Tokens{"Header*X-Google-Smtp-Source", "Header*invalid-name", "Header*invalid-name"});
}

TEST_CASE("urls: scheme, host and parent domains, port, path words") {
    ParsedMessage message;
    message.urls = {"https://user@Mail.Example.co.uk:8080/Offer/claim.php?id=7#top",
                    "www.example.com",
                    "http://192.0.2.7/x1",
                    "mailto:Sales@Shop.Example?subject=hi",
                    "javascript:alert(1)",
                    "http://[2001:db8::1]:80/"};
    CHECK(dump(message, params_for(TokenizerKind::osb)) == Tokens{"Url*https",
                                                                  "Url*userinfo",
                                                                  "Url*mail.example.co.uk",
                                                                  "Url*example.co.uk",
                                                                  "Url*co.uk",
                                                                  "Url*uk",
                                                                  "Url*:8080",
                                                                  "Url*offer",
                                                                  "Url*claim.php",
                                                                  "Url*id",
                                                                  "Url*www.example.com",
                                                                  "Url*example.com",
                                                                  "Url*com",
                                                                  "Url*http",
                                                                  "Url*192.0.2.7",
                                                                  "Url*ip-host",
                                                                  "Url*x1",
                                                                  "Url*mailto",
                                                                  "Url*shop.example",
                                                                  "Url*example",
                                                                  "Url*javascript",
                                                                  "Url*http",
                                                                  "Url*2001:db8::1",
                                                                  "Url*ip-host",
                                                                  "Url*:80"});
}

TEST_CASE("urls: addresses, padded hosts, malformed hosts") {
    ParsedMessage message;
    message.urls = {"http://a.b.c.d.e.f.g.h.i.j.k.evil.example/",
                    "http://123.example.com",
                    "http://0x7f.1/",
                    "http://x/",
                    "http://a..b/",
                    "http://.a/",
                    "http://ex%41.com/"};
    CHECK(dump(message, params_for(TokenizerKind::osb)) ==
          Tokens{"Url*http",
                 "Url*a.b.c.d.e.f.g.h.i.j.k.evil.example",
                 "Url*e.f.g.h.i.j.k.evil.example",
                 "Url*f.g.h.i.j.k.evil.example",
                 "Url*g.h.i.j.k.evil.example",
                 "Url*h.i.j.k.evil.example",
                 "Url*i.j.k.evil.example",
                 "Url*j.k.evil.example",
                 "Url*k.evil.example",
                 "Url*evil.example",
                 "Url*example",
                 "Url*http",
                 "Url*123.example.com",
                 "Url*example.com",
                 "Url*com",
                 "Url*http",
                 "Url*0x7f.1",
                 "Url*ip-host",
                 "Url*http",
                 "Url*x",
                 "Url*http",
                 "Url*http",
                 "Url*http"});
}

TEST_CASE("html tags") {
    ParsedMessage message;
    message.html_tags = {"html", "FONT", "a", "bad tag", ""};
    CHECK(dump(message, params_for(TokenizerKind::osb)) ==
          Tokens{"Html*html", "Html*font", "Html*a"});
}

TEST_CASE("order: headers, part headers, the Subject, texts, urls, tags") {
    ParsedMessage message = with_header("Subject", "hi");
    message.headers.push_back({"X-Mailer", "mutt"});
    message.part_headers.push_back({"Content-Transfer-Encoding", "7bit"});
    message.texts.push_back({"text/plain", "body"});
    message.urls.push_back("http://ex.ample");
    message.html_tags.push_back("p");
    CHECK(dump(message, params_for(TokenizerKind::word)) ==
          Tokens{"Header*X-Mailer", "X-Mailer*mutt", "Content-Transfer-Encoding*7bit",
                 "Header*Subject", "Subject*hi", "body", "Url*http", "Url*ex.ample", "Url*ample",
                 "Html*p"});
}

TEST_CASE("max_tokens: the first new token past the limit ends the message") {
    TokenizerParams params = params_for(TokenizerKind::word);
    params.max_tokens = k_shape_tokens + 3;  // the text's shape comes first
    const ParsedMessage message = body("aa bb aa cc aa dd ee");
    CHECK(dump(message, params) == Tokens{"aa", "bb", "aa", "cc", "aa"});
    const MessageTokens collected = collect_tokens(message, params, true);
    CHECK(collected.tokens.size() == k_shape_tokens + 3);
    CHECK(collected.names.size() == k_shape_tokens + 3);
    CHECK(collected.names.count(token_hash("dd")) == 0);

    params.max_tokens = 0;
    CHECK(dump(message, params).empty());
    CHECK(collect_tokens(message, params, false).tokens.empty());
}

TEST_CASE("collect_tokens: distinct, sorted, names only when asked") {
    const ParsedMessage message = body("zz yy zz xx yy");
    const TokenizerParams params = params_for(TokenizerKind::chain);
    const MessageTokens with_names = collect_tokens(message, params, true);
    std::vector<Token> expected;
    for (const char* text : {"zz", "yy", "xx", "zz+yy", "yy+zz", "zz+xx", "xx+yy"}) {
        expected.push_back(token_hash(text));
    }
    for (Token shape : shape_tokens_of(message)) {
        expected.push_back(shape);
    }
    std::sort(expected.begin(), expected.end());
    CHECK(with_names.tokens == expected);
    CHECK(std::is_sorted(with_names.tokens.begin(), with_names.tokens.end()));
    REQUIRE(with_names.names.size() == expected.size());
    CHECK(with_names.names.at(token_hash("zz+yy")) == "zz+yy");

    const MessageTokens without_names = collect_tokens(message, params, false);
    CHECK(without_names.tokens == expected);
    CHECK(without_names.names.empty());
}

TEST_CASE("collect_tokens: the headers' tokens, MIME part headers included, are listed apart") {
    ParsedMessage message = with_header("X-Mailer", "hi");
    message.part_headers.push_back({"Content-Transfer-Encoding", "7bit"});
    message.texts.push_back({"text/plain", "hi there"});
    TokenizerParams params = params_for(TokenizerKind::word);
    const MessageTokens collected = collect_tokens(message, params, false);
    std::vector<Token> expected;
    for (const char* text : {"Header*X-Mailer", "X-Mailer*hi", "Content-Transfer-Encoding*7bit"}) {
        expected.push_back(token_hash(text));
    }
    std::sort(expected.begin(), expected.end());
    CHECK(collected.header_tokens == expected);
    // and "hi", "there" from the body, after its shape
    CHECK(collected.tokens.size() == 5 + k_shape_tokens);
    CHECK(std::includes(collected.tokens.begin(), collected.tokens.end(), expected.begin(),
                        expected.end()));
    // Headers that fill the bound: every token kept is a header token.
    params.max_tokens = 2;
    const MessageTokens full = collect_tokens(message, params, false);
    CHECK(full.tokens.size() == 2);
    CHECK(full.header_tokens == full.tokens);
    // No header: none listed.
    CHECK(collect_tokens(body("just words"), params_for(TokenizerKind::word), false)
              .header_tokens.empty());
}

TEST_CASE("collect_tokens: each header token carries the line it came from first") {
    ParsedMessage message = with_header("X-Mailer", "mutt");
    message.headers.push_back({"X-Mailer", "mutt"});  // nothing new: a line with no token
    message.headers.push_back({"Subject", "mutt"});   // content: no line
    message.headers.push_back({"Organization", "acme mutt"});
    message.part_headers.push_back({"Content-Transfer-Encoding", "7bit"});
    const MessageTokens collected = collect_tokens(message, params_for(TokenizerKind::word), false);
    std::map<Token, std::uint16_t> line_of;
    REQUIRE(collected.header_lines.size() == collected.header_tokens.size());
    for (std::size_t k = 0; k < collected.header_tokens.size(); ++k) {
        line_of[collected.header_tokens[k]] = collected.header_lines[k];
    }
    const std::map<Token, std::uint16_t> expected{
        {token_hash("Header*X-Mailer"), 1},          {token_hash("X-Mailer*mutt"), 1},
        {token_hash("Header*Organization"), 3},      {token_hash("Organization*acme"), 3},
        {token_hash("Organization*mutt"), 3},        {token_hash("Content-Transfer-Encoding*7bit"), 4}};
    CHECK(line_of == expected);
}

TEST_CASE("collect_tokens: the Subject is content, listed with the body after the other headers") {
    ParsedMessage message = with_header("Subject", "cheap pills");
    message.headers.push_back({"X-Mailer", "mutt"});
    message.texts.push_back({"text/plain", "hello"});
    TokenizerParams params = params_for(TokenizerKind::word);
    const MessageTokens collected = collect_tokens(message, params, false);
    std::vector<Token> expected{token_hash("Header*X-Mailer"), token_hash("X-Mailer*mutt")};
    std::sort(expected.begin(), expected.end());
    CHECK(collected.header_tokens == expected);
    CHECK(std::binary_search(collected.tokens.begin(), collected.tokens.end(),
                             token_hash("Subject*pills")));
    // The Subject comes after the other headers: a bound they fill keeps
    // them, not the Subject.
    params.max_tokens = 2;
    CHECK(collect_tokens(message, params, false).tokens == expected);
}

TEST_CASE("collect_tokens: many distinct tokens stay distinct") {
    std::string text;
    for (int i = 0; i < 5000; ++i) {
        text += "w" + std::to_string(i) + " ";
    }
    TokenizerParams params = params_for(TokenizerKind::word);
    params.max_words = 0;  // no length bound, which this test is not about
    const MessageTokens collected = collect_tokens(body(text), params, false);
    CHECK(collected.tokens.size() == 5000 + k_shape_tokens);
    CHECK(std::adjacent_find(collected.tokens.begin(), collected.tokens.end()) ==
          collected.tokens.end());
}

TEST_CASE("TokenSet: distinct tokens, zero included, across growth") {
    TokenSet set;
    CHECK_FALSE(set.contains(0));
    CHECK(set.insert(0));
    CHECK_FALSE(set.insert(0));
    CHECK(set.contains(0));
    for (Token t = 1; t <= 10000; ++t) {
        // Multiples of a large power of two collide in the low bits: probing must cope.
        REQUIRE(set.insert(t << 40));
    }
    for (Token t = 1; t <= 10000; ++t) {
        REQUIRE_FALSE(set.insert(t << 40));
        REQUIRE(set.contains(t << 40));
    }
    CHECK_FALSE(set.contains(10001ULL << 40));
    CHECK(set.size() == 10001);
}

TEST_CASE("TokenSet counts occurrences, across growth, saturating") {
    TokenSet set;
    CHECK(set.count(7) == 0);
    CHECK(set.add(7) == 1);
    CHECK(set.add(7) == 2);
    CHECK(set.add(0) == 1);
    CHECK(set.add(0) == 2);
    for (Token t = 1; t <= 5000; ++t) {
        REQUIRE(set.add(t << 40) == 1);
    }
    CHECK(set.add(1ULL << 40) == 2);  // kept its count when the table grew
    CHECK(set.count(7) == 2);
    CHECK(set.count(0) == 2);
    CHECK(set.count(5001ULL << 40) == 0);
    CHECK(set.size() == 5002);
}

TEST_CASE("collect_tokens: each distinct token with how often it occurs") {
    TokenizerParams params = params_for(TokenizerKind::word);
    const MessageTokens collected = collect_tokens(body("free money free Free free"), params, true);
    REQUIRE(collected.frequencies.size() == collected.tokens.size());
    std::map<std::string, std::uint32_t> by_name;
    for (std::size_t k = 0; k < collected.tokens.size(); ++k) {
        by_name[collected.names.at(collected.tokens[k])] = collected.frequencies[k];
    }
    CHECK(by_name.at("free") == 4);  // the lexer folds case
    CHECK(by_name.at("money") == 1);
    CHECK(by_name.at("Shape*caps=0") == 1);
    CHECK(by_name.size() == 2 + k_shape_tokens);
}

TEST_CASE("an empty message gives no token") {
    CHECK(dump(ParsedMessage{}, params_for(TokenizerKind::sbph)).empty());
    CHECK(collect_tokens(ParsedMessage{}, params_for(TokenizerKind::osb), true).tokens.empty());
}

TEST_CASE("hostile input: long runs, binary bytes, huge values") {
    ParsedMessage message;
    message.headers.push_back({std::string(100000, 'X'), "x"});
    message.headers.push_back({"Content-Type", std::string(50000, ';') + "\"\\"});
    message.headers.push_back({"References", std::string(100000, '@')});
    message.headers.push_back({"Date", ""});
    message.headers.push_back({"DKIM-Signature", "d=;s;=;;d"});
    std::string binary;
    for (int i = 0; i < 100000; ++i) {
        binary.push_back(static_cast<char>(i * 7919 % 256));
    }
    message.texts.push_back({"text/plain", binary});
    message.texts.push_back({"text/plain", std::string(1000000, 'a')});
    message.texts.push_back({"text/plain", std::string(100000, '!')});
    message.urls = {"",
                    ":",
                    "http://",
                    "http://@",
                    "http://[",
                    "mailto:",
                    "a:b:c",
                    "//x",
                    "http://:99999999",
                    std::string(10000, '.'),
                    "http://" + std::string(10000, 'a') + ".com/"};
    message.html_tags = {std::string(1000, 'b')};
    for (TokenizerKind kind :
         {TokenizerKind::word, TokenizerKind::chain, TokenizerKind::osb, TokenizerKind::sbph}) {
        const MessageTokens tokens = collect_tokens(message, params_for(kind), true);
        CHECK(tokens.tokens.size() <= TokenizerParams{}.max_tokens);
        for (const auto& [token, name] : tokens.names) {
            CHECK(token == token_hash(name));
        }
    }
}

TEST_CASE("token_bound: the same length of text whatever the tokenizer, at most max_tokens") {
    TokenizerParams params;
    params.max_words = 100;
    params.kind = TokenizerKind::word;
    CHECK(token_bound(params) == 100);
    params.kind = TokenizerKind::chain;
    CHECK(token_bound(params) == 200);
    params.kind = TokenizerKind::osb;
    CHECK(token_bound(params) == 500);
    params.kind = TokenizerKind::sbph;
    CHECK(token_bound(params) == 1600);
    params.max_tokens = 300;
    CHECK(token_bound(params) == 300);
    params.max_words = 0;
    CHECK(token_bound(params) == 300);
    // And collect_tokens keeps to it.
    std::string text;
    for (int i = 0; i < 50; ++i) {
        text += "w" + std::to_string(i) + " ";
    }
    TokenizerParams words = params_for(TokenizerKind::word);
    words.max_words = 20;
    CHECK(collect_tokens(body(text), words, false).tokens.size() == 20);
}

}  // namespace
}  // namespace dspamd
