// Signature lookup in a message sent back for retraining.
#include "engine/signature_lookup.h"

#include <algorithm>
#include <cctype>
#include <strings.h>

#include "classifier/mime/ascii.h"

namespace dspamd {
namespace {

using mime::trim;

constexpr std::string_view k_header = "X-DSPAM-Signature";
constexpr std::string_view k_body_tag = "!DSPAM:";


std::optional<std::string> from_headers(const std::vector<Header>& headers) {
    for (const auto& header : headers) {
        if (header.name.size() == k_header.size() &&
            strncasecmp(header.name.data(), k_header.data(), k_header.size()) == 0) {
            std::string_view id = trim(header.value);
            if (valid_signature_id(id)) {
                return std::string(id);
            }
        }
    }
    return std::nullopt;
}

}  // namespace

bool valid_signature_id(std::string_view id) {
    return !id.empty() && id.size() <= k_max_signature_id_length &&
           std::all_of(id.begin(), id.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == ',';
           });
}

std::optional<std::string> find_signature_id(const ParsedMessage& message) {
    if (auto id = from_headers(message.headers)) {
        return id;
    }
    if (auto id = from_headers(message.part_headers)) {
        return id;
    }
    for (const auto& part : message.texts) {
        std::string_view text = part.text;
        for (std::size_t at = text.find(k_body_tag); at != std::string_view::npos;
             at = text.find(k_body_tag, at + 1)) {
            std::size_t start = at + k_body_tag.size();
            std::size_t end = text.find('!', start);
            if (end != std::string_view::npos && valid_signature_id(text.substr(start, end - start))) {
                return std::string(text.substr(start, end - start));
            }
        }
    }
    return std::nullopt;
}

}  // namespace dspamd
