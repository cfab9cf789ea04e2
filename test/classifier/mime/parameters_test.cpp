// Tests of classifier/mime/parameters.cpp: Content-Type and
// Content-Disposition parameters, RFC 2231 included.
#include "classifier/mime/parameters.h"

#include <doctest/doctest.h>

using namespace dspamd::mime;

TEST_CASE("content-type: token and parameters") {
    const StructuredValue v = parse_structured(
        "Multipart/Mixed; boundary=\"----=_Part_1\\\"x\"; CHARSET=utf-8 ; name=a.txt");
    CHECK(v.token == "multipart/mixed");
    REQUIRE(v.find("boundary") != nullptr);
    CHECK(*v.find("boundary") == "----=_Part_1\"x");
    CHECK(*v.find("charset") == "utf-8");
    CHECK(*v.find("name") == "a.txt");
    CHECK(v.find("missing") == nullptr);
}

TEST_CASE("content-type: comments and a forgotten ';' end an unquoted value") {
    CHECK(*parse_structured("text/plain; charset=us-ascii (Plain Text)").find("charset") ==
          "us-ascii");
    const StructuredValue v = parse_structured("text/plain; charset=utf-8 format=flowed");
    CHECK(*v.find("charset") == "utf-8");
}

TEST_CASE("content-type: forgotten ';' after the type, comments, quotes") {
    StructuredValue v = parse_structured("text/html charset=iso-8859-1");
    CHECK(v.token == "text/html");
    CHECK(*v.find("charset") == "iso-8859-1");
    v = parse_structured("text/plain (body) ; charset=utf-8");
    CHECK(v.token == "text/plain");
    CHECK(*v.find("charset") == "utf-8");
    CHECK(parse_structured("\"text/plain\"").token == "text/plain");
    CHECK(parse_structured("text / plain").token == "text/plain");
}

TEST_CASE("content-type: unquoted boundary with '=' and stray separators") {
    const StructuredValue v = parse_structured("multipart/alternative;; boundary=a=b=c;");
    CHECK(*v.find("boundary") == "a=b=c");
}

TEST_CASE("content-disposition: RFC 2231 filename*, sections and charset") {
    StructuredValue v = parse_structured("attachment; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt");
    CHECK(v.token == "attachment");
    CHECK(*v.find("filename") == "日本.txt");
    CHECK(v.has_extended());
    v = parse_structured(
        "attachment; filename=\"fallback\"; filename*1=\" part.pdf\"; "
        "filename*0*=iso-8859-1'fr'r%E9sum%E9");
    CHECK(*v.find("filename") == "résumé part.pdf");
    CHECK(v.render() == "attachment; filename=\"résumé part.pdf\"");
}
