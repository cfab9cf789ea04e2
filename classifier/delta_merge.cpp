// Merging two sorted delta lists.
#include "classifier/delta_merge.h"

namespace dspamd {

TrainingDelta merge_deltas(const TrainingDelta& a, const TrainingDelta& b) {
    TrainingDelta sum;
    sum.totals = a.totals;
    sum.totals += b.totals;
    sum.tokens.reserve(a.tokens.size() + b.tokens.size());
    auto ia = a.tokens.begin();
    auto ib = b.tokens.begin();
    auto push = [&sum](const TokenDelta& d) {
        if (d.spam != 0 || d.innocent != 0 || d.weight != 0) {
            sum.tokens.push_back(d);
        }
    };
    while (ia != a.tokens.end() || ib != b.tokens.end()) {
        if (ib == b.tokens.end() || (ia != a.tokens.end() && ia->token < ib->token)) {
            push(*ia++);
        } else if (ia == a.tokens.end() || ib->token < ia->token) {
            push(*ib++);
        } else {
            push(TokenDelta{ia->token, ia->spam + ib->spam, ia->innocent + ib->innocent,
                            ia->weight + ib->weight});
            ++ia;
            ++ib;
        }
    }
    return sum;
}

}  // namespace dspamd
