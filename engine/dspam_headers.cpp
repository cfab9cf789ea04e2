// X-DSPAM-* header formatting (DSPAM 3.10's formats: probabilities and
// confidence as %01.4f, factors as "count," then "token, probability" lines).
#include "engine/dspam_headers.h"

#include <cinttypes>
#include <cstdio>

namespace dspamd {
namespace {

std::string four_decimals(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%01.4f", value);
    return buffer;
}

std::string processed_date(std::time_t t) {
    struct tm local {};
    localtime_r(&t, &local);
    char buffer[64];
    // ctime()'s layout without its newline, as DSPAM writes it.
    std::strftime(buffer, sizeof buffer, "%a %b %e %H:%M:%S %Y", &local);
    return buffer;
}

std::string factor_text(const Outcome& outcome, Token token) {
    auto it = outcome.token_names.find(token);
    if (it != outcome.token_names.end()) {
        // Header values stay 7-bit and on one line whatever the token holds.
        std::string text = it->second;
        for (char& c : text) {
            auto byte = static_cast<unsigned char>(c);
            if (byte < 0x21 || byte > 0x7e || c == ',') {
                c = '?';
            }
        }
        return text;
    }
    char buffer[24];
    std::snprintf(buffer, sizeof buffer, "%016" PRIx64, token);
    return buffer;
}

}  // namespace

std::string result_word(Class c) { return c == Class::spam ? "Spam" : "Innocent"; }

std::string result_word(const Outcome& outcome) {
    return outcome.whitelisted ? "Whitelisted" : result_word(outcome.verdict.result);
}

std::vector<HeaderField> dspam_headers(const Outcome& outcome, bool show_factors,
                                       std::time_t processed_at) {
    const Verdict& verdict = outcome.verdict;
    std::vector<HeaderField> headers{
        {"X-DSPAM-Result", result_word(outcome)},
        {"X-DSPAM-Processed", processed_date(processed_at)},
        {"X-DSPAM-Confidence", four_decimals(verdict.confidence)},
        {"X-DSPAM-Probability", four_decimals(verdict.probability)},
    };
    if (!outcome.signature_id.empty()) {
        headers.push_back({"X-DSPAM-Signature", outcome.signature_id});
    }
    if (show_factors) {
        std::string factors = std::to_string(verdict.factors.size()) + ",";
        for (std::size_t i = 0; i < verdict.factors.size(); ++i) {
            const Factor& factor = verdict.factors[i];
            factors += "\n\t" + factor_text(outcome, factor.token) + ", ";
            char probability[32];
            std::snprintf(probability, sizeof probability, "%01.5f", factor.probability);
            factors += probability;
            if (i + 1 < verdict.factors.size()) {
                factors += ",";
            }
        }
        headers.push_back({"X-DSPAM-Factors", factors});
    }
    return headers;
}

}  // namespace dspamd
