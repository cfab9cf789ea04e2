// Training deltas: what a classification, a corpus feed or a correction
// changes, following DSPAM 3.10 (src/libdspam.c: dspam_process,
// _ds_increment_tokens, _ds_process_signature) with one difference by design:
// a signature records exactly what was learned, so a correction takes back
// exactly that instead of DSPAM's guess from the training mode.
//
// Totals, so that dspam_stats' formulas (classifier/statistics.h) come out
// right:
//   classified, learned (TEFT, TUM, TOE warm-up)   result_learned + 1
//   classified, not learned (TOE, NOTRAIN)          result_classified + 1
//   corpus                                          cls_learned + 1, cls_corpusfed + 1
//   correction A -> B   A_learned - 1 (or A_classified - 1 when it was not learned),
//                       B_learned + 1 (NOTRAIN: B_classified + 1, nothing learned),
//                       B_misclassified + 1 as in DSPAM; correcting back to the
//                       class first given takes that misclassified count back.
// DSPAM's NOTRAIN adds B_learned + 1 on a correction without learning a token;
// here *_learned always counts exactly the messages whose tokens are in the
// store, because token probabilities divide by it.
//
// Weights: learn_classified adds steps.of(result) to every token; a
// correction A -> B adds steps.of(B) - steps.of(A) to every token. Integers
// all the way, so learn, correct and correct back leave each weight as it was.
//
// Signature encoding, version 2:
//   byte     version (2)
//   byte     flags: bit 0 result is spam, bit 1 totals_learned, bit 2 corrected,
//            bit 3 repeats follow, bit 4 withdrawn, bit 5 logistic steps follow,
//            bit 6 rate classes follow, bit 7 header steps follow
//   varint   repeats (only with bit 3; >= 1)
//   varint   number of learned tokens, varint number of unlearned tokens
//   [varint  zigzag(spam step), varint zigzag(innocent step)]   when bit 5;
//            spam in [0, k_max_weight_step], innocent in [-k_max_weight_step, 0]
//   [varint  zigzag(header spam step), varint zigzag(header innocent step)]
//            when bit 7 (only with bit 5), the same bounds
//   varints  learned tokens ascending: the first as is, then each minus the
//            previous (>= 1); then the unlearned tokens the same way
//   bytes    with bit 6: one rate class per token, in the order of the
//            ascending union of both lists (top bit: a header token)
// Varints are LEB128 (7 bits a byte, least significant first), minimal;
// zigzag maps 0, -1, 1, -2 ... to 0, 1, 2, 3 ... Version 1, written before
// weights existed, is version 2 without bit 5 and is still read.
#include "classifier/training.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace dspamd {
namespace {

constexpr std::uint8_t k_signature_version = 2;
constexpr std::uint8_t k_signature_version_without_weights = 1;
constexpr std::uint8_t k_flag_spam = 0x01;
constexpr std::uint8_t k_flag_totals_learned = 0x02;
constexpr std::uint8_t k_flag_corrected = 0x04;
constexpr std::uint8_t k_flag_repeats = 0x08;
constexpr std::uint8_t k_flag_withdrawn = 0x10;
constexpr std::uint8_t k_flag_logistic = 0x20;
constexpr std::uint8_t k_flag_rate_classes = 0x40;
constexpr std::uint8_t k_flag_header_steps = 0x80;
constexpr std::uint8_t k_version_1_flags = k_flag_spam | k_flag_totals_learned | k_flag_corrected |
                                           k_flag_repeats | k_flag_withdrawn;
constexpr std::uint8_t k_known_flags =
    k_version_1_flags | k_flag_logistic | k_flag_rate_classes | k_flag_header_steps;
constexpr std::uint64_t k_max_repeats = 1000;  // far above any iteration limit
constexpr std::size_t k_max_varint_bytes = 10;  // ceil(64 / 7)

std::int64_t& learned_total(Totals& t, Class c) {
    return c == Class::spam ? t.spam_learned : t.innocent_learned;
}
std::int64_t& classified_total(Totals& t, Class c) {
    return c == Class::spam ? t.spam_classified : t.innocent_classified;
}
std::int64_t& misclassified_total(Totals& t, Class c) {
    return c == Class::spam ? t.spam_misclassified : t.innocent_misclassified;
}
std::int64_t& corpusfed_total(Totals& t, Class c) {
    return c == Class::spam ? t.spam_corpusfed : t.innocent_corpusfed;
}

TokenDelta delta_for(Token token, Class c, std::int32_t amount) {
    TokenDelta d;
    d.token = token;
    (c == Class::spam ? d.spam : d.innocent) = amount;
    return d;
}

std::vector<Token> sorted_unique(std::vector<Token> tokens) {
    std::sort(tokens.begin(), tokens.end());
    tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
    return tokens;
}

// DSPAM's TOE trains like TEFT until both classes have more than 100 learned.
bool toe_warming_up(const TrainingParams& params, const LearnContext& context) {
    return context.totals.has_value() && (context.totals->spam_learned <= params.toe_warmup ||
                                          context.totals->innocent_learned <= params.toe_warmup);
}

// DSPAM's TUM (_ds_increment_tokens): a token with 50 hits is not written
// again unless the verdict was doubtful.
bool tum_learns(const TokenStat& stat, const TrainingParams& params, double confidence) {
    return confidence < params.tum_min_confidence ||
           stat.counts.spam + stat.counts.innocent < params.tum_maturity;
}

void put_varint(std::string& out, std::uint64_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<char>((value & 0x7f) | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<char>(value));
}

std::uint64_t zigzag(std::int64_t value) {
    return (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
}

std::int64_t unzigzag(std::uint64_t value) {
    return static_cast<std::int64_t>((value >> 1) ^ (~(value & 1) + 1));
}

void put_tokens(std::string& out, const std::vector<Token>& tokens) {
    Token previous = 0;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        put_varint(out, i == 0 ? tokens[i] : tokens[i] - previous);
        previous = tokens[i];
    }
}

class Reader {
public:
    explicit Reader(std::string_view bytes) : m_bytes(bytes) {}

