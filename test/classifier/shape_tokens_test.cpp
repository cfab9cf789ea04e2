// Tests of classifier/shape_tokens.h on hand-built texts.
#include "classifier/shape_tokens.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "classifier/tokenizer.h"

namespace dspamd {
namespace {

TextShape shape_of(std::vector<std::string> texts) {
    std::vector<TextPart> parts;
    for (std::string& text : texts) {
        parts.push_back({"text/plain", std::move(text)});
    }
    return measure_shape(parts);
}

std::vector<std::string> tokens_of(const TextShape& shape) {
    std::vector<std::string> out;
    const TokenSink sink = [&out](std::string_view text) { out.emplace_back(text); };
    TokenOutput output(100, &sink, nullptr, false);
    CHECK(add_shape_tokens(shape, output));
    return out;
}

TEST_CASE("shape: words of three or more letters, the ones in capitals, '!', currency signs, bytes") {
    const TextShape shape = shape_of({"FREE money!! Act NOW, ok? $5 or €4", "CALL US"});
    CHECK(shape.words == 5);          // FREE money Act NOW CALL; ok, or, US are short
    CHECK(shape.capital_words == 3);  // FREE NOW CALL
    CHECK(shape.bangs == 2);
    CHECK(shape.currency_signs == 2);
    CHECK(shape.bytes == std::string("FREE money!! Act NOW, ok? $5 or €4").size() + 7);
}

TEST_CASE("shape: a word is letters of any script, and only ASCII capitals are capitals") {
    CHECK(shape_of({"ÉTÉ"}).capital_words == 0);  // a word, not in ASCII capitals
    CHECK(shape_of({"ÉTÉ"}).words == 1);
    CHECK(shape_of({"ＦＲＥＥ"}).capital_words == 0);  // fullwidth look-alikes
    CHECK(shape_of({"FR\u200bEE"}).capital_words == 1);  // a zero-width space does not split it
    CHECK(shape_of({"FR3E"}).words == 0);  // a digit ends the run: "FR", "E"
    CHECK(shape_of({}) == TextShape{});
}

TEST_CASE("shape: bands") {
    CHECK(power_band(0) == 0);
    CHECK(power_band(1) == 1);
    CHECK(power_band(3) == 2);
    CHECK(power_band(4) == 3);
    CHECK(power_band(1000) == 10);
    const auto caps = [](std::size_t capitals, std::size_t words) {
        return capitals_band(TextShape{.words = words, .capital_words = capitals});
    };
    CHECK(caps(0, 100) == 0);
    CHECK(caps(0, 0) == 0);
    CHECK(caps(2, 100) == 1);
    CHECK(caps(3, 100) == 2);
    CHECK(caps(9, 100) == 2);
    CHECK(caps(10, 100) == 3);
    CHECK(caps(25, 100) == 4);
    CHECK(caps(1, 1) == 4);
}

TEST_CASE("shape: four tokens, their names and bands") {
    CHECK(tokens_of(shape_of({"WIN CASH now!!! $$$"})) ==
          std::vector<std::string>{"Shape*caps=4", "Shape*bang=2", "Shape*currency=2",
                                   "Shape*length=5"});
    CHECK(tokens_of(shape_of({""})) ==
          std::vector<std::string>{"Shape*caps=0", "Shape*bang=0", "Shape*currency=0",
                                   "Shape*length=0"});
    CHECK(tokens_of(TextShape{}).size() == k_shape_tokens);
}

TEST_CASE("shape: the tokenizer gives them before the text, and none without text") {
    ParsedMessage message;
    message.headers.push_back({"Subject", "hello"});
    std::vector<std::string> names;
    const TokenSink sink = [&names](std::string_view text) { names.emplace_back(text); };
    tokenize(message, TokenizerParams{}, sink);
    CHECK(names == std::vector<std::string>{"Header*Subject", "Subject*hello"});
    message.texts.push_back({"text/plain", "hi THERE"});
    names.clear();
    tokenize(message, TokenizerParams{}, sink);
    CHECK(names == std::vector<std::string>{"Header*Subject", "Subject*hello", "Shape*caps=4",
                                            "Shape*bang=0", "Shape*currency=0", "Shape*length=4",
                                            "hi", "there", "hi+there"});
}

}  // namespace
}  // namespace dspamd
