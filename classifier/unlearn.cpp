// Unlearning a corpus feed or a classified message.
#include "classifier/unlearn.h"

#include <algorithm>
#include <iterator>

#include "classifier/delta_merge.h"
#include "classifier/test_conditional.h"

namespace dspamd {

TrainingDelta unlearn_corpus(std::span<const Token> tokens, Class cls) {
    // learn_corpus's delta negated: the same tokens, the same totals.
    TrainingDelta delta = learn_corpus(tokens, cls);
    for (TokenDelta& d : delta.tokens) {
        d.spam = -d.spam;
        d.innocent = -d.innocent;
    }
    Totals negated;
    negated.spam_learned = -delta.totals.spam_learned;
    negated.innocent_learned = -delta.totals.innocent_learned;
    negated.spam_corpusfed = -delta.totals.spam_corpusfed;
    negated.innocent_corpusfed = -delta.totals.innocent_corpusfed;
    delta.totals = negated;
    return delta;
}

TrainingDelta unlearn_signature(Signature& signature) {
    if (signature.withdrawn) {
        return {};
    }
    TrainingDelta repeats = take_back_repeats(signature);
    TrainingDelta delta;
    std::vector<Token> learned = signature.learned;
    std::sort(learned.begin(), learned.end());
    learned.erase(std::unique(learned.begin(), learned.end()), learned.end());
    for (Token token : learned) {
        TokenDelta d;
        d.token = token;
        (signature.result == Class::spam ? d.spam : d.innocent) = -1;
        delta.tokens.push_back(d);
    }
    const bool spam = signature.result == Class::spam;
    if (signature.totals_learned) {
        (spam ? delta.totals.spam_learned : delta.totals.innocent_learned) = -1;
    } else {
        (spam ? delta.totals.spam_classified : delta.totals.innocent_classified) = -1;
    }
    if (signature.corrected) {
        (spam ? delta.totals.spam_misclassified : delta.totals.innocent_misclassified) = -1;
    }

    std::vector<Token> seen = signature.unlearned;
    std::sort(seen.begin(), seen.end());
    std::vector<Token> all;
    std::set_union(learned.begin(), learned.end(), seen.begin(), seen.end(),
                   std::back_inserter(all));
    all.erase(std::unique(all.begin(), all.end()), all.end());
    // Every token of the message, learned or not, holds its weight step.
    if (signature.logistic) {
        TrainingDelta weights;
        for (std::size_t k = 0; k < all.size(); ++k) {
            TokenDelta d;
            d.token = all[k];
            d.weight = -token_weight_step(signature, signature.result, k);
            if (!d.empty()) {
                weights.tokens.push_back(d);
            }
        }
        delta = merge_deltas(delta, weights);
    }
    signature.logistic.reset();
    signature.rate_classes.clear();
    signature.learned.clear();
    signature.unlearned = std::move(all);
    signature.totals_learned = false;
    signature.corrected = false;
    signature.withdrawn = true;
    return merge_deltas(repeats, delta);
}

}  // namespace dspamd
