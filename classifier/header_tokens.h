// Header tokens: a header becomes tokens prefixed with its name, in DSPAM's
// "Name*word" shape, plus a "Header*Name" token for its presence. Headers
// matching TokenizerParams::ignored_headers give nothing at all. Header names
// are written in canonical case ("Message-Id") so a sender's spelling of the
// name does not split the evidence.
//
// Values that are noise for everybody are reduced to what carries meaning:
//   Message-Id, In-Reply-To, References, Content-Id   the domain after '@'
//                                  (the local part is random: one-off tokens)
//   Date, Resent-Date, Delivery-Date                  the time zone only
//   Received, X-Received           words before the date (';'), without the
//                                  queue id that follows "id"
//   DKIM-Signature, ARC-Seal, ...  the d= and s= tags (the rest is base64)
//   Content-Type, Content-Disposition   the media type and parameters:
//                                  "Content-Type*text/html",
//                                  "Content-Type*charset=utf-8",
//                                  "Content-Disposition*filename=.pdf",
//                                  other parameters by name ("...*boundary")
//   X-Google-Smtp-Source and similar opaque blobs     presence only
// All other headers: their words through the lexer and the n-gram stage.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "classifier/lexer.h"
#include "classifier/mime/message.h"
#include "classifier/token_output.h"
#include "classifier/tokenizer.h"

namespace dspamd {

constexpr std::size_t k_max_header_name_bytes = 64;
constexpr std::size_t k_max_domain_bytes = 253;   // RFC 1035
constexpr std::size_t k_max_ids_per_header = 50;  // References can be long
constexpr std::size_t k_max_mime_params = 16;
constexpr std::size_t k_max_param_value_bytes = 40;
constexpr std::size_t k_max_extension_bytes = 8;
constexpr std::string_view k_presence_prefix = "Header*";
constexpr std::string_view k_invalid_name_token = "Header*invalid-name";

// Case-insensitive match of a header name against a pattern where '*'
// stands for any run of characters ("X-Spam-*", "X-*MailScanner*").
bool header_name_matches(std::string_view pattern, std::string_view name);

// "message-ID" -> "Message-Id": upper case after the start and each '-'.
void canonical_header_name(std::string_view name, std::string& out);

class HeaderTokenizer {
public:
    HeaderTokenizer(const TokenizerParams& params, TokenOutput& out);

    // `top_level`: a header of the message itself, whose presence is a
    // token; false for the Content-* headers of MIME parts and the headers
    // of attached messages. Returns false when the output asked to stop.
    bool add(const Header& header, bool top_level);

private:
    bool ignored(std::string_view name) const;
    bool emit_single(std::string_view value, std::string_view more = {});
    bool add_words(std::string_view value, bool received);
    bool add_ids(std::string_view value);
    bool add_date(std::string_view value);
    bool add_signature(std::string_view value);
    bool add_mime(std::string_view value);
    bool add_mime_param(std::string_view name, std::string_view value);

    const TokenizerParams& m_params;
    TokenOutput& m_out;
    std::string m_name;    // canonical name of the current header
    std::string m_prefix;  // "Name*"
    std::string m_param;   // a parameter or tag name with its '='
    std::string m_value;   // a normalised piece of the value
    WordList m_words;
};

}  // namespace dspamd
