// Tests of classifier/mime/html.cpp: text extraction, comments, script,
// entities, tag names and URLs.
#include "classifier/mime/html.h"

#include "classifier/mime/charset.h"

#include <doctest/doctest.h>

using namespace dspamd::mime;

namespace {

struct Result {
    std::string text;
    std::vector<std::string> tags;
    std::vector<std::string> urls;
    HtmlReport report;
};

Result run(std::string_view html, std::size_t max = 1 << 20) {
    Result r;
    r.report = html_to_text(html, HtmlSink{r.text, r.tags, r.urls, max});
    return r;
}

}  // namespace

TEST_CASE("html: comments vanish without a space") {
    CHECK(run("vi<!-- x -->agra").text == "viagra");
    CHECK(run("vi<!---->agra").text == "viagra");
}

TEST_CASE("html: inline tags join, block tags separate") {
    CHECK(run("<b>Vi</b><i>agra</i>").text == "Viagra");
    CHECK(run("<p>one</p><p>two</p>").text == "one\ntwo\n");
    CHECK(run("one<br>two<BR/>three").text == "one\ntwo\nthree");
    CHECK(run("<td>cell</td><td>cell2</td>").text == "cell\ncell2\n");
}

TEST_CASE("html: script and style contents dropped") {
    CHECK(run("a<script type=x>var s = '<b>';</script>b").text == "ab");
    CHECK(run("a<STYLE>p { color: red }</sTyLe >b").text == "ab");
    CHECK(run("a<script>never closed").text == "a");
}

TEST_CASE("html: entities") {
    CHECK(run("caf&eacute; &amp; &lt;b&gt; &#233;&#xE9;&#XE9").text == "café & <b> ééé");
    CHECK(run("fr&#128;e").text == "fr€e");  // 128..159 read as windows-1252
    CHECK(run("vi&shy;ag&#8203;ra").text == "viagra");
    CHECK(run("a&nbsp;b").text == "a b");
    CHECK(run("AT&T &unknown; &").text == "AT&T &unknown; &");
    CHECK(run("&#0; &#99999999999;").text == "\xEF\xBF\xBD \xEF\xBF\xBD");
}

TEST_CASE("html: tag names collected in lower case, URLs from attributes") {
    const Result r =
        run("<HTML><body><a href=\"http://spam.example/buy?a=1&amp;b=2\">Buy</a>"
            "<img SRC='http://img.example/x.gif'><form action=http://f.example/p></form></body>");
    CHECK(r.text == "Buy\n");
    CHECK(r.tags == std::vector<std::string>{"html", "body", "a", "img", "form"});
    CHECK(r.urls == std::vector<std::string>{"http://spam.example/buy?a=1&b=2",
                                             "http://img.example/x.gif", "http://f.example/p"});
}

TEST_CASE("html: a lone '<' is text, unterminated markup ends the text") {
    CHECK(run("a < b and c<3").text == "a < b and c<3");
    Result r = run("text <!-- hidden");
    CHECK(r.text == "text ");
    CHECK(r.report.unterminated_comment);
    r = run("<b><!--#rotate>Terrific</b> offer");  // never closed: ends at the next '>'
    CHECK(r.text == "Terrific offer");
    r = run("text <a href=\"x");
    CHECK(r.text == "text ");
    CHECK(r.report.unterminated_tag);
}

TEST_CASE("html: a long URL is cut at a UTF-8 boundary (fuzzer finding)") {
    std::string html = "<a href=\"http://x.example/";
    for (int i = 0; i < 2000; ++i) {
        html += "é";
    }
    html += "\">x</a>";
    const Result r = run(html);
    REQUIRE(r.urls.size() == 1);
    CHECK(r.urls[0].size() <= k_max_url_bytes);
    CHECK(r.urls[0].size() >= k_max_url_bytes - 3);
    CHECK(is_valid_utf8(r.urls[0]));
}

TEST_CASE("html: many unclosed comments stay linear") {
    std::string html;
    for (int i = 0; i < 50000; ++i) {
        html += "<!--x>";
    }
    CHECK(run(html).text.empty());
}

TEST_CASE("html: doctype and processing instructions skipped") {
    CHECK(run("<!DOCTYPE html><?xml version=\"1.0\"?>hi").text == "hi");
}

TEST_CASE("html: text bounded") {
    const Result r = run("<p>abcdefgh</p>", 4);
    CHECK(r.text.size() <= 4);
    CHECK(r.report.truncated);
}
