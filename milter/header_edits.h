// The edits dspamd makes to a message, as plain data: which received header
// fields to delete or change, which to add, and a new body when the
// signature goes into the message. The session applies them with
// smfi_chgheader/smfi_addheader/smfi_replacebody; building them needs no
// libmilter, so the tests check them directly.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/dspam_headers.h"

namespace dspamd::milter {

// A header field as received that the edits may refer to: its name as
// written and its 1-based index among the fields of that name (any case),
// which is how smfi_chgheader addresses it.
struct ReceivedHeader {
    std::string name;
    int index = 1;
};

// smfi_chgheader(name, index, value); no value deletes the field.
struct HeaderChange {
    std::string name;
    int index = 1;
    std::optional<std::string> value;
    friend bool operator==(const HeaderChange&, const HeaderChange&) = default;
};

struct MessageEdits {
    std::vector<HeaderChange> changes;  // in the order to apply
    std::vector<HeaderField> additions;
    std::optional<std::string> body;  // the whole new body
};

// X-DSPAM-* (any case): the names dspamd writes, never trusted from outside.
bool is_dspam_header(std::string_view name);

// Deletions of the received X-DSPAM-* fields, the highest index of each name
// first, so that no deletion shifts the index of one still to come.
std::vector<HeaderChange> remove_foreign_headers(const std::vector<ReceivedHeader>& received);

// DSPAM's spamSubject: "prefix subject", not doubled when already there.
std::string prefixed_subject(std::string_view prefix, std::string_view subject);

// The body with DSPAM's signature tag (signatureLocation = message) on a
// line of its own at the end; `crlf` follows the body's line ends.
std::string body_with_signature_tag(std::string_view body, std::string_view signature_id);

// Text for smfi_setreply: printable ASCII, '%' doubled (libmilter reads it
// as a format), at most `k_max_reply_text` bytes.
inline constexpr std::size_t k_max_reply_text = 400;
std::string reply_text(std::string_view text);

}  // namespace dspamd::milter
