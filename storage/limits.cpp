// Checks of the store's input limits, shared by every Store implementation so
// that they reject exactly the same input.
#include "storage/limits.h"

#include <algorithm>
#include <cmath>

#include <stdexcept>
#include <string>

#include "storage/store.h"

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

// The length of the valid UTF-8 sequence at the start of `text`, 0 if none.
std::size_t utf8_sequence(std::string_view text) {
    for (std::size_t length = 1; length <= 4 && length <= text.size(); ++length) {
        if (valid_utf8(text.substr(0, length))) {
            return length;
        }
    }
    return 0;
}

void check_text(std::string_view what, std::string_view value, std::size_t max_bytes) {
    check_length(what, value, max_bytes, true);
}

void check_probability(double probability) {
    if (!std::isfinite(probability) || probability < 0.0 || probability > 1.0) {
        throw std::invalid_argument("probability must be in [0, 1]");
    }
}

}  // namespace

std::string clean_text(std::string_view text, std::size_t max_bytes) {
    std::string out;
    out.reserve(std::min(text.size(), max_bytes));
    while (!text.empty()) {
        std::size_t length = utf8_sequence(text);
        const bool control =
            length == 1 && (static_cast<unsigned char>(text[0]) < 0x20 || text[0] == 0x7f);
        std::string_view piece =
            length == 0 || control ? std::string_view("?") : text.substr(0, length);
        if (out.size() + piece.size() > max_bytes) {
            break;
        }
        out += piece;
        text.remove_prefix(length == 0 ? 1 : length);
    }
    return out;
}

void check_history_entry(const HistoryEntry& entry) {
    if (entry.result != "Spam" && entry.result != "Innocent" && entry.result != "Whitelisted" &&
        entry.result != "Virus") {
        throw std::invalid_argument("history result must be Spam, Innocent, Whitelisted or Virus");
    }
    if (entry.action != "deliver" && entry.action != "tag" && entry.action != "quarantine" &&
        entry.action != "reject" && entry.action != "retrain") {
        throw std::invalid_argument(
            "history action must be deliver, tag, quarantine, reject or retrain");
    }
    check_text("sender", entry.sender, k_max_history_text_bytes);
    check_text("subject", entry.subject, k_max_history_text_bytes);
    check_probability(entry.probability);
    if (!entry.signature.empty()) {
        check_signature_id(entry.signature);
    }
    check_text("queue id", entry.queue_id, k_max_queue_id_bytes);
    check_text("host", entry.host, k_max_host_bytes);
}

void check_quarantine_entry(const QuarantineEntry& entry) {
    check_length("queue id", entry.queue_id, k_max_queue_id_bytes, false);
    check_text("host", entry.host, k_max_host_bytes);
    check_text("sender", entry.sender, k_max_history_text_bytes);
    if (entry.recipients.size() > k_max_quarantine_recipients) {
        throw std::invalid_argument("more than " + std::to_string(k_max_quarantine_recipients) +
                                    " recipients");
    }
    for (const std::string& recipient : entry.recipients) {
        check_length("recipient", recipient, k_max_history_text_bytes, false);
        // Stored one per line before the database splits them into an array.
        if (recipient.find('\n') != std::string::npos) {
            throw std::invalid_argument("recipient contains a line break");
        }
    }
    check_text("subject", entry.subject, k_max_history_text_bytes);
    check_probability(entry.probability);
    if (!entry.signature.empty()) {
        check_signature_id(entry.signature);
    }
    if (entry.message_size < static_cast<std::int64_t>(entry.message.size())) {
        throw std::invalid_argument("message size is smaller than the copy kept");
    }
}

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
