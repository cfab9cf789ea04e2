// The X-DSPAM-* headers, in DSPAM's names and formats so that existing MUA
// and Sieve filters keep working.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "engine/filter.h"

namespace dspamd {

struct HeaderField {
    std::string name;
    std::string value;  // may hold folded continuation lines ("\n\t")
};

// X-DSPAM-Result, -Processed, -Confidence, -Probability, -Signature (when
// one was stored) and, with `show_factors`, -Factors.
std::vector<HeaderField> dspam_headers(const Outcome& outcome, bool show_factors,
                                       std::time_t processed_at);

// DSPAM's result word for a class: "Spam" or "Innocent".
std::string result_word(Class c);
// The X-DSPAM-Result word of an outcome: "Whitelisted" for a whitelisted
// sender, else the class's word.
std::string result_word(const Outcome& outcome);

}  // namespace dspamd
