// CIDR networks and client addresses for trusted_networks.
#include "engine/network.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <strings.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>

namespace dspamd {
namespace {

constexpr std::size_t k_max_address_text = 64;  // longer than any IPv6 literal

// ::ffff:a.b.c.d becomes a.b.c.d so that IPv4 networks match it.
Network unmapped(Network address) {
    static constexpr std::uint8_t k_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (address.ipv6 && std::memcmp(address.bytes.data(), k_mapped, sizeof k_mapped) == 0) {
        Network v4;
        std::memcpy(v4.bytes.data(), address.bytes.data() + 12, 4);
        v4.prefix = address.prefix == 128 ? 32 : address.prefix;
        return v4;
    }
    return address;
}

}  // namespace

std::optional<Network> parse_address(std::string_view text) {
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
        text = text.substr(1, text.size() - 2);
    }
    if (text.size() > 5 && strncasecmp(text.data(), "IPv6:", 5) == 0) {
        text = text.substr(5);
    }
    if (text.empty() || text.size() > k_max_address_text) {
        return std::nullopt;
    }
    const std::string copy(text);
    Network address;
    if (inet_pton(AF_INET, copy.c_str(), address.bytes.data()) == 1) {
        address.prefix = 32;
        return address;
    }
    if (inet_pton(AF_INET6, copy.c_str(), address.bytes.data()) == 1) {
        address.ipv6 = true;
        address.prefix = 128;
        return unmapped(address);
    }
    return std::nullopt;
}

std::optional<Network> parse_network(std::string_view text) {
    const std::size_t slash = text.find('/');
    std::optional<Network> network = parse_address(text.substr(0, slash));
    if (!network || (slash != std::string_view::npos && text.substr(0, slash).front() == '[')) {
        return std::nullopt;
    }
    if (network->ipv6 != (text.substr(0, slash).find(':') != std::string_view::npos)) {
        return std::nullopt;  // "::ffff:1.2.3.4/n" would change meaning: write it as IPv4
    }
    if (slash != std::string_view::npos) {
        std::string_view bits = text.substr(slash + 1);
        int prefix = -1;
        auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
        const int max = network->ipv6 ? 128 : 32;
        if (bits.empty() || ec != std::errc() || end != bits.data() + bits.size() || prefix < 0 ||
            prefix > max) {
            return std::nullopt;
        }
        network->prefix = prefix;
    }
    // Host bits past the prefix are a typo more often than an intention.
    const std::size_t length = network->ipv6 ? 16 : 4;
    for (std::size_t i = 0; i < length; ++i) {
        const int first_bit = static_cast<int>(i) * 8;
        const int keep = std::max(0, std::min(8, network->prefix - first_bit));
        const auto mask = static_cast<std::uint8_t>(keep == 0 ? 0 : 0xff << (8 - keep));
        if ((network->bytes[i] & ~mask & 0xff) != 0) {
            return std::nullopt;
        }
    }
    return network;
}

bool network_contains(const Network& network, const Network& address) {
    if (network.ipv6 != address.ipv6) {
        return false;
    }
    int bits = network.prefix;
    for (std::size_t i = 0; bits > 0; ++i, bits -= 8) {
        const int keep = std::min(8, bits);
        const auto mask = static_cast<std::uint8_t>(0xff << (8 - keep));
        if ((network.bytes[i] & mask) != (address.bytes[i] & mask)) {
            return false;
        }
    }
    return true;
}

std::optional<Network> address_of(const struct sockaddr* address) {
    if (address == nullptr) {
        return std::nullopt;
    }
    Network result;
    if (address->sa_family == AF_INET) {
        sockaddr_in v4{};
        std::memcpy(&v4, address, sizeof v4);
        std::memcpy(result.bytes.data(), &v4.sin_addr, 4);
        result.prefix = 32;
        return result;
    }
    if (address->sa_family == AF_INET6) {
        sockaddr_in6 v6{};
        std::memcpy(&v6, address, sizeof v6);
        std::memcpy(result.bytes.data(), &v6.sin6_addr, 16);
        result.ipv6 = true;
        result.prefix = 128;
        return unmapped(result);
    }
    return std::nullopt;
}

}  // namespace dspamd
