// Tests of classifier/mime/url.cpp: URLs written as plain text.
#include "classifier/mime/url.h"

#include <doctest/doctest.h>

using namespace dspamd::mime;

TEST_CASE("url: http, https and www in text, trailing punctuation trimmed") {
    std::vector<std::string> urls;
    find_text_urls("Go to http://a.example/x?y=1. Or HTTPS://b.example, or www.c.example!", urls,
                   0);
    CHECK(urls ==
          std::vector<std::string>{"http://a.example/x?y=1", "HTTPS://b.example", "www.c.example"});
}

TEST_CASE("url: www after a scheme is not found twice; words ending in http are not schemes") {
    std::vector<std::string> urls;
    find_text_urls("see http://www.d.example/ and xhttp://no.example", urls, 0);
    CHECK(urls == std::vector<std::string>{"http://www.d.example/"});
}

TEST_CASE("url: links already found in the part are not added again") {
    std::vector<std::string> urls{"http://e.example/"};
    find_text_urls("http://e.example/ http://f.example/", urls, 0);
    CHECK(urls == std::vector<std::string>{"http://e.example/", "http://f.example/"});
}

TEST_CASE("url: none in plain text") {
    std::vector<std::string> urls;
    find_text_urls("no links here: just text. www. alone", urls, 0);
    CHECK(urls.empty());
}
