// Checks of the store's input limits, shared by every Store implementation so
// that they reject exactly the same input.
#include "storage/limits.h"

#include <stdexcept>
#include <string>

namespace dspamd {

namespace {

// PostgreSQL stores text in UTF-8 and refuses anything else; refuse it here so
// that every store rejects the same input (overlongs, surrogates included).
bool valid_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t extra = 0;
        unsigned min_code = 0;
        unsigned code = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            extra = 1;
            min_code = 0x80;
            code = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            extra = 2;
            min_code = 0x800;
            code = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) {
            extra = 3;
            min_code = 0x10000;
            code = c & 0x07u;
        } else {
            return false;
        }
        if (extra >= text.size() - i) {
            return false;
        }
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto cc = static_cast<unsigned char>(text[i + k]);
            if ((cc & 0xC0u) != 0x80u) {
                return false;
            }
            code = (code << 6) | (cc & 0x3Fu);
        }
        if (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
            return false;
        }
        i += extra + 1;
    }
    return true;
}

void check_length(std::string_view what, std::string_view value, std::size_t max_bytes,
                  bool allow_empty) {
    if (!allow_empty && value.empty()) {
        throw std::invalid_argument(std::string(what) + " must not be empty");
    }
    if (value.size() > max_bytes) {
        throw std::invalid_argument(std::string(what) + " is longer than " +
                                    std::to_string(max_bytes) + " bytes");
    }
    // PostgreSQL text cannot hold NUL; refuse it everywhere alike.
    if (value.find('\0') != std::string_view::npos) {
        throw std::invalid_argument(std::string(what) + " contains a NUL byte");
    }
    if (!valid_utf8(value)) {
        throw std::invalid_argument(std::string(what) + " is not valid UTF-8");
    }
}

}  // namespace

void check_user_name(std::string_view value) {
    check_length("user name", value, k_max_user_name_bytes, false);
}

void check_signature_id(std::string_view value) {
    check_length("signature id", value, k_max_signature_id_bytes, false);
}

void check_preference(std::string_view key, std::string_view value) {
    check_length("preference key", key, k_max_preference_key_bytes, false);
    check_length("preference value", value, k_max_preference_value_bytes, true);
}

}  // namespace dspamd
