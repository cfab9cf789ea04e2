// Tests of classifier/mime/charset.cpp: conversion to UTF-8, aliases,
// unknown charsets and invalid input.
#include "classifier/mime/charset.h"

#include <doctest/doctest.h>

using namespace dspamd::mime;

namespace {

std::string convert(std::string_view charset, std::string_view in, ConvertReport& report,
                    std::size_t max = 1 << 20) {
    std::string out;
    append_utf8(charset, in, out, max, report);
    return out;
}

}  // namespace

TEST_CASE("charset: ASCII passes through in any ASCII superset") {
    ConvertReport r;
    CHECK(convert("iso-8859-2", "plain text", r) == "plain text");
    CHECK(convert("\"UTF-8\"", "plain text", r) == "plain text");
    CHECK_FALSE(r.unknown_charset);
}

TEST_CASE("charset: iso-8859-1 and us-ascii read as windows-1252") {
    ConvertReport r;
    CHECK(convert("ISO-8859-1", "caf\xE9 \x93quoted\x94 \x80", r) ==
          "café \xE2\x80\x9Cquoted\xE2\x80\x9D €");
    CHECK(convert("us-ascii", "na\xEFve", r) == "naïve");
    CHECK(r.replaced == 0);
}

TEST_CASE("charset: us-ascii label on UTF-8 bytes keeps the UTF-8") {
    ConvertReport r;
    CHECK(convert("us-ascii", "na\xC3\xAFve", r) == "naïve");
}

TEST_CASE("charset: aliases real mail uses") {
    ConvertReport r;
    // 中文 in GBK, labelled gb2312 (GBK is what senders actually use).
    CHECK(convert("gb2312", "\xD6\xD0\xCE\xC4", r) == "中文");
    // 한국 in CP949 labelled ks_c_5601-1987.
    CHECK(convert("ks_c_5601-1987", "\xC7\xD1\xB1\xB9", r) == "한국");
    CHECK(convert("koi8-r", "\xF0\xD2\xC9\xD7\xC5\xD4", r) == "Привет");
    CHECK(convert("shift_jis", "\x93\xFA\x96\x7B", r) == "日本");
    CHECK(convert("iso-2022-jp", "\x1B$BF|K\\\x1B(B", r) == "日本");
    CHECK(convert("GB2312_CHARSET", "\xD6\xD0\xCE\xC4", r) == "中文");
    CHECK_FALSE(r.unknown_charset);
}

TEST_CASE("charset: UTF-16 is not taken for ASCII") {
    ConvertReport r;
    CHECK(convert("utf-16le", std::string_view("h\0i\0", 4), r) == "hi");
}

TEST_CASE("charset: unknown charset keeps valid UTF-8, else windows-1252") {
    ConvertReport r;
    CHECK(convert("x-no-such-charset", "\xC3\xA9t\xC3\xA9", r) == "été");
    CHECK(r.unknown_charset);
    ConvertReport r2;
    CHECK(convert("x-no-such-charset", "\xE9t\xE9", r2) == "été");
    ConvertReport r3;
    CHECK(convert("bad/name//TRANSLIT", "\xE9", r3) == "é");
    CHECK(r3.unknown_charset);
}

TEST_CASE("charset: invalid UTF-8 replaced byte by byte, words not merged") {
    ConvertReport r;
    CHECK(convert("utf-8", "one\xFFtwo \xC3", r) == "one\xEF\xBF\xBDtwo \xEF\xBF\xBD");
    CHECK(r.replaced == 2);
    ConvertReport r2;
    CHECK(convert("utf-8", "a\xED\xA0\x80z", r2) ==
          "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDz");  // surrogates are invalid
}

TEST_CASE("charset: invalid bytes in an iconv charset are replaced") {
    ConvertReport r;
    CHECK(convert("shift_jis", "a\x81", r).find("\xEF\xBF\xBD") != std::string::npos);
    CHECK(r.replaced >= 1);
}

TEST_CASE("charset: output bounded without cutting a sequence") {
    ConvertReport r;
    const std::string out = convert("iso-8859-1", "\xE9\xE9\xE9", r, 5);
    CHECK(out == "éé");
    CHECK(r.truncated);
    CHECK(is_valid_utf8(out));
}

TEST_CASE("charset: helpers") {
    std::string out;
    append_code_point(0x20AC, out);
    append_code_point(0xD800, out);
    CHECK(out == "€\xEF\xBF\xBD");
    CHECK(is_valid_utf8("ok €"));
    CHECK_FALSE(is_valid_utf8("\xC0\xAF"));  // overlong
    CHECK(cp1252_code_point(0x80) == 0x20AC);
    std::string cut = "aé";
    truncate_utf8(cut, 2);
    CHECK(cut == "a");
}
