// Automatic whitelisting (DSPAM 3.10's enableWhitelist, src/libdspam.c
// _ds_operate). A per-sender token counts the messages of the From address
// learned in each class; a sender with more than `threshold` innocent hits
// (DSPAM's wh_threshold, 10) and no spam hit is whitelisted: the message is
// innocent, X-DSPAM-Result "Whitelisted", whatever the combiner said.
//
// Where dspamd differs, on purpose:
//   - DSPAM tolerates spam hits up to innocent_hits / 15, so a sender with 30
//     innocent hits stays whitelisted after a user's correction. Here any spam
//     hit ends the whitelisting: a correction to spam always un-whitelists.
//   - DSPAM learns the sender token only when it learns the message. Here it
//     is learned as the verdict for every classified message (TOE and TONE
//     too; not NOTRAIN, which learns nothing), recorded among the signature's
//     learned tokens, so a correction moves it exactly like the rest.
//   - The sender token takes no part in the combiner (DSPAM's did as an
//     ordinary token): it decides only through this rule.
// Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "classifier/mime/message.h"
#include "classifier/training.h"

namespace dspamd {

struct WhitelistParams {
    bool enabled = false;         // DSPAM's compiled default (its sample dspam.conf turns it on)
    std::int64_t threshold = 10;  // more innocent hits than this whitelist a sender
};

// The sender token of the message's From address ("Whitelist*From*" + the
// lower-cased addr-spec), or nothing when there is no usable address.
std::optional<Token> sender_token(const ParsedMessage& message);

// The lower-cased addr-spec of a From header value: the part in angle brackets,
// else the first word containing '@'. Empty when there is none.
std::string sender_address(std::string_view from_value);

// DSPAM's threshold rule, with any spam hit ending it.
bool is_whitelisted(const Counts& sender, const WhitelistParams& params);

// Makes sure `sender` is learned as `result` by this training: added to the
// delta (+1) and to the signature's learned tokens unless already there.
void learn_sender(Token sender, Class result, TrainingDelta& delta, Signature& signature);

}  // namespace dspamd