    std::size_t remaining() const { return m_bytes.size() - m_pos; }

    bool byte(std::uint8_t& out) {
        if (m_pos >= m_bytes.size()) {
            return false;
        }
        out = static_cast<std::uint8_t>(m_bytes[m_pos++]);
        return true;
    }

    // Minimal LEB128 of at most 64 bits.
    bool varint(std::uint64_t& out) {
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < k_max_varint_bytes; ++i) {
            std::uint8_t b = 0;
            if (!byte(b)) {
                return false;
            }
            const std::uint64_t bits = b & 0x7f;
            if (i == k_max_varint_bytes - 1 && bits > 1) {
                return false;  // beyond 64 bits
            }
            value |= bits << (7 * i);
            if ((b & 0x80) == 0) {
                if (i > 0 && b == 0) {
                    return false;  // overlong: a trailing zero group
                }
                out = value;
                return true;
            }
        }
        return false;
    }

    // `count` strictly ascending tokens as varint deltas.
    bool tokens(std::uint64_t count, std::vector<Token>& out) {
        // Each token takes at least one byte: bounds the allocation.
        if (count > remaining()) {
            return false;
        }
        out.clear();
        out.reserve(static_cast<std::size_t>(count));
        Token previous = 0;
        for (std::uint64_t i = 0; i < count; ++i) {
            std::uint64_t value = 0;
            if (!varint(value)) {
                return false;
            }
            if (i > 0) {
                if (value == 0 || value > ~previous) {
                    return false;  // not ascending, or past 2^64
                }
                value += previous;
            }
            out.push_back(value);
            previous = value;
        }
        return true;
    }

private:
    std::string_view m_bytes;
    std::size_t m_pos = 0;
};

bool disjoint(const std::vector<Token>& a, const std::vector<Token>& b) {
    auto ia = a.begin();
    auto ib = b.begin();
    while (ia != a.end() && ib != b.end()) {
        if (*ia == *ib) {
            return false;
        }
        if (*ia < *ib) {
            ++ia;
        } else {
            ++ib;
        }
    }
    return true;
}

// The stats in ascending token order, each token once (the first of its
// entries).
std::vector<TokenStat> sorted_unique(std::span<const TokenStat> stats) {
    std::vector<TokenStat> sorted(stats.begin(), stats.end());
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const TokenStat& a, const TokenStat& b) { return a.token < b.token; });
    sorted.erase(
        std::unique(sorted.begin(), sorted.end(),
                    [](const TokenStat& a, const TokenStat& b) { return a.token == b.token; }),
        sorted.end());
    return sorted;
}

}  // namespace

