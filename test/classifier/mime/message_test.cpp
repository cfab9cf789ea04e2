// Tests of classifier/mime/message.cpp: the MIME driver on whole messages.
#include "classifier/mime/message.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

using namespace dspamd;

namespace {

ParsedMessage parse(std::string_view raw, const MimeLimits& limits = {}) {
    return parse_message(raw, limits);
}

bool has_defect(const ParsedMessage& m, std::string_view prefix) {
    return std::any_of(m.defects.begin(), m.defects.end(),
                       [&](const std::string& d) { return d.starts_with(prefix); });
}

// The value of the last field called `name`.
std::string header(const std::vector<Header>& headers, std::string_view name) {
    std::string value = "<none>";
    for (const Header& h : headers) {
        if (h.name == name) {
            value = h.value;
        }
    }
    return value;
}

}  // namespace

TEST_CASE("message: simple text, missing Content-Type means text/plain") {
    const ParsedMessage m = parse("From x@y Mon Jun 25 2001\nSubject: Hi\nFrom: a@b\n\nHello\n");
    REQUIRE(m.headers.size() == 2);
    CHECK(m.headers[0].name == "Subject");
    REQUIRE(m.texts.size() == 1);
    CHECK(m.texts[0].media_type == "text/plain");
    CHECK(m.texts[0].text == "Hello\n");
    CHECK(m.defects.empty());
    CHECK_FALSE(m.truncated);
}

TEST_CASE("message: an untyped HTML body is read as HTML, a typed one as declared") {
    ParsedMessage m = parse("Subject: x\n\n\n<HTML><BODY>vi<!-- x -->agra<BR>now</BODY></HTML>\n");
    REQUIRE(m.texts.size() == 1);
    CHECK(m.texts[0].media_type == "text/html");
    CHECK(m.texts[0].text == "\nviagra\nnow\n\n");
    CHECK(has_defect(m, "content-type: missing, body read as HTML"));
    m = parse("Content-Type: text/plain\n\n<html>as text</html>\n");
    REQUIRE(m.texts.size() == 1);
    CHECK(m.texts[0].text == "<html>as text</html>\n");
}

TEST_CASE("message: empty input and headers only") {
    ParsedMessage m = parse("");
    CHECK(m.texts.empty());
    CHECK(has_defect(m, "empty message"));
    m = parse("Subject: only headers\r\nTo: a@b\r\n");
    CHECK(m.headers.size() == 2);
    CHECK(m.texts.empty());
}

TEST_CASE("message: raw 8-bit header read in the charset of the text") {
    const ParsedMessage m = parse(
        "Subject: \xD6\xD0\xCE\xC4\n"
        "Content-Type: multipart/mixed; boundary=b\n\n"
        "--b\nContent-Type: text/plain; charset=gb2312\n\n\xD6\xD0\xCE\xC4\n--b--\n");
    CHECK(header(m.headers, "Subject") == "中文");
    REQUIRE(m.texts.size() == 1);
    CHECK(m.texts[0].text == "中文");
    // Without a declared charset, windows-1252 is the reading.
    CHECK(header(parse("Subject: \xD6\xD0\n\nx").headers, "Subject") == "ÖÐ");
}

TEST_CASE("message: CRLF is turned into LF in texts") {
    const ParsedMessage m = parse("Subject: x\r\n\r\nline one\r\nline two\r\n");
    REQUIRE(m.texts.size() == 1);
    CHECK(m.texts[0].text == "line one\nline two\n");
}

TEST_CASE("message: 8-bit and encoded headers decoded, folding undone") {
    const ParsedMessage m =
        parse("Subject: =?utf-8?q?Vi?=\r\n =?utf-8?q?agra?= pour caf\xE9\r\n\r\nx");
    CHECK(header(m.headers, "Subject") == "Viagra pour café");
}

TEST_CASE("message: multipart/alternative with QP text and base64 HTML") {
    const ParsedMessage m = parse(
        "Content-Type: multipart/alternative; boundary=\"b1\"\n"
        "\n"
        "preamble is ignored\n"
        "--b1\n"
        "Content-Type: text/plain; charset=iso-8859-1\n"
        "Content-Transfer-Encoding: quoted-printable\n"
        "\n"
        "caf=E9 cr=\n"
        "=E8me\n"
        "--b1\n"
        "Content-Type: text/html\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        "PGEgaHJlZj0iaHR0cDovL3guZXhhbXBsZS8iPnZpPCEtLSB4IC0tPmFncmE8L2E+\n"
        "--b1--\n"
        "epilogue is ignored\n");
    REQUIRE(m.texts.size() == 2);
    CHECK(m.texts[0].media_type == "text/plain");
    CHECK(m.texts[0].text == "café crème");
    CHECK(m.texts[1].media_type == "text/html");
    CHECK(m.texts[1].text == "viagra");
    CHECK(m.html_tags == std::vector<std::string>{"a"});
    CHECK(m.urls == std::vector<std::string>{"http://x.example/"});
    CHECK(header(m.part_headers, "Content-Transfer-Encoding") == "base64");
    CHECK(m.defects.empty());
}

