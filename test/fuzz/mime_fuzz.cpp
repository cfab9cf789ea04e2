// libFuzzer target: parse_message() then collect_tokens() on arbitrary
// bytes. Besides the sanitizers' checks it asserts the parser's promises:
// every string handed to the tokenizers is valid UTF-8 and every limit holds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "classifier/mime/charset.h"
#include "classifier/mime/message.h"
#include "classifier/tokenizer.h"

namespace {

// Tight limits so that the fuzzer reaches every limit path with small inputs.
dspamd::MimeLimits fuzz_limits() {
    dspamd::MimeLimits limits;
    limits.max_message_bytes = 512 * 1024;
    limits.max_header_bytes = 8 * 1024;
    limits.max_headers = 64;
    limits.max_parts = 32;
    limits.max_depth = 6;
    limits.max_text_bytes = 32 * 1024;
    return limits;
}

void require(bool condition) {
    if (!condition) {
        std::abort();
    }
}

void require_utf8(std::string_view text) {
    require(dspamd::mime::is_valid_utf8(text));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const dspamd::MimeLimits limits = fuzz_limits();
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    const dspamd::ParsedMessage message = dspamd::parse_message(raw, limits);

    require(message.headers.size() <= limits.max_headers);
    for (const auto& header : message.headers) {
        require_utf8(header.name);
        require_utf8(header.value);
    }
    for (const auto& header : message.part_headers) {
        require_utf8(header.value);
    }
    require(message.texts.size() <= limits.max_parts);
    for (const auto& part : message.texts) {
        require(part.text.size() <= limits.max_text_bytes);
        require(!part.text.empty());
        require_utf8(part.text);
    }
    for (const auto& url : message.urls) {
        require_utf8(url);
    }

    dspamd::TokenizerParams params;
    const dspamd::MessageTokens tokens = dspamd::collect_tokens(message, params, true);
    require(tokens.tokens.size() <= params.max_tokens);
    return 0;
}
