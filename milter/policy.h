// Who and what a message is, decided without libmilter: whether it is
// outgoing (skipped), which dspamd user each recipient is, and which one
// action a message with several users gets. Pure functions over values.
//
// Several recipients of different users: Postfix's header edits and its
// hold queue apply to the whole message, never to one recipient. So dspamd
// classifies the message once for each distinct user (each learns by its own
// training mode and gets its own signature and history row), writes the
// X-DSPAM-* headers of the first recipient's user, and takes the least severe
// of the users' actions (deliver < tag < quarantine < reject): no recipient
// loses mail it wants, at the cost that spam for a strict user reaches that
// user tagged when another recipient's user let it through.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "classifier/types.h"
#include "engine/config.h"
#include "engine/network.h"

namespace dspamd::milter {

// The milter settings policy needs, networks parsed once.
struct PolicyParams {
    std::vector<Network> trusted_networks;
    bool skip_authenticated = true;
    UserMapping user_mapping = UserMapping::address;
    std::string shared_user;
};

PolicyParams make_policy_params(const MilterConfig& config);

// True for a client in a trusted network or, with skip_authenticated, one
// that authenticated with SASL ({auth_authen} not empty).
bool is_outgoing(const PolicyParams& params, const std::optional<Network>& client,
                 std::string_view auth_authen);

bool is_trusted(const PolicyParams& params, const std::optional<Network>& client);

// An envelope address as Postfix hands it ("<Alice@Example.COM>", with or
// without ESMTP brackets): brackets removed, lower case. "" for <>.
std::string normalize_address(std::string_view address);

// The dspamd user of a (normalized) address; nothing for the null sender or
// an address that cannot be a user name.
std::optional<std::string> map_user(const PolicyParams& params, std::string_view address);

// The distinct users of the recipients, in the order of the recipients.
std::vector<std::string> distinct_users(const PolicyParams& params,
                                        const std::vector<std::string>& recipients);

// What happens to a message, least severe first.
enum class MessageAction { deliver, tag, quarantine, reject };

std::string_view message_action_name(MessageAction action);

// One user's action: innocent mail is delivered; spam gets the user's spam
// action (preference spamAction, else the configured one), except that
// reject needs at least reject_confidence, else it is tagged.
MessageAction user_action(Class result, double confidence, SpamAction spam_action,
                          double reject_confidence);

// The message's action: the least severe of its users' (deliver when none).
MessageAction message_action(const std::vector<MessageAction>& actions);

}  // namespace dspamd::milter
