// Tests of classifier/hash.h: FNV-1a 64 against the published test vectors
// of the FNV reference code (test_fnv.c, fnv1a_64_vector), since the hash is
// part of the on-disk format.
#include "classifier/hash.h"

#include <doctest/doctest.h>

#include <string>

namespace dspamd {
namespace {

// Evaluated by the compiler: token_hash must stay usable in constant expressions.
static_assert(token_hash("") == 0xcbf29ce484222325ULL);
static_assert(token_hash("a") == 0xaf63dc4c8601ec8cULL);
static_assert(token_hash("foobar") == 0x85944171f73967e8ULL);

TEST_CASE("token_hash matches the FNV-1a 64 reference vectors") {
    CHECK(token_hash("") == 0xcbf29ce484222325ULL);
    CHECK(token_hash("a") == 0xaf63dc4c8601ec8cULL);
    CHECK(token_hash("b") == 0xaf63df4c8601f1a5ULL);
    CHECK(token_hash("foo") == 0xdcb27518fed9d577ULL);
    CHECK(token_hash("foob") == 0xdd120e790c2512afULL);
    CHECK(token_hash("fooba") == 0xcac165afa2fef40aULL);
    CHECK(token_hash("foobar") == 0x85944171f73967e8ULL);
}

TEST_CASE("the empty string hashes to the offset basis") {
    CHECK(token_hash("") == k_fnv_offset_basis);
}

TEST_CASE("token_hash is constexpr") {
    constexpr Token h = token_hash("Subject*free");
    static_assert(h == token_hash("Subject*free"));
    CHECK(h == token_hash(std::string("Subject*free")));
}

TEST_CASE("hashing continues from a previous value") {
    // token_hash(b, token_hash(a)) == token_hash(a + b): prefixes can be hashed once.
    CHECK(token_hash("bar", token_hash("foo")) == token_hash("foobar"));
}

TEST_CASE("bytes are hashed unsigned, so UTF-8 is stable across platforms") {
    const std::string text = "\xC3\xA9t\xC3\xA9";  // "été"
    Token expected = k_fnv_offset_basis;
    for (unsigned char c : text) {
        expected ^= c;
        expected *= k_fnv_prime;
    }
    CHECK(token_hash(text) == expected);
    CHECK(token_hash(text) != token_hash("ete"));
}

}  // namespace
}  // namespace dspamd
