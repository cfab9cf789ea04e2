// Golden tests of the whole front end: each sample message in
// test/data/messages/*.eml goes through parse_message() and tokenize(), and
// the token texts (one per line, in emission order) must equal
// test/data/golden/<name>.<tokenizer>.tokens. A missing golden file fails.
// After a deliberate change to the parser or the tokenizers, regenerate the
// files with DSPAMD_UPDATE_GOLDEN=1 and review the diff before committing.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "classifier/mime/message.h"
#include "classifier/tokenizer.h"

namespace dspamd {
namespace {

namespace fs = std::filesystem;

constexpr TokenizerKind k_golden_kinds[] = {TokenizerKind::word, TokenizerKind::chain,
                                            TokenizerKind::osb};

bool update_requested() {
    const char* value = std::getenv("DSPAMD_UPDATE_GOLDEN");
    return value != nullptr && std::string_view(value) == "1";
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

std::vector<fs::path> sample_messages() {
    std::vector<fs::path> paths;
    const fs::path dir = fs::path(DSPAMD_TEST_DATA) / "messages";
    if (fs::is_directory(dir)) {
        for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
            if (entry.is_regular_file() && entry.path().extension() == ".eml") {
                paths.push_back(entry.path());
            }
        }
    }
    std::sort(paths.begin(), paths.end());
    return paths;
}

std::string token_dump(const ParsedMessage& message, TokenizerKind kind) {
    TokenizerParams params;
    params.kind = kind;
    std::string dump;
    tokenize(message, params, [&dump](std::string_view text) {
        dump.append(text);
        dump.push_back('\n');
    });
    return dump;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

// Reports the first differing line rather than two whole dumps.
void check_same(const std::string& expected, const std::string& actual, const fs::path& golden) {
    if (expected == actual) {
        return;
    }
    const std::vector<std::string> want = lines_of(expected);
    const std::vector<std::string> got = lines_of(actual);
    std::size_t line = 0;
    while (line < want.size() && line < got.size() && want[line] == got[line]) {
        ++line;
    }
    const std::string want_line = line < want.size() ? want[line] : "<end of file>";
    const std::string got_line = line < got.size() ? got[line] : "<end of tokens>";
    FAIL_CHECK(golden.string() << ":" << line + 1 << ": expected '" << want_line << "', got '"
                               << got_line << "' (" << want.size() << " tokens expected, "
                               << got.size() << " produced; DSPAMD_UPDATE_GOLDEN=1 rewrites)");
}

TEST_CASE("golden: token dumps of the sample messages") {
    const std::vector<fs::path> samples = sample_messages();
    REQUIRE_MESSAGE(!samples.empty(), "no sample messages in " DSPAMD_TEST_DATA "/messages");
    const fs::path golden_dir = fs::path(DSPAMD_TEST_DATA) / "golden";
    const bool update = update_requested();
    for (const fs::path& sample : samples) {
        const ParsedMessage message = parse_message(read_file(sample), MimeLimits{});
        for (TokenizerKind kind : k_golden_kinds) {
            const fs::path golden =
                golden_dir /
                (sample.stem().string() + "." + std::string(tokenizer_kind_name(kind)) + ".tokens");
            const std::string actual = token_dump(message, kind);
            if (update) {
                fs::create_directories(golden_dir);
                std::ofstream(golden, std::ios::binary | std::ios::trunc) << actual;
                MESSAGE("rewrote " << golden.string());
                continue;
            }
            if (!fs::exists(golden)) {
                FAIL_CHECK("missing golden file " << golden.string()
                                                  << " (generate with DSPAMD_UPDATE_GOLDEN=1)");
                continue;
            }
            check_same(read_file(golden), actual, golden);
        }
    }
}

TEST_CASE("golden: the same message always gives the same tokens") {
    const std::vector<fs::path> samples = sample_messages();
    REQUIRE(!samples.empty());
    const std::string raw = read_file(samples.front());
    const ParsedMessage first = parse_message(raw, MimeLimits{});
    const ParsedMessage second = parse_message(raw, MimeLimits{});
    CHECK(token_dump(first, TokenizerKind::sbph) == token_dump(second, TokenizerKind::sbph));
}

}  // namespace
}  // namespace dspamd
