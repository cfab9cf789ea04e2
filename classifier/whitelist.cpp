// Automatic whitelisting: the sender token and DSPAM's threshold rule.
#include "classifier/whitelist.h"

#include <algorithm>

#include "classifier/hash.h"
#include "classifier/mime/ascii.h"

namespace dspamd {
namespace {

constexpr std::string_view k_sender_prefix = "Whitelist*From*";
constexpr std::size_t k_max_address_bytes = 320;  // RFC 5321: 64 + 1 + 255

}  // namespace

std::string sender_address(std::string_view from_value) {
    std::string_view address;
    const std::size_t open = from_value.rfind('<');
    if (open != std::string_view::npos) {
        const std::size_t close = from_value.find('>', open);
        if (close != std::string_view::npos) {
            address = from_value.substr(open + 1, close - open - 1);
        }
    }
    if (address.empty()) {
        std::size_t start = 0;
        while (start < from_value.size()) {
            std::size_t end = start;
            while (end < from_value.size() && !mime::is_space(from_value[end]) &&
                   from_value[end] != ',') {
                ++end;
            }
            std::string_view word = from_value.substr(start, end - start);
            if (word.find('@') != std::string_view::npos) {
                address = word;
                break;
            }
            start = end + 1;
        }
    }
    address = mime::trim(address);
    while (!address.empty() && (address.front() == '"' || address.front() == '(')) {
        address.remove_prefix(1);
    }
    while (!address.empty() && (address.back() == '"' || address.back() == ')')) {
        address.remove_suffix(1);
    }
    if (address.find('@') == std::string_view::npos || address.size() > k_max_address_bytes) {
        return {};
    }
    return mime::to_lower(address);
}

std::optional<Token> sender_token(const ParsedMessage& message) {
    for (const Header& header : message.headers) {
        if (mime::iequals(header.name, "From")) {
            const std::string address = sender_address(header.value);
            if (address.empty()) {
                return std::nullopt;
            }
            std::string text(k_sender_prefix);
            text += address;
            return token_hash(text);
        }
    }
    return std::nullopt;
}

bool is_whitelisted(const Counts& sender, const WhitelistParams& params) {
    return params.enabled && sender.innocent > params.threshold && sender.spam <= 0;
}

void learn_sender(Token sender, Class result, TrainingDelta& delta, Signature& signature) {
    auto learned = std::lower_bound(signature.learned.begin(), signature.learned.end(), sender);
    if (learned != signature.learned.end() && *learned == sender) {
        return;
    }
    auto seen = std::lower_bound(signature.unlearned.begin(), signature.unlearned.end(), sender);
    const bool was_seen = seen != signature.unlearned.end() && *seen == sender;
    // Its place in the ascending union of both lists, where its rate class is.
    const auto in_union = static_cast<std::size_t>((learned - signature.learned.begin()) +
                                                   (seen - signature.unlearned.begin()));
    if (!was_seen && !signature.rate_classes.empty()) {
        // A token new to the message takes the whole step (class 0).
        signature.rate_classes.insert(
            signature.rate_classes.begin() + static_cast<std::ptrdiff_t>(in_union), RateClass{0});
    }
    signature.learned.insert(learned, sender);
    if (was_seen) {
        signature.unlearned.erase(seen);
    }
    TokenDelta d;
    d.token = sender;
    (result == Class::spam ? d.spam : d.innocent) = 1;
    // Every token of a signature holds its weight step (training.h), so a
    // correction or an unlearning of it stays exact.
    d.weight = token_weight_step(signature, result, in_union);
    auto at = std::lower_bound(delta.tokens.begin(), delta.tokens.end(), sender,
                               [](const TokenDelta& t, Token token) { return t.token < token; });
    if (at != delta.tokens.end() && at->token == sender) {
        (result == Class::spam ? at->spam : at->innocent) += 1;
    } else {
        delta.tokens.insert(at, d);
    }
}

}  // namespace dspamd