std::vector<RateClass> rate_classes(std::span<const TokenStat> sorted, const LearnContext& context) {
    const bool any_header = std::any_of(sorted.begin(), sorted.end(),
                                        [](const TokenStat& s) { return s.from_header(); });
    const FeatureParams& features = context.logistic_features;
    const bool scaled = context.logistic_decay_hits > 0.0 ||
                        ((features.rarity_power > 0.0 || features.evidence_weight > 0.0) &&
                         context.totals);
    std::vector<RateClass> classes;
    if (!scaled && !any_header) {
        return classes;
    }
    classes.reserve(sorted.size());
    for (const TokenStat& stat : sorted) {
        const double value =
            context.totals ? feature_value(stat.counts, *context.totals, features) : 1.0;
        const RateClass q = rate_class(
            std::max<std::int64_t>(stat.counts.spam, 0) + std::max<std::int64_t>(stat.counts.innocent, 0),
            context.logistic_decay_hits, value);
        classes.push_back(stat.from_header() ? (q | k_header_class_bit) : q);
    }
    return classes;
}

TrainingDelta learn_classified(std::span<const TokenStat> stats, Class result,
                               const TrainingParams& params, Signature& signature,
                               const LearnContext& context) {
    const std::vector<TokenStat> sorted = sorted_unique(stats);

    TrainingMode mode = params.mode;
    if (mode == TrainingMode::toe && toe_warming_up(params, context)) {
        mode = TrainingMode::teft;
    }

    TrainingDelta delta;
    signature = Signature{};
    signature.result = result;
    const bool near_error =
        mode == TrainingMode::tone && std::fabs(context.score) < params.tone_margin;
    const bool learns = mode == TrainingMode::teft || mode == TrainingMode::tum || near_error;
    // NOTRAIN learns nothing, weights included; every other mode moves the
    // weights on every message (the logistic learner's own rule).
    if (mode != TrainingMode::notrain) {
        signature.logistic = context.logistic;
    }
    if (signature.logistic) {
        signature.rate_classes = rate_classes(sorted, context);
    }
    std::size_t k = 0;
    for (const TokenStat& stat : sorted) {
        const bool learn_token =
            mode == TrainingMode::teft || near_error ||
            (mode == TrainingMode::tum && tum_learns(stat, params, context.confidence));
        TokenDelta d = delta_for(stat.token, result, learn_token ? 1 : 0);
        d.weight = token_weight_step(signature, result, k++);
        if (!d.empty()) {
            delta.tokens.push_back(d);
        }
        (learn_token ? signature.learned : signature.unlearned).push_back(stat.token);
    }
    if (learns) {
        learned_total(delta.totals, result) += 1;
        signature.totals_learned = true;
    } else {
        classified_total(delta.totals, result) += 1;
    }
    return delta;
}

std::int64_t token_weight_step(const Signature& signature, Class cls, std::size_t k) {
    if (!signature.logistic) {
        return 0;
    }
    const RateClass q = k < signature.rate_classes.size() ? signature.rate_classes[k] : 0;
    return scaled_step(signature.logistic->of(cls, (q & k_header_class_bit) != 0), q);
}

TrainingDelta learn_corpus(std::span<const Token> tokens, Class cls) {
    TrainingDelta delta;
    for (Token token : sorted_unique(std::vector<Token>(tokens.begin(), tokens.end()))) {
        delta.tokens.push_back(delta_for(token, cls, 1));
    }
    learned_total(delta.totals, cls) += 1;
    corpusfed_total(delta.totals, cls) += 1;
    return delta;
}

TrainingDelta learn_content(std::span<const Token> tokens, Class cls,
                            std::span<const TokenStat> stats, const LearnContext& context) {
    TrainingDelta delta = learn_corpus(tokens, cls);
    if (!context.logistic) {
        return delta;
    }
    Signature steps;  // token_weight_step's view of the steps and classes
    steps.logistic = context.logistic;
    const std::vector<TokenStat> sorted = sorted_unique(stats);
    steps.rate_classes = rate_classes(sorted, context);
    for (TokenDelta& d : delta.tokens) {
        const auto at = std::lower_bound(
            sorted.begin(), sorted.end(), d.token,
            [](const TokenStat& stat, Token token) { return stat.token < token; });
        const bool scored = at != sorted.end() && at->token == d.token;
        // A token the scoring did not see (the sender's) takes the whole
        // body step, as learn_sender gives it.
        d.weight = scored ? token_weight_step(steps, cls, static_cast<std::size_t>(at - sorted.begin()))
                          : context.logistic->of(cls);
    }
    return delta;
}

