// Test-conditional retraining: the extra passes and their undoing.
#include "classifier/test_conditional.h"

#include <limits>

namespace dspamd {
namespace {

// DSPAM: "Only attempt test-conditional training on a mature corpus".
constexpr std::int64_t k_mature_innocent = 1000;

TrainingDelta passes(const Signature& signature, std::int32_t count) {
    TrainingDelta delta;
    delta.tokens.reserve(signature.learned.size());
    for (Token token : signature.learned) {
        TokenDelta d;
        d.token = token;
        (signature.result == Class::spam ? d.spam : d.innocent) = count;
        delta.tokens.push_back(d);
    }
    if (signature.result == Class::spam) {
        delta.totals.spam_learned = count;
        delta.totals.spam_corpusfed = count;
    } else {
        delta.totals.innocent_learned = count;
        delta.totals.innocent_corpusfed = count;
    }
    return delta;
}

}  // namespace

bool test_conditional_applies(Class right, const Totals& totals) {
    return right == Class::innocent || totals.innocent_seen() >= k_mature_innocent;
}

TrainingDelta repeat_training(Signature& signature) {
    TrainingDelta delta = passes(signature, 1);
    ++signature.repeats;
    return delta;
}

TrainingDelta take_back_repeats(Signature& signature) {
    if (signature.repeats == 0) {
        return {};
    }
    const auto count = static_cast<std::int32_t>(
        std::min<std::uint32_t>(signature.repeats, std::numeric_limits<std::int32_t>::max()));
    TrainingDelta delta = passes(signature, -count);
    signature.repeats = 0;
    return delta;
}

}  // namespace dspamd
