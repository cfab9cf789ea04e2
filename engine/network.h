// Networks in CIDR notation ("127.0.0.0/8", "::1/128") and the test whether
// a client address lies in one: the milter's trusted_networks. Parsed once,
// when the configuration is read; an IPv4-mapped IPv6 client address
// (::ffff:192.0.2.1) matches the IPv4 networks.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

struct sockaddr;

namespace dspamd {

struct Network {
    bool ipv6 = false;
    std::array<std::uint8_t, 16> bytes{};  // network address, first 4 used for IPv4
    int prefix = 0;                        // bits, 0..32 or 0..128
};

// "a.b.c.d/n", "a.b.c.d" (/32), "x::y/n" or "x::y" (/128); nothing when
// malformed or when host bits are set past the prefix ("10.0.0.1/8").
std::optional<Network> parse_network(std::string_view text);

// A numeric address ("192.0.2.1", "2001:db8::1", "[2001:db8::1]",
// "IPv6:2001:db8::1" as Postfix writes it); nothing when it is not one.
std::optional<Network> parse_address(std::string_view text);

bool network_contains(const Network& network, const Network& address);

// The address of a socket (AF_INET or AF_INET6); nothing for other families.
std::optional<Network> address_of(const struct sockaddr* address);

}  // namespace dspamd
