// Unit tests of the known-token filter: no token it was given is ever
// reported absent, few others are reported present, and a rebuild keeps
// every token learned while the table was being scanned.
#include "storage/known_tokens.h"

#include <doctest/doctest.h>

#include <random>
#include <thread>
#include <vector>

namespace dspamd {
namespace {

std::vector<Token> random_tokens(std::size_t count, std::uint64_t seed) {
    std::mt19937_64 random(seed);
    std::vector<Token> tokens(count);
    for (Token& token : tokens) {
        token = random();
    }
    return tokens;
}

TEST_CASE("token filter: every inserted token is found, few others") {
    const std::vector<Token> inserted = random_tokens(200'000, 1);
    TokenFilter filter(inserted.size());
    CHECK(filter.capacity() >= inserted.size());
    for (const Token token : inserted) {
        filter.insert(token);
    }
    for (const Token token : inserted) {
        REQUIRE(filter.may_contain(token));
    }
    std::size_t wrong = 0;
    const std::vector<Token> others = random_tokens(200'000, 2);
    for (const Token token : others) {
        wrong += filter.may_contain(token) ? 1 : 0;
    }
    CHECK(wrong < others.size() / 500);  // about 1 in 1,500 at capacity
}

TEST_CASE("token filter: sequential tokens (small hash values) spread as well") {
    TokenFilter filter(10'000);
    for (Token token = 0; token < 10'000; ++token) {
        filter.insert(token);
    }
    std::size_t wrong = 0;
    for (Token token = 10'000; token < 110'000; ++token) {
        wrong += filter.may_contain(token) ? 1 : 0;
    }
    CHECK(wrong < 200);
}

TEST_CASE("token filter: sized within its bounds") {
    CHECK(TokenFilter(0).bytes() == 64 * 1024);
    CHECK(TokenFilter(1'000'000).bytes() == 2 * 1024 * 1024);  // 16 bits a token, power of two
    CHECK(TokenFilter(std::size_t{1} << 40).bytes() == TokenFilter::k_max_bytes);
}

TEST_CASE("known tokens: everything may exist until the first filter is built") {
    KnownTokens known;
    CHECK_FALSE(known.ready());
    CHECK(known.may_exist(42));
    const std::vector<Token> learned = {7};
    known.add(learned);  // no filter to put it in; begin_rebuild is given the queue
    CHECK(known.may_exist(12345));
}

TEST_CASE("known tokens: a rebuild keeps the queued tokens and those learned during the scan") {
    KnownTokens known;
    auto first = std::make_shared<TokenFilter>(100);
    first->insert(1);
    known.begin_rebuild({});
    known.finish_rebuild(first);
    REQUIRE(known.ready());
    CHECK(known.may_exist(1));
    CHECK_FALSE(known.may_exist(2));

    const std::vector<Token> learned_before = {2};
    known.add(learned_before);
    CHECK(known.may_exist(2));

    // Token 3 is queued (not in the table yet) when the rebuild begins; 4 is
    // learned while the table is scanned; the scan found only 1.
    const std::vector<Token> queued = {3};
    known.begin_rebuild(queued);
    const std::vector<Token> learned_during = {4};
    known.add(learned_during);
    CHECK(known.may_exist(4));  // in the old filter at once
    auto scanned = std::make_shared<TokenFilter>(100);
    scanned->insert(1);
    known.finish_rebuild(scanned);
    CHECK(known.may_exist(1));
    CHECK(known.may_exist(3));
    CHECK(known.may_exist(4));
    CHECK_FALSE(known.may_exist(2));  // neither in the table nor queued: gone
}

TEST_CASE("known tokens: a failed scan keeps the old filter with what was learned meanwhile") {
    KnownTokens known;
    known.begin_rebuild({});
    known.finish_rebuild(std::make_shared<TokenFilter>(100));
    known.begin_rebuild({});
    const std::vector<Token> learned = {9};
    known.add(learned);
    known.abort_rebuild();
    CHECK(known.may_exist(9));
    CHECK_FALSE(known.may_exist(10));
}

TEST_CASE("known tokens: adds from many threads during a rebuild are all kept") {
    KnownTokens known;
    known.begin_rebuild({});
    known.finish_rebuild(std::make_shared<TokenFilter>(1'000));
    known.begin_rebuild({});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&known, t] {
            for (Token i = 0; i < 5'000; ++i) {
                const Token token = (static_cast<Token>(t) << 32) | i;
                known.add(std::span<const Token>(&token, 1));
            }
        });
    }
    auto scanned = std::make_shared<TokenFilter>(20'000);
    threads[0].join();
    threads[1].join();
    known.finish_rebuild(scanned);  // while two threads still add
    threads[2].join();
    threads[3].join();
    for (int t = 0; t < 4; ++t) {
        for (Token i = 0; i < 5'000; ++i) {
            REQUIRE(known.may_exist((static_cast<Token>(t) << 32) | i));
        }
    }
}

}  // namespace
}  // namespace dspamd
