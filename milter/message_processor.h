// End of message: everything dspamd decides about one message, from the
// buffered message and its envelope to a Decision the session carries out
// with libmilter. All classification and database work happens here, and
// every failure becomes the configured policy:
// - outgoing mail (SASL-authenticated or from a trusted network): accepted
//   untouched;
// - a retraining request: performed, then discarded (retrain_request.h);
//   on any failure it is tempfailed, so the request is tried again and
//   never delivered;
// - too large (milter.max_message_bytes or the header caps): accepted
//   untagged, logged;
// - otherwise classified for each distinct user of the recipients (see
//   policy.h; at most 100 users), X-DSPAM-* headers from outside removed,
//   dspamd's added, and the action carried out (tag, quarantine, reject);
//   one history row per user;
// - StoreUnavailable: milter.on_database_error (tempfail 451 4.3.0 or
//   accept untagged); any other exception: milter.on_internal_error.
// One log line per message: queue id, user(s), result(s), probability(ies),
// action and milliseconds.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "engine/network.h"
#include "milter/header_edits.h"
#include "milter/retrain_request.h"
#include "milter/runtime.h"

namespace dspamd::milter {

// One message as the callbacks buffered it.
struct MessageInput {
    std::string queue_id;                       // {i}; "" when Postfix did not send it
    std::string sender;                         // normalized envelope sender
    std::vector<std::string> recipients;        // normalized, in RCPT order
    std::string auth_authen;                    // SASL login, "" when none
    std::optional<Network> client;              // client address, when IP
    std::string raw;                            // header fields, blank line, body; "" when oversize
    std::size_t body_offset = 0;                // where the body starts in raw
    std::vector<ReceivedHeader> dspam_headers;  // X-DSPAM-* fields received
    std::optional<std::string> subject;         // raw value of the first Subject field
    bool oversize = false;
    std::string oversize_reason;
    std::vector<RetrainTarget> retrain;  // accepted retraining recipients
};

enum class Reply {
    proceed,   // apply the edits, SMFIS_CONTINUE
    accept,    // untouched, SMFIS_ACCEPT
    tempfail,  // smfi_setreply(code, xcode, text), SMFIS_TEMPFAIL
    reject,    // smfi_setreply(code, xcode, text), SMFIS_REJECT
    discard,   // SMFIS_DISCARD: accepted, never delivered
};

struct Decision {
    Reply reply = Reply::accept;
    std::string code;   // SMTP reply code for tempfail/reject
    std::string xcode;  // enhanced status code
    std::string text;   // already made safe by reply_text()
    MessageEdits edits;
    std::optional<std::string> quarantine_reason;  // smfi_quarantine
    std::string log_line;
};

Decision process_message(const Runtime& runtime, const MessageInput& input, std::time_t now);

}  // namespace dspamd::milter
