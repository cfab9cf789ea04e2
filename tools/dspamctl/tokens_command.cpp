// dspamctl tokens: the tokens of a message, one "hash text" a line in the
// order the tokenizer emits them (duplicates included). The tokenizer's
// golden tests and anyone asking "why this verdict" read this.
#include <cinttypes>
#include <cstdio>
#include <iostream>

#include "classifier/hash.h"
#include "classifier/mime/message.h"
#include "classifier/tokenizer.h"
#include "tools/dspamctl/commands.h"

namespace dspamd::cli {

int tokens_command(const std::vector<std::string>& argv) {
    Arguments args(argv, with_common({"tokenizer"}, k_common_values),
                   with_common({"distinct"}, k_common_flags));
    Config config = load_cli_config(args);
    TokenizerParams params = config.classifier.tokenizer;
    if (auto name = args.value("tokenizer")) {
        if (!parse_tokenizer_kind(*name, params.kind)) {
            throw UsageError("--tokenizer must be word, chain, osb or sbph");
        }
    }
    for (const auto& input : read_inputs(args.operands())) {
        ParsedMessage message = parse_message(input.bytes, config.classifier.limits);
        if (args.flag("distinct")) {
            MessageTokens tokens = collect_tokens(message, params, true);
            for (Token token : tokens.tokens) {
                std::printf("%016" PRIx64 " %s\n", token, tokens.names[token].c_str());
            }
            continue;
        }
        tokenize(message, params, [](std::string_view text) {
            std::printf("%016" PRIx64 " %.*s\n", token_hash(text), static_cast<int>(text.size()),
                        text.data());
        });
    }
    return k_exit_ok;
}

}  // namespace dspamd::cli
