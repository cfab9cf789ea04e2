// Content-Transfer-Encoding decoders (RFC 2045 section 6): base64 and
// quoted-printable, plus the "Q" and "B" forms of RFC 2047 encoded words.
// Real mail breaks every rule, so the decoders are tolerant: they skip junk,
// accept missing padding and keep bad escapes literally, and report what they
// met so the caller can note it as a defect. They append to `out`, allocate
// only there, and never write more than `max_out` new bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dspamd::mime {

struct DecodeReport {
    std::size_t junk = 0;             // characters outside the alphabet that were skipped
    std::size_t bad_escapes = 0;      // QP "=" not followed by two hex digits, kept literally
    bool stopped_on_garbage = false;  // base64 decoding stopped at a line that is not base64
    bool truncated = false;           // max_out reached
};

// Base64 body (line structure allowed). Whitespace is ignored; a few stray
// characters are skipped; a line that is mostly not base64, or text after the
// padding that does not look like another base64 block, ends the decoding.
void decode_base64(std::string_view in, std::string& out, std::size_t max_out,
                   DecodeReport& report);

// Quoted-printable body: soft line breaks joined, CRLF turned into LF,
// trailing blanks removed (RFC 2045 6.7 rule 3), bad escapes kept as written.
void decode_quoted_printable(std::string_view in, std::string& out, std::size_t max_out,
                             DecodeReport& report);

// RFC 2047 "Q" text: like quoted-printable but '_' stands for a space.
void decode_q_word(std::string_view in, std::string& out);

}  // namespace dspamd::mime