TEST_CASE("message: CRLF multipart; the line break before a delimiter is not text") {
    const ParsedMessage m = parse(
        "Content-Type: multipart/mixed;\r\n boundary=\"b\"\r\n\r\n"
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nfirst\r\nline\r\n"
        "--b  \r\n\r\nsecond\r\n--b--\r\n");
    REQUIRE(m.texts.size() == 2);
    CHECK(m.texts[0].text == "first\nline");
    CHECK(m.texts[1].text == "second");
    CHECK(m.defects.empty());
}

TEST_CASE("message: non-text parts contribute only their Content-* headers") {
    const ParsedMessage m = parse(
        "Content-Type: multipart/mixed; boundary=zz\n\n"
        "--zz\n"
        "Content-Type: application/octet-stream; name=\"=?utf-8?q?f=C3=BCr.exe?=\"\n"
        "Content-Transfer-Encoding: base64\n"
        "X-Other: not kept\n\n"
        "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
        "--zz--\n");
    CHECK(m.texts.empty());
    CHECK(header(m.part_headers, "Content-Type") == "application/octet-stream; name=\"für.exe\"");
    CHECK(header(m.part_headers, "X-Other") == "<none>");
}

TEST_CASE("message: RFC 2231 filename made readable in part headers") {
    const ParsedMessage m = parse(
        "Content-Type: multipart/mixed; boundary=zz\n\n--zz\n"
        "Content-Disposition: attachment; filename*=utf-8''%C3%A9t%C3%A9.pdf\n\nx\n--zz--\n");
    CHECK(header(m.part_headers, "Content-Disposition") == "attachment; filename=\"été.pdf\"");
}

TEST_CASE("message: missing closing boundary keeps the last part") {
    const ParsedMessage m =
        parse("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nfirst\n--b\n\nsecond\n");
    REQUIRE(m.texts.size() == 2);
    CHECK(m.texts[1].text == "second\n");
    CHECK(has_defect(m, "multipart: closing boundary missing"));
}

TEST_CASE("message: boundary never seen, or missing, reads the body as text") {
    ParsedMessage m = parse("Content-Type: multipart/mixed; boundary=nope\n\nJust text\n");
    REQUIRE(m.texts.size() == 1);
    CHECK(m.texts[0].text == "Just text\n");
    CHECK(has_defect(m, "multipart: boundary never seen"));
    m = parse("Content-Type: multipart/mixed\n\nAlso text\n");
    REQUIRE(m.texts.size() == 1);
    CHECK(has_defect(m, "multipart: no boundary"));
}

TEST_CASE("message: boundary written with other blanks than declared is recovered") {
    const ParsedMessage m = parse(
        "Content-Type: multipart/alternative; boundary=\"=Multipart Boundary 07\"\n\n"
        "--= Multipart Boundary 07\nContent-Type: text/plain\n\none\n"
        "--= Multipart Boundary 07--\n");
    REQUIRE(m.texts.size() == 1);
    CHECK(m.texts[0].text == "one");
    CHECK(has_defect(m, "multipart: boundary written with other blanks"));
}

TEST_CASE("message: a boundary prefix is not a boundary") {
    const ParsedMessage m = parse(
        "Content-Type: multipart/mixed; boundary=b\n\n--b\n\nkeep\n--bb not a delimiter\n"
        "--b--\n");
    REQUIRE(m.texts.size() == 1);
    CHECK(m.texts[0].text == "keep\n--bb not a delimiter");
}

TEST_CASE("message: nested multiparts and the depth limit") {
    std::string msg;
    std::string tail;
    for (int i = 0; i < 5; ++i) {
        msg += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\n\n--b" +
               std::to_string(i) + "\n";
        tail = "\n--b" + std::to_string(i) + "--\n" + tail;
    }
    msg += "Content-Type: text/plain\n\ndeep text" + tail;
    ParsedMessage m = parse(msg);
    REQUIRE(m.texts.size() == 1);
    CHECK(m.texts[0].text == "deep text");
    CHECK_FALSE(m.truncated);

    MimeLimits limits;
    limits.max_depth = 3;
    m = parse(msg, limits);
    CHECK(m.texts.empty());
    CHECK(m.truncated);
    CHECK(has_defect(m, "MIME nesting deeper than max_depth"));
}

