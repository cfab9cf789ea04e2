// Retraining by mail (DSPAM's ParseToHeaders): a message to a configured
// address such as spam-alice@example.com or notspam@example.com asks dspamd to
// correct its judgement of the message forwarded or attached in it.
//
// Rules:
// - Recognised at RCPT: the recipient matches one of retrain.spam_addresses or
//   retrain.innocent_addresses ("{user}" names the user; without it, the
//   sender's own user is meant).
// - Accepted only from a SASL-authenticated client or a trusted network, and
//   only for the sender's own user (the user the envelope sender maps to; let
//   Postfix tie senders to logins with reject_sender_login_mismatch).
//   Anything else is refused at RCPT with 550 5.7.1 and a clear text.
// - At end of message: the X-DSPAM-Signature of the forwarded or attached
//   message (or a !DSPAM:id! tag, or an "X-DSPAM-Signature: id" line of an
//   inline forward) selects what to undo; without one, or when it expired,
//   the content is learned (Filter::retrain_content). A false positive found
//   in the quarantine is released: the table records it, and
//   retrain.release_command (e.g. postsuper -H, which needs root) runs with
//   the queue id when configured and the message is held on this host.
// - The request itself is discarded (SMFIS_DISCARD), never delivered.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "classifier/mime/message.h"
#include "classifier/types.h"
#include "engine/config.h"
#include "engine/filter.h"
#include "milter/policy.h"
#include "storage/store.h"

namespace dspamd::milter {

// A recipient that is a retraining address: the class to learn, and the
// address whose user is meant (nothing: the sender's own user).
struct RetrainMatch {
    Class right = Class::spam;
    std::optional<std::string> named_address;
};

// `recipient` normalized (policy.h); spam patterns are tried first.
std::optional<RetrainMatch> match_retrain_address(const RetrainConfig& config,
                                                  std::string_view recipient);

struct RetrainTarget {
    Class right = Class::spam;
    std::string user;
    std::string recipient;
    friend bool operator==(const RetrainTarget&, const RetrainTarget&) = default;
};

// A retraining recipient checked at RCPT: a target, or the reason to refuse.
struct RetrainCheck {
    std::optional<RetrainTarget> target;
    std::string refusal;  // the 5.7.1 text when there is no target
};

// `authorized`: the client authenticated or is in a trusted network.
RetrainCheck check_retrain_recipient(const PolicyParams& policy, const RetrainMatch& match,
                                     std::string_view recipient, std::string_view sender,
                                     bool authorized);

// The signature a request refers to: find_signature_id, then a
// "X-DSPAM-Signature: id" line in the text of an inline forward.
std::optional<std::string> request_signature(const ParsedMessage& message);

struct RetrainResult {
    RetrainStatus status = RetrainStatus::corrected;
    std::string signature;  // the one used ("" = by content)
    bool by_content = false;
    std::optional<QuarantineEntry> released;  // the held message released now
};

// Retrains `target.user` on the request `raw`; releases a quarantined false
// positive in the table. Throws what Filter and Store throw.
RetrainResult perform_retrain(Filter& filter, Store& store, const ParsedMessage& message,
                              std::string_view raw, const RetrainTarget& target);

// Runs `command` with `queue_id` appended, waits for it; returns its exit
// status (-1 when it could not run or was killed). No shell is involved.
int run_release_command(const std::vector<std::string>& command, const std::string& queue_id);

}  // namespace dspamd::milter
