// Tests of classifier/mime/header.cpp: header blocks, folding and encoded
// words.
#include "classifier/mime/header.h"

#include <doctest/doctest.h>

using namespace dspamd::mime;

namespace {

std::string decode(std::string_view value) {
    HeaderDecodeReport report;
    return decode_header_value(value, report);
}

}  // namespace

TEST_CASE("header block: LF, CRLF, folding and the body offset") {
    const std::string_view lf = "Subject: hello\n  world\nTo: a@b\n\nbody\n";
    HeaderBlock b = split_header_block(lf, false, 1 << 20, 100);
    REQUIRE(b.fields.size() == 2);
    CHECK(b.fields[0].name == "Subject");
    CHECK(unfold(b.fields[0].value) == "hello  world");
    CHECK(lf.substr(b.body_offset) == "body\n");

    const std::string_view crlf = "Subject: hello\r\n\tworld\r\nTo: a@b\r\n\r\nbody\r\n";
    b = split_header_block(crlf, false, 1 << 20, 100);
    REQUIRE(b.fields.size() == 2);
    CHECK(unfold(b.fields[0].value) == "hello\tworld");
    CHECK(unfold(b.fields[1].value) == "a@b");
    CHECK(crlf.substr(b.body_offset) == "body\r\n");
}

TEST_CASE("header block: mbox From line skipped only when allowed") {
    const std::string_view msg = "From someone@example Mon Jun 25 13:11:28 2001\nSubject: x\n\nb";
    HeaderBlock b = split_header_block(msg, true, 1 << 20, 100);
    CHECK(b.skipped_mbox_from);
    REQUIRE(b.fields.size() == 1);
    CHECK(b.fields[0].name == "Subject");
    b = split_header_block(msg, false, 1 << 20, 100);
    CHECK(b.no_blank_line);
    CHECK(b.fields.empty());
}

TEST_CASE("header block: a line that is no field starts the body") {
    const std::string_view msg = "Subject: x\nThis is the body\nmore\n";
    const HeaderBlock b = split_header_block(msg, false, 1 << 20, 100);
    CHECK(b.no_blank_line);
    CHECK(msg.substr(b.body_offset) == "This is the body\nmore\n");
}

TEST_CASE("header block: blanks before the colon, empty values, no body") {
    const HeaderBlock b = split_header_block("Subject : x\nX-Empty:\n", false, 1 << 20, 100);
    REQUIRE(b.fields.size() == 2);
    CHECK(b.fields[0].name == "Subject");
    CHECK(unfold(b.fields[1].value).empty());
    CHECK(b.body_offset == 21);
}

TEST_CASE("header block: leading continuation ignored") {
    const HeaderBlock b = split_header_block(" folded\nSubject: x\n\n", false, 1 << 20, 100);
    CHECK(b.leading_continuation);
    CHECK(b.fields.size() == 1);
}

TEST_CASE("header block: limits on bytes and fields") {
    std::string big = "Subject: x\n";
    for (int i = 0; i < 1000; ++i) {
        big += "X-Filler: 0123456789012345678901234567890123456789\n";
    }
    big += "\nbody";
    HeaderBlock b = split_header_block(big, false, 4096, 1000);
    CHECK(b.too_big);
    CHECK(b.fields.size() < 100);
    CHECK(std::string_view(big).substr(b.body_offset) == "body");
    b = split_header_block(big, false, 1 << 20, 10);
    CHECK(b.too_many);
    CHECK(b.fields.size() == 10);
    CHECK(std::string_view(big).substr(b.body_offset) == "body");
}

TEST_CASE("encoded words: B and Q") {
    CHECK(decode("=?UTF-8?B?SGVsbG8gd8O2cmxk?=") == "Hello wörld");
    CHECK(decode("=?iso-8859-1?q?caf=E9_cr=E8me?=") == "café crème");
    CHECK(decode("Re: =?utf-8?Q?=C3=A9t=C3=A9?= news") == "Re: été news");
}

TEST_CASE("encoded words: adjacent ones are joined without the blanks between") {
    CHECK(decode("=?utf-8?q?Vi?= =?utf-8?q?agra?=") == "Viagra");
    CHECK(decode("=?utf-8?q?Vi?=\t  =?iso-8859-1?q?agr=E0?=") == "Viagrà");
    CHECK(decode("=?utf-8?q?one?= and =?utf-8?q?two?=") == "one and two");
}

TEST_CASE("encoded words: a character split across two words is rebuilt") {
    // "é" is C3 A9; each half in its own word.
    CHECK(decode("=?utf-8?B?w6k=?= =?utf-8?Q?=C3?= =?utf-8?Q?=A9?=") == "éé");
}

TEST_CASE("encoded words: malformed ones are left as written") {
    CHECK(decode("=?utf-8?x?abc?=") == "=?utf-8?x?abc?=");
    CHECK(decode("=?utf-8?q?no end") == "=?utf-8?q?no end");
    CHECK(decode("=??q?a?=") == "=??q?a?=");
    CHECK(decode("=?utf-8?q?has space?=") == "=?utf-8?q?has space?=");
    CHECK(decode("=?") == "=?");
}

TEST_CASE("encoded words: unknown charset, language suffix, 8-bit raw bytes") {
    HeaderDecodeReport report;
    CHECK(decode_header_value("=?x-bogus?q?caf=C3=A9?=", report) == "café");
    CHECK(report.bad_charset);
    CHECK(decode("=?utf-8*en?q?hi?=") == "hi");
    CHECK(decode("Caf\xE9") == "Café");      // raw latin-1 in a header
    CHECK(decode("Caf\xC3\xA9") == "Café");  // raw UTF-8 in a header
}

TEST_CASE("encoded words: a header full of unclosed words is decoded in linear time") {
    std::string value;
    for (int i = 0; i < 40000; ++i) {
        value += "=?a?q?x";
    }
    CHECK(decode(value) == value);
}