TEST_CASE("message: part count limit") {
    std::string msg = "Content-Type: multipart/mixed; boundary=b\n\n";
    for (int i = 0; i < 50; ++i) {
        msg += "--b\n\npart " + std::to_string(i) + "\n";
    }
    msg += "--b--\n";
    MimeLimits limits;
    limits.max_parts = 10;
    const ParsedMessage m = parse(msg, limits);
    CHECK(m.texts.size() == 9);  // the top entity counts as one part
    CHECK(m.truncated);
}

TEST_CASE("message: message/rfc822 attachment") {
    const ParsedMessage m = parse(
        "Subject: outer\n"
        "Content-Type: multipart/mixed; boundary=o\n\n"
        "--o\n\nSee attached.\n"
        "--o\n"
        "Content-Type: message/rfc822\n\n"
        "Subject: =?utf-8?q?inner_=C3=A9?=\n"
        "Content-Type: text/html; charset=utf-8\n\n"
        "<p>inner &amp; body</p>\n"
        "--o--\n");
    CHECK(header(m.headers, "Subject") == "outer");
    CHECK(header(m.part_headers, "Subject") == "inner é");
    CHECK(header(m.part_headers, "Content-Type") == "text/html; charset=utf-8");
    REQUIRE(m.texts.size() == 2);
    CHECK(m.texts[0].text == "See attached.");
    CHECK(m.texts[1].text == "inner & body\n");
}

TEST_CASE("message: multipart/digest parts default to message/rfc822") {
    const ParsedMessage m = parse(
        "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nbody one\n--d--\n");
    CHECK(header(m.part_headers, "Subject") == "one");
    REQUIRE(m.texts.size() == 1);
    CHECK(m.texts[0].text == "body one");
}

TEST_CASE("message: top-level base64 HTML with meta charset and plain URLs") {
    const ParsedMessage m = parse(
        "Content-Type: text/html\n"
        "Content-Transfer-Encoding: base64\n\n"
        // <meta charset="iso-8859-1"><p>caf\xE9 www.shop.example</p>
        "PG1ldGEgY2hhcnNldD0iaXNvLTg4NTktMSI+PHA+Y2Fm6SB3d3cuc2hvcC5leGFtcGxlPC9wPg==\n");
    REQUIRE(m.texts.size() == 1);
    CHECK(m.texts[0].text == "café www.shop.example\n");
    CHECK(m.urls == std::vector<std::string>{"www.shop.example"});
    CHECK(m.html_tags == std::vector<std::string>{"meta", "p"});
}

TEST_CASE("message: bad base64 and unknown charset are defects, text still read") {
    const ParsedMessage m = parse(
        "Content-Type: text/plain; charset=x-unheard-of\n"
        "Content-Transfer-Encoding: base64\n\n"
        "SGVsbG8gY2Fm6Q==\n\n-- \nMailing list footer here\n");
    REQUIRE(m.texts.size() == 1);
    CHECK(m.texts[0].text == "Hello café");
    CHECK(has_defect(m, "base64: stopped"));
    CHECK(has_defect(m, "charset: unknown"));
}

TEST_CASE("message: unknown transfer encoding read as 8bit") {
    const ParsedMessage m = parse("Content-Transfer-Encoding: x-uue\n\ntext\n");
    REQUIRE(m.texts.size() == 1);
    CHECK(has_defect(m, "content-transfer-encoding: unknown"));
}

TEST_CASE("message: huge header block is cut at max_header_bytes") {
    std::string msg = "Subject: first\n";
    for (int i = 0; i < 20000; ++i) {
        msg += "X-Junk: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n";
    }
    msg += "\nbody text\n";
    const ParsedMessage m = parse(msg);
    CHECK(m.truncated);
    CHECK(m.headers.size() < 20000);
    CHECK(header(m.headers, "Subject") == "first");
    REQUIRE(m.texts.size() == 1);
    CHECK(m.texts[0].text == "body text\n");
}

TEST_CASE("message: max_message_bytes and max_text_bytes") {
    MimeLimits limits;
    limits.max_message_bytes = 30;
    ParsedMessage m = parse("Subject: x\n\n0123456789012345678901234567890123456789", limits);
    CHECK(m.truncated);
    REQUIRE(m.texts.size() == 1);
    CHECK(m.texts[0].text.size() == 18);

    limits = MimeLimits{};
    limits.max_text_bytes = 5;
    m = parse("Subject: x\n\n0123456789", limits);
    REQUIRE(m.texts.size() == 1);
    CHECK(m.texts[0].text == "01234");
    CHECK(m.truncated);
}

TEST_CASE("message: garbage does not crash") {
    std::string junk;
    for (int i = 0; i < 4096; ++i) {
        junk.push_back(static_cast<char>((i * 7919) & 0xff));
    }
    const ParsedMessage m = parse(junk);
    CHECK(m.texts.size() <= 1);
    const ParsedMessage n = parse("Content-Type: multipart/mixed; boundary=\"\"\n\n--\n--\n");
    CHECK(n.texts.size() == 1);
}
