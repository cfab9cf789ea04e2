// Tests of milter/policy.cpp: outgoing mail, user mapping and the one action
// of a message with several users.
#include "milter/policy.h"

#include <doctest/doctest.h>

namespace dspamd::milter {
namespace {

PolicyParams params(UserMapping mapping = UserMapping::address) {
    MilterConfig config;
    config.trusted_networks = {"127.0.0.0/8", "::1/128", "192.0.2.0/24"};
    config.user_mapping = mapping;
    config.shared_user = "everyone";
    return make_policy_params(config);
}

TEST_CASE("trusted networks and authenticated clients are outgoing") {
    const PolicyParams p = params();
    CHECK(is_outgoing(p, parse_address("127.0.0.1"), ""));
    CHECK(is_outgoing(p, parse_address("::1"), ""));
    CHECK(is_outgoing(p, parse_address("192.0.2.77"), ""));
    CHECK(is_outgoing(p, parse_address("::ffff:192.0.2.77"), ""));  // mapped IPv4
    CHECK_FALSE(is_outgoing(p, parse_address("198.51.100.7"), ""));
    CHECK_FALSE(is_outgoing(p, std::nullopt, ""));  // no IP address (unix socket, unknown)
    CHECK(is_outgoing(p, parse_address("198.51.100.7"), "alice"));

    PolicyParams strict = p;
    strict.skip_authenticated = false;
    CHECK_FALSE(is_outgoing(strict, parse_address("198.51.100.7"), "alice"));
    CHECK(is_trusted(strict, parse_address("127.0.0.2")));
}

TEST_CASE("addresses are normalized and mapped to users") {
    CHECK(normalize_address("<Alice@Example.COM>") == "alice@example.com");
    CHECK(normalize_address(" bob@example.com ") == "bob@example.com");
    CHECK(normalize_address("<>").empty());

    CHECK(map_user(params(), "alice@example.com") == "alice@example.com");
    CHECK(map_user(params(UserMapping::localpart), "alice@example.com") == "alice");
    CHECK(map_user(params(UserMapping::localpart), "postmaster") == "postmaster");
    CHECK(map_user(params(UserMapping::shared), "alice@example.com") == "everyone");
    CHECK_FALSE(map_user(params(), "").has_value());
    CHECK_FALSE(map_user(params(), std::string(300, 'a') + "@example.com").has_value());
    CHECK_FALSE(map_user(params(), "bad\xff@example.com").has_value());
}

TEST_CASE("distinct users keep the order of the recipients") {
    const std::vector<std::string> recipients = {"bob@example.com", "alice@example.com",
                                                 "bob@example.com", "carol@example.org"};
    CHECK(distinct_users(params(), recipients) ==
          std::vector<std::string>{"bob@example.com", "alice@example.com", "carol@example.org"});
    CHECK(distinct_users(params(UserMapping::shared), recipients) ==
          std::vector<std::string>{"everyone"});
    CHECK(distinct_users(params(), {}).empty());
}

TEST_CASE("a user's action follows the verdict, the spam action and the reject confidence") {
    CHECK(user_action(Class::innocent, 1.0, SpamAction::reject, 0.9) == MessageAction::deliver);
    CHECK(user_action(Class::spam, 0.5, SpamAction::tag, 0.9) == MessageAction::tag);
    CHECK(user_action(Class::spam, 0.5, SpamAction::quarantine, 0.9) == MessageAction::quarantine);
    CHECK(user_action(Class::spam, 0.95, SpamAction::reject, 0.9) == MessageAction::reject);
    CHECK(user_action(Class::spam, 0.9, SpamAction::reject, 0.9) == MessageAction::reject);
    // Not confident enough to refuse mail: tagged instead.
    CHECK(user_action(Class::spam, 0.89, SpamAction::reject, 0.9) == MessageAction::tag);
}

TEST_CASE("several users: the least severe action wins") {
    using A = MessageAction;
    CHECK(message_action({}) == A::deliver);
    CHECK(message_action({A::reject}) == A::reject);
    CHECK(message_action({A::reject, A::quarantine}) == A::quarantine);
    CHECK(message_action({A::quarantine, A::tag, A::reject}) == A::tag);
    CHECK(message_action({A::reject, A::deliver}) == A::deliver);
    CHECK(message_action_name(A::quarantine) == "quarantine");
}

TEST_CASE("networks: CIDR parsing and matching") {
    CHECK(parse_network("10.0.0.0/8").has_value());
    CHECK_FALSE(parse_network("10.0.0.1/8").has_value());  // host bits set
    CHECK_FALSE(parse_network("10.0.0.0/33").has_value());
    CHECK_FALSE(parse_network("10.0.0.0/").has_value());
    CHECK_FALSE(parse_network("example.com").has_value());
    CHECK(parse_network("2001:db8::/32").has_value());
    CHECK_FALSE(parse_network("2001:db8::1/32").has_value());
    CHECK(parse_network("0.0.0.0/0").has_value());
    const Network all = *parse_network("0.0.0.0/0");
    CHECK(network_contains(all, *parse_address("203.0.113.9")));
    CHECK_FALSE(network_contains(all, *parse_address("2001:db8::1")));
    const Network doc = *parse_network("2001:db8::/32");
    CHECK(network_contains(doc, *parse_address("[2001:db8:1::5]")));
    CHECK(network_contains(doc, *parse_address("IPv6:2001:db8::5")));
    CHECK_FALSE(network_contains(doc, *parse_address("2001:db9::5")));
    const Network odd = *parse_network("192.0.2.128/25");
    CHECK(network_contains(odd, *parse_address("192.0.2.200")));
    CHECK_FALSE(network_contains(odd, *parse_address("192.0.2.127")));
}

}  // namespace
}  // namespace dspamd::milter