TrainingDelta correct(Signature& signature, Class right, const TrainingParams& params) {
    TrainingDelta delta;
    if (signature.result == right) {
        return delta;
    }
    const Class wrong = signature.result;
    const std::vector<Token> learned = sorted_unique(signature.learned);
    std::vector<Token> all;
    {
        const std::vector<Token> unlearned = sorted_unique(signature.unlearned);
        std::set_union(learned.begin(), learned.end(), unlearned.begin(), unlearned.end(),
                       std::back_inserter(all));
    }
    // An error trains every token (DSPAM: source=error bypasses TUM and TOE);
    // NOTRAIN only takes back what was learned.
    const bool learns = params.mode != TrainingMode::notrain;
    auto learned_it = learned.begin();
    for (std::size_t k = 0; k < all.size(); ++k) {
        const Token token = all[k];
        TokenDelta d;
        d.token = token;
        // Two roundings, each as the step was (or will be) added: exact.
        d.weight = token_weight_step(signature, right, k) - token_weight_step(signature, wrong, k);
        if (learned_it != learned.end() && *learned_it == token) {
            (wrong == Class::spam ? d.spam : d.innocent) = -1;
            ++learned_it;
        }
        if (learns) {
            (right == Class::spam ? d.spam : d.innocent) = 1;
        }
        if (!d.empty()) {
            delta.tokens.push_back(d);
        }
    }

    if (signature.totals_learned) {
        learned_total(delta.totals, wrong) -= 1;
    } else {
        classified_total(delta.totals, wrong) -= 1;
    }
    if (learns) {
        learned_total(delta.totals, right) += 1;
    } else {
        classified_total(delta.totals, right) += 1;
    }
    if (signature.corrected) {
        // Back to what the classifier said: the earlier correction was the error.
        misclassified_total(delta.totals, wrong) -= 1;
    } else {
        misclassified_total(delta.totals, right) += 1;
    }

    signature.result = right;
    signature.corrected = !signature.corrected;
    signature.totals_learned = learns;
    if (learns) {
        signature.learned = std::move(all);
        signature.unlearned.clear();
    } else {
        signature.learned.clear();
        signature.unlearned = std::move(all);
    }
    return delta;
}

std::string encode_signature(const Signature& signature) {
    const std::vector<Token> learned = sorted_unique(signature.learned);
    // A token both learned and unlearned is learned; keeps the output decodable.
    std::vector<Token> unlearned;
    {
        const std::vector<Token> seen = sorted_unique(signature.unlearned);
        std::set_difference(seen.begin(), seen.end(), learned.begin(), learned.end(),
                            std::back_inserter(unlearned));
    }
    std::string out;
    // A delta of sorted 64-bit hashes takes 8 or 9 varint bytes.
    out.reserve(8 + 9 * (learned.size() + unlearned.size()));
    out.push_back(static_cast<char>(k_signature_version));
    std::uint8_t flags = 0;
    if (signature.result == Class::spam) {
        flags |= k_flag_spam;
    }
    if (signature.totals_learned) {
        flags |= k_flag_totals_learned;
    }
    if (signature.corrected) {
        flags |= k_flag_corrected;
    }
    if (signature.repeats > 0) {
        flags |= k_flag_repeats;
    }
    if (signature.withdrawn) {
        flags |= k_flag_withdrawn;
    }
    const bool header_steps = signature.logistic && (signature.logistic->header_spam != 0 ||
                                                     signature.logistic->header_innocent != 0);
    if (signature.logistic) {
        flags |= k_flag_logistic;
    }
    if (header_steps) {
        flags |= k_flag_header_steps;
    }
    // Classes that do not match the token lists (duplicates that were
    // dropped above) cannot be placed; they are left out.
    const bool rate_classes = !signature.rate_classes.empty() &&
                              signature.rate_classes.size() == learned.size() + unlearned.size();
    if (rate_classes) {
        flags |= k_flag_rate_classes;
    }
    out.push_back(static_cast<char>(flags));
    if (signature.repeats > 0) {
        put_varint(out, signature.repeats);
    }
    put_varint(out, learned.size());
    put_varint(out, unlearned.size());
    if (signature.logistic) {
        put_varint(out, zigzag(signature.logistic->spam));
        put_varint(out, zigzag(signature.logistic->innocent));
    }
    if (header_steps) {
        put_varint(out, zigzag(signature.logistic->header_spam));
        put_varint(out, zigzag(signature.logistic->header_innocent));
    }
    put_tokens(out, learned);
    put_tokens(out, unlearned);
    if (rate_classes) {
        out.append(signature.rate_classes.begin(), signature.rate_classes.end());
    }
    return out;
}

