// Base64 and quoted-printable decoders; see transfer_encoding.h. Both work a
// line at a time with memchr so the inner loops stay tight on large bodies.
#include "classifier/mime/transfer_encoding.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "classifier/mime/ascii.h"

namespace dspamd::mime {
namespace {

constexpr std::uint8_t k_pad = 64;    // '='
constexpr std::uint8_t k_space = 65;  // whitespace inside base64, ignored
constexpr std::uint8_t k_junk = 66;   // anything else
// A base64 line with more junk than one character in k_junk_ratio is not base64.
constexpr std::size_t k_junk_ratio = 8;

constexpr std::array<std::uint8_t, 256> make_base64_table() {
    std::array<std::uint8_t, 256> table{};
    for (auto& v : table) {
        v = k_junk;
    }
    constexpr std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::size_t i = 0; i < alphabet.size(); ++i) {
        table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
    }
    table['='] = k_pad;
    for (char c : {' ', '\t', '\r', '\n', '\f', '\v'}) {
        table[static_cast<unsigned char>(c)] = k_space;
    }
    return table;
}
constexpr auto k_base64 = make_base64_table();

// Accumulates sextets and writes whole bytes; kept apart so a line can be
// rolled back when it turns out to be garbage.
struct Base64State {
    std::uint32_t acc = 0;
    int count = 0;
};

void flush_partial(Base64State& state, std::string& out, DecodeReport& report) {
    // Two sextets give one byte, three give two; a lone sextet carries no byte.
    if (state.count == 2) {
        out.push_back(static_cast<char>((state.acc >> 4) & 0xff));
    } else if (state.count == 3) {
        out.push_back(static_cast<char>((state.acc >> 10) & 0xff));
        out.push_back(static_cast<char>((state.acc >> 2) & 0xff));
    } else if (state.count == 1) {
        ++report.junk;
    }
    state = Base64State{};
}

struct LineCounts {
    std::size_t valid = 0;
    std::size_t junk = 0;
    bool inner_blank = false;  // whitespace between two non-blank characters
};

LineCounts count_line(std::string_view line) {
    LineCounts counts;
    bool seen_text = false;
    bool blank_after_text = false;
    for (char c : line) {
        const std::uint8_t v = k_base64[static_cast<unsigned char>(c)];
        if (v == k_space) {
            blank_after_text = seen_text;
            continue;
        }
        if (blank_after_text) {
            counts.inner_blank = true;
        }
        seen_text = true;
        if (v <= k_pad) {
            ++counts.valid;
        } else {
            ++counts.junk;
        }
    }
    return counts;
}

}  // namespace

void decode_base64(std::string_view in, std::string& out, std::size_t max_out,
                   DecodeReport& report) {
    const std::size_t start = out.size();
    out.reserve(start + (in.size() / 4) * 3 + 3);
    Base64State state;
    bool after_padding = false;
    std::size_t pos = 0;
    while (pos < in.size()) {
        const void* nl = std::memchr(in.data() + pos, '\n', in.size() - pos);
        const std::size_t end =
            nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - in.data()) : in.size();
        const std::string_view line = in.substr(pos, end - pos);
        pos = end + 1;

        if (after_padding) {
            // Text after the final "=" is usually a footer a list added; only
            // a clean base64 line continues (blocks concatenated by a relay).
            const LineCounts counts = count_line(line);
            if (counts.valid == 0 && counts.junk == 0) {
                continue;
            }
            if (counts.junk != 0 || counts.inner_blank) {
                report.stopped_on_garbage = true;
                break;
            }
            after_padding = false;
        }

        const std::size_t line_start = out.size();
        const Base64State line_state = state;
        bool line_has_junk = false;
        for (char c : line) {
            const std::uint8_t v = k_base64[static_cast<unsigned char>(c)];
            if (v < 64) {
                state.acc = (state.acc << 6) | v;
                if (++state.count == 4) {
                    const char bytes[3] = {static_cast<char>((state.acc >> 16) & 0xff),
                                           static_cast<char>((state.acc >> 8) & 0xff),
                                           static_cast<char>(state.acc & 0xff)};
                    out.append(bytes, 3);
                    state = Base64State{};
                }
            } else if (v == k_pad) {
                if (state.count != 0) {
                    flush_partial(state, out, report);
                }
                after_padding = true;
            } else if (v == k_junk) {
                line_has_junk = true;
            }
        }
        if (line_has_junk) {
            const LineCounts counts = count_line(line);
            if (counts.junk * k_junk_ratio > counts.valid) {
                out.resize(line_start);
                state = line_state;
                report.stopped_on_garbage = true;
                break;
            }
            report.junk += counts.junk;
        }
        if (out.size() - start >= max_out) {
            report.truncated = true;
            out.resize(start + max_out);
            return;
        }
    }
    flush_partial(state, out, report);
    if (out.size() - start > max_out) {
        report.truncated = true;
        out.resize(start + max_out);
    }
}

void decode_quoted_printable(std::string_view in, std::string& out, std::size_t max_out,
                             DecodeReport& report) {
    const std::size_t start = out.size();
    out.reserve(start + in.size());
    std::size_t pos = 0;
    while (pos < in.size()) {
        const void* nl = std::memchr(in.data() + pos, '\n', in.size() - pos);
        const bool has_newline = nl != nullptr;
        const std::size_t end =
            nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - in.data()) : in.size();
        std::string_view line = in.substr(pos, end - pos);
        pos = end + 1;

        while (!line.empty() &&
               (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
            line.remove_suffix(1);
        }
        bool soft_break = false;
        if (!line.empty() && line.back() == '=') {
            soft_break = true;
            line.remove_suffix(1);
        }
        while (!line.empty()) {
            const void* eq = std::memchr(line.data(), '=', line.size());
            if (eq == nullptr) {
                out.append(line);
                break;
            }
            const std::size_t at =
                static_cast<std::size_t>(static_cast<const char*>(eq) - line.data());
            out.append(line.data(), at);
            const int hi = at + 1 < line.size() ? hex_value(line[at + 1]) : -1;
            const int lo = at + 2 < line.size() ? hex_value(line[at + 2]) : -1;
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                line.remove_prefix(at + 3);
            } else {
                ++report.bad_escapes;
                out.push_back('=');
                line.remove_prefix(at + 1);
            }
        }
        if (has_newline && !soft_break) {
            out.push_back('\n');
        }
        if (out.size() - start >= max_out) {
            if (out.size() - start > max_out || pos < in.size()) {
                report.truncated = true;
            }
            out.resize(start + max_out);
            return;
        }
    }
}

void decode_q_word(std::string_view in, std::string& out) {
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '_') {
            out.push_back(' ');
        } else if (c == '=' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 &&
                   hex_value(in[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
}

}  // namespace dspamd::mime
