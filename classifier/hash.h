// The token hash: FNV-1a, 64 bit, over the UTF-8 bytes of a token's text.
//
// Tokens are stored by hash, so this function is part of the on-disk format:
// it must give the same value on every platform and in every version. FNV-1a
// is byte-oriented (no endianness or alignment questions), has published test
// vectors, and at 64 bits a user's few million tokens collide with a
// probability below 1e-6. Test vectors: test/classifier/hash_test.cpp.
#pragma once

#include <string_view>

#include "classifier/types.h"

namespace dspamd {

constexpr std::uint64_t k_fnv_offset_basis = 0xcbf29ce484222325ULL;
constexpr std::uint64_t k_fnv_prime = 0x00000100000001b3ULL;

constexpr Token token_hash(std::string_view text, std::uint64_t h = k_fnv_offset_basis) {
    for (char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= k_fnv_prime;
    }
    return h;
}

// splitmix64's finaliser: spreads every input bit over every output bit. For
// in-memory tables keyed by tokens (whose FNV bits are not uniform enough
// when masked) or by user ids (small integers); never stored.
constexpr std::uint64_t mix64(std::uint64_t x) {
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

}  // namespace dspamd
