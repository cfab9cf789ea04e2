// Finding the DSPAM signature a retraining refers to: the X-DSPAM-Signature
// header of the message itself or of a forwarded/attached message, else a
// body tag `!DSPAM:<id>!` (DSPAM's signatureLocation = message).
#pragma once

#include <optional>
#include <string>

#include "classifier/mime/message.h"

namespace dspamd {

constexpr std::size_t k_max_signature_id_length = 64;

std::optional<std::string> find_signature_id(const ParsedMessage& message);

// A signature id is 1..64 characters of [0-9A-Za-z,]; anything else is not ours.
bool valid_signature_id(std::string_view id);

}  // namespace dspamd
