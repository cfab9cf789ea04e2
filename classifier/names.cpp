// The names of the classifier's settings as written in configuration files,
// preferences and on the command line (DSPAM's spellings).
#include <algorithm>
#include <array>
#include <utility>

#include "classifier/combiner.h"
#include "classifier/tokenizer.h"
#include "classifier/training.h"

namespace dspamd {
namespace {

template <typename Enum, std::size_t N>
bool parse_name(const std::array<std::pair<std::string_view, Enum>, N>& table,
                std::string_view name, Enum& out) {
    auto it = std::find_if(table.begin(), table.end(),
                           [name](const auto& entry) { return entry.first == name; });
    if (it == table.end()) {
        return false;
    }
    out = it->second;
    return true;
}

template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<std::string_view, Enum>, N>& table,
                         Enum value) {
    for (const auto& [name, entry] : table) {
        if (entry == value) {
            return name;
        }
    }
    return "unknown";
}

constexpr std::array<std::pair<std::string_view, TokenizerKind>, 4> k_tokenizers{{
    {"word", TokenizerKind::word},
    {"chain", TokenizerKind::chain},
    {"osb", TokenizerKind::osb},
    {"sbph", TokenizerKind::sbph},
}};

constexpr std::array<std::pair<std::string_view, Algorithm>, 8> k_algorithms{{
    {"graham", Algorithm::graham},
    {"burton", Algorithm::burton},
    {"robinson", Algorithm::robinson},
    {"chi-square", Algorithm::chi_square},
    {"naive", Algorithm::naive},
    {"fisher", Algorithm::fisher},
    {"logistic", Algorithm::logistic},
    {"fisher-logistic", Algorithm::fisher_logistic},
}};

constexpr std::array<std::pair<std::string_view, TrainingMode>, 5> k_training_modes{{
    {"teft", TrainingMode::teft},
    {"toe", TrainingMode::toe},
    {"tum", TrainingMode::tum},
    {"notrain", TrainingMode::notrain},
    {"tone", TrainingMode::tone},
}};

}  // namespace

bool parse_tokenizer_kind(std::string_view name, TokenizerKind& out) {
    return parse_name(k_tokenizers, name, out);
}
std::string_view tokenizer_kind_name(TokenizerKind kind) { return name_of(k_tokenizers, kind); }

bool parse_algorithm(std::string_view name, Algorithm& out) {
    return parse_name(k_algorithms, name, out);
}
std::string_view algorithm_name(Algorithm algorithm) { return name_of(k_algorithms, algorithm); }

bool parse_training_mode(std::string_view name, TrainingMode& out) {
    return parse_name(k_training_modes, name, out);
}
std::string_view training_mode_name(TrainingMode mode) { return name_of(k_training_modes, mode); }

}  // namespace dspamd
