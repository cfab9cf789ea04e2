// Outgoing mail, user mapping and the action of a message with several users.
#include "milter/policy.h"

#include <algorithm>
#include <cctype>

#include "storage/limits.h"

namespace dspamd::milter {

PolicyParams make_policy_params(const MilterConfig& config) {
    PolicyParams params;
    for (const std::string& text : config.trusted_networks) {
        // The configuration was checked when it was read: each one parses.
        if (std::optional<Network> network = parse_network(text)) {
            params.trusted_networks.push_back(*network);
        }
    }
    params.skip_authenticated = config.skip_authenticated;
    params.user_mapping = config.user_mapping;
    params.shared_user = config.shared_user;
    return params;
}

bool is_trusted(const PolicyParams& params, const std::optional<Network>& client) {
    if (!client) {
        return false;
    }
    return std::any_of(params.trusted_networks.begin(), params.trusted_networks.end(),
                       [&](const Network& network) { return network_contains(network, *client); });
}

bool is_outgoing(const PolicyParams& params, const std::optional<Network>& client,
                 std::string_view auth_authen) {
    return (params.skip_authenticated && !auth_authen.empty()) || is_trusted(params, client);
}

std::string normalize_address(std::string_view address) {
    while (!address.empty() && (address.front() == ' ' || address.front() == '\t')) {
        address.remove_prefix(1);
    }
    while (!address.empty() && (address.back() == ' ' || address.back() == '\t')) {
        address.remove_suffix(1);
    }
    if (address.size() >= 2 && address.front() == '<' && address.back() == '>') {
        address = address.substr(1, address.size() - 2);
    }
    std::string out(address);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::optional<std::string> map_user(const PolicyParams& params, std::string_view address) {
    if (address.empty()) {
        return std::nullopt;
    }
    std::string user;
    switch (params.user_mapping) {
        case UserMapping::address:
            user = address;
            break;
        case UserMapping::localpart:
            user = address.substr(0, address.rfind('@'));
            break;
        case UserMapping::shared:
            user = params.shared_user;
            break;
    }
    // The store refuses what it cannot keep (too long, not UTF-8): such a
    // recipient has no user rather than failing the message.
    if (user.empty() || user.size() > k_max_user_name_bytes ||
        clean_text(user, user.size()) != user) {
        return std::nullopt;
    }
    return user;
}

std::vector<std::string> distinct_users(const PolicyParams& params,
                                        const std::vector<std::string>& recipients) {
    std::vector<std::string> users;
    for (const std::string& recipient : recipients) {
        std::optional<std::string> user = map_user(params, recipient);
        if (user && std::find(users.begin(), users.end(), *user) == users.end()) {
            users.push_back(std::move(*user));
        }
    }
    return users;
}

std::string_view message_action_name(MessageAction action) {
    switch (action) {
        case MessageAction::deliver:
            return "deliver";
        case MessageAction::tag:
            return "tag";
        case MessageAction::quarantine:
            return "quarantine";
        case MessageAction::reject:
            return "reject";
    }
    return "deliver";
}

MessageAction user_action(Class result, double confidence, SpamAction spam_action,
                          double reject_confidence) {
    if (result != Class::spam) {
        return MessageAction::deliver;
    }
    switch (spam_action) {
        case SpamAction::tag:
            return MessageAction::tag;
        case SpamAction::quarantine:
            return MessageAction::quarantine;
        case SpamAction::reject:
            return confidence >= reject_confidence ? MessageAction::reject : MessageAction::tag;
    }
    return MessageAction::tag;
}

MessageAction message_action(const std::vector<MessageAction>& actions) {
    if (actions.empty()) {
        return MessageAction::deliver;
    }
    return *std::min_element(actions.begin(), actions.end());
}

}  // namespace dspamd::milter