bool decode_signature(std::string_view bytes, Signature& out) {
    Reader reader(bytes);
    std::uint8_t version = 0;
    std::uint8_t flags = 0;
    if (!reader.byte(version) || !reader.byte(flags)) {
        return false;
    }
    const std::uint8_t allowed = version == k_signature_version ? k_known_flags
                                 : version == k_signature_version_without_weights
                                     ? k_version_1_flags
                                     : 0;
    if (allowed == 0 || (flags & ~allowed) != 0) {
        return false;
    }
    std::uint64_t repeats = 0;
    if ((flags & k_flag_repeats) != 0 &&
        (!reader.varint(repeats) || repeats == 0 || repeats > k_max_repeats)) {
        return false;
    }
    std::uint64_t learned_count = 0;
    std::uint64_t unlearned_count = 0;
    if (!reader.varint(learned_count) || !reader.varint(unlearned_count)) {
        return false;
    }
    Signature decoded;
    if ((flags & k_flag_logistic) != 0) {
        std::uint64_t spam = 0;
        std::uint64_t innocent = 0;
        if (!reader.varint(spam) || !reader.varint(innocent)) {
            return false;
        }
        std::uint64_t header_spam = 0;
        std::uint64_t header_innocent = 0;
        if ((flags & k_flag_header_steps) != 0 &&
            (!reader.varint(header_spam) || !reader.varint(header_innocent))) {
            return false;
        }
        decoded.logistic = LogisticSteps{unzigzag(spam), unzigzag(innocent), unzigzag(header_spam),
                                         unzigzag(header_innocent)};
        // Learning spam never lowers a weight, learning innocent never raises one.
        const auto valid = [](std::int64_t spam_step, std::int64_t innocent_step) {
            return spam_step >= 0 && spam_step <= k_max_weight_step && innocent_step <= 0 &&
                   innocent_step >= -k_max_weight_step;
        };
        if (!valid(decoded.logistic->spam, decoded.logistic->innocent) ||
            !valid(decoded.logistic->header_spam, decoded.logistic->header_innocent)) {
            return false;
        }
    } else if ((flags & k_flag_header_steps) != 0) {
        return false;
    }
    decoded.result = (flags & k_flag_spam) != 0 ? Class::spam : Class::innocent;
    decoded.totals_learned = (flags & k_flag_totals_learned) != 0;
    decoded.corrected = (flags & k_flag_corrected) != 0;
    decoded.repeats = static_cast<std::uint32_t>(repeats);
    decoded.withdrawn = (flags & k_flag_withdrawn) != 0;
    if (!reader.tokens(learned_count, decoded.learned) ||
        !reader.tokens(unlearned_count, decoded.unlearned) ||
        !disjoint(decoded.learned, decoded.unlearned)) {
        return false;
    }
    if ((flags & k_flag_rate_classes) != 0) {
        // Only beside weight steps, and one byte per token: the count is
        // checked against what is left before anything is allocated.
        const std::uint64_t count = learned_count + unlearned_count;
        if ((flags & k_flag_logistic) == 0 || count == 0 || reader.remaining() != count) {
            return false;
        }
        decoded.rate_classes.resize(count);
        for (RateClass& q : decoded.rate_classes) {
            reader.byte(q);
        }
    }
    if (reader.remaining() != 0) {
        return false;
    }
    out = std::move(decoded);
    return true;
}

}  // namespace dspamd
