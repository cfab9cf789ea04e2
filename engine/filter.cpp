// The classify / train / retrain pipeline: parse → tokenize → one fetch →
// combine → one apply.
#include "engine/filter.h"

#include <sys/random.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <span>
#include <stdexcept>
#include <system_error>

#include "classifier/bnr.h"
#include "classifier/delta_merge.h"
#include "classifier/mime/message.h"
#include "classifier/sedation.h"
#include "classifier/test_conditional.h"
#include "classifier/tokenizer.h"
#include "classifier/training.h"
#include "classifier/unlearn.h"
#include "classifier/whitelist.h"
#include "engine/log.h"
#include "engine/preferences.h"

namespace dspamd {
namespace {

constexpr std::size_t k_signature_id_bytes = 12;  // 96 random bits: unguessable, 24 hex digits

// A user's preferences are read again after this long, so a change made in
// the database reaches a long-running daemon without a reload.
constexpr std::chrono::seconds k_user_context_ttl{60};

// What the message says of each token beside the store's counts: how often
// it occurs and the header line it came from. All lists are sorted by token.
void mark_message_tokens(std::vector<TokenStat>& stats, const MessageTokens& tokens) {
    std::size_t h = 0;
    std::size_t t = 0;
    for (TokenStat& stat : stats) {
        while (h < tokens.header_tokens.size() && tokens.header_tokens[h] < stat.token) {
            ++h;
        }
        const bool from_header = h < tokens.header_tokens.size() && tokens.header_tokens[h] == stat.token;
        stat.header_line = from_header ? tokens.header_lines[h] : 0;
        while (t < tokens.tokens.size() && tokens.tokens[t] < stat.token) {
            ++t;
        }
        const bool counted = t < tokens.frequencies.size() && tokens.tokens[t] == stat.token;
        stat.frequency = counted ? std::max<std::uint32_t>(tokens.frequencies[t], 1) : 1;
    }
}

// What learning needs to move the weights as the scoring measured them: the
// verdict's steps, and each token's rate class from the same settings and
// totals. Classification and retraining by content both learn with it.
LearnContext weights_context(const ScoringParams& scoring, const Verdict& verdict,
                             const Totals& totals) {
    LearnContext context;
    context.logistic = verdict.logistic_steps;
    context.logistic_decay_hits = scoring.logistic_decay_hits;
    context.logistic_features = scoring.logistic_features();
    context.totals = totals;
    return context;
}

std::string new_signature_id() {
    std::array<unsigned char, k_signature_id_bytes> bytes{};
    std::size_t filled = 0;
    while (filled < bytes.size()) {
        ssize_t n = getrandom(bytes.data() + filled, bytes.size() - filled, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw std::system_error(errno, std::generic_category(), "getrandom");
        }
        filled += static_cast<std::size_t>(n);
    }
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string id;
    id.reserve(bytes.size() * 2);
    for (unsigned char b : bytes) {
        id += k_hex[b >> 4];
        id += k_hex[b & 0x0f];
    }
    return id;
}

}  // namespace

Filter::Filter(const Config& config, Store& store) : m_config(config), m_store(store) {}

Filter::UserContext Filter::user_context(std::string_view user) {
    {
        std::lock_guard lock(m_users_mutex);
        auto it = m_users.find(std::string(user));
        if (it != m_users.end() &&
            std::chrono::steady_clock::now() - it->second.loaded < k_user_context_ttl) {
            return it->second;
        }
    }
    // First sight of this user in a while: create it if needed, attach the
    // merged group, read its preferences. Once a minute, not per message.
    UserContext context;
    context.id = m_store.user_id(user);
    const std::string& group = m_config.users.merge_group;
    if (!group.empty() && group != user) {
        m_store.set_merge_group(context.id, m_store.user_id(group));
    }
    std::vector<std::string> warnings;
    context.preferences = m_store.preferences(context.id);
    context.settings = apply_preferences(m_config.classifier, context.preferences, warnings);
    for (const auto& warning : warnings) {
        log_warning("user " + std::string(user) + ": " + warning);
    }
    context.loaded = std::chrono::steady_clock::now();
    std::lock_guard lock(m_users_mutex);
    m_users.insert_or_assign(std::string(user), context);
    return context;
}

std::map<std::string, std::string> Filter::preferences(std::string_view user) {
    return user_context(user).preferences;
}

Filter::Scored Filter::score(const UserContext& context, const ParsedMessage& message,
                             const MessageTokens& message_tokens) {
    const ClassifierConfig& settings = context.settings;
    const std::vector<Token>& tokens = message_tokens.tokens;
    Scored scored;
    if (settings.whitelist.enabled) {
        scored.sender = sender_token(message);
    }
    // The sender token rides along in the same fetch, then leaves the stats:
    // it decides only through the whitelist rule.
    Counts sender_counts;
    if (scored.sender) {
        // A message token of the same hash (never seen: the prefix is not a
        // tokenizer's) would stay a token; only an added sender token leaves.
        const bool added = !std::binary_search(tokens.begin(), tokens.end(), *scored.sender);
        std::vector<Token> wanted = tokens;
        if (added) {
            wanted.insert(std::lower_bound(wanted.begin(), wanted.end(), *scored.sender),
                          *scored.sender);
        }
        scored.snapshot = m_store.fetch(context.id, wanted);
        auto it = std::lower_bound(
            scored.snapshot.stats.begin(), scored.snapshot.stats.end(), *scored.sender,
            [](const TokenStat& stat, Token token) { return stat.token < token; });
        sender_counts = it->counts;
        if (added) {
            scored.snapshot.stats.erase(it);
        }
    } else {
        scored.snapshot = m_store.fetch(context.id, tokens);
    }
    mark_message_tokens(scored.snapshot.stats, message_tokens);
    const Totals& totals = scored.snapshot.totals;
    const ScoringParams& scoring = settings.scoring;

    std::span<const TokenStat> seen = scored.snapshot.stats;
    std::vector<TokenStat> sedated;
    const std::int64_t min_hits = sedated_min_hits(
        scoring.min_hits, totals, settings.statistical_sedation,
        settings.training.mode == TrainingMode::tum);
    if (min_hits > scoring.min_hits) {
        sedated = sedate(seen, min_hits, scoring.processor_bias);
        seen = sedated;
    }

    std::vector<TokenStat> denoised;
    if (settings.bnr.enabled && totals.innocent_seen() > k_bnr_learn_innocent) {
        const BnrStreams streams = bnr_streams(message, settings.tokenizer);
        const std::vector<Token> patterns = bnr_pattern_tokens(streams, seen, totals, scoring);
        scored.pattern_stats = m_store.fetch(context.id, patterns).stats;
        if (totals.innocent_seen() > k_bnr_apply_innocent) {
            // DSPAM's patterns need the sedation threshold's hits, else none.
            const std::int64_t pattern_min_hits = min_hits > scoring.min_hits ? min_hits : 0;
            const std::vector<Token> noise = bnr_eliminated(
                streams, seen, scored.pattern_stats, totals, scoring, pattern_min_hits);
            scored.noise_tokens = noise.size();
            if (!noise.empty()) {
                for (const TokenStat& stat : seen) {
                    if (!std::binary_search(noise.begin(), noise.end(), stat.token)) {
                        denoised.push_back(stat);
                    }
                }
                seen = denoised;
            }
        }
    }

    scored.verdict = combine(seen, totals, scoring);
    if (scored.sender && is_whitelisted(sender_counts, settings.whitelist)) {
        // As DSPAM: the result is overridden, probability and score stay.
        scored.verdict.result = Class::innocent;
        scored.whitelisted = true;
    }
    return scored;
}

std::vector<Token> Filter::corpus_tokens(const ClassifierConfig& settings,
                                         const ParsedMessage& message, std::vector<Token> tokens) {
    if (settings.whitelist.enabled) {
        if (std::optional<Token> sender = sender_token(message)) {
            tokens.push_back(*sender);  // learn_corpus sorts and deduplicates
        }
    }
    return tokens;
}

Outcome Filter::classify(std::string_view raw, std::string_view user, bool dry_run,
                         bool keep_names) {
    const UserContext context = user_context(user);
    const ClassifierConfig& settings = context.settings;

    ParsedMessage message = parse_message(raw, settings.limits);
    MessageTokens tokens = collect_tokens(message, settings.tokenizer, keep_names);
    Scored scored = score(context, message, tokens);

    Outcome outcome;
    outcome.user = user;
    outcome.verdict = std::move(scored.verdict);
    outcome.whitelisted = scored.whitelisted;
    outcome.noise_tokens = scored.noise_tokens;
    outcome.token_count = tokens.tokens.size();
    outcome.token_names = std::move(tokens.names);
    if (dry_run) {
        return outcome;
    }
    SignatureRecord record;
    record.id = new_signature_id();
    LearnContext learn_context =
        weights_context(settings.scoring, outcome.verdict, scored.snapshot.totals);
    learn_context.confidence = outcome.verdict.confidence;
    learn_context.score = outcome.verdict.counts_score;
    std::vector<TokenStat>& stats = scored.snapshot.stats;
    // BNR patterns are learned with the message, so a correction moves them too.
    stats.insert(stats.end(), scored.pattern_stats.begin(), scored.pattern_stats.end());
    TrainingDelta delta = learn_classified(stats, outcome.verdict.result, settings.training,
                                           record.signature, learn_context);
    if (scored.sender && settings.training.mode != TrainingMode::notrain) {
        learn_sender(*scored.sender, outcome.verdict.result, delta, record.signature);
    }
    m_store.apply(context.id, delta, &record);
    outcome.signature_id = std::move(record.id);
    return outcome;
}

void Filter::train(std::string_view raw, std::string_view user, Class cls) {
    const UserContext context = user_context(user);
    ParsedMessage message = parse_message(raw, context.settings.limits);
    MessageTokens tokens = collect_tokens(message, context.settings.tokenizer, false);
    // Counts only: a corpus is fed a class at a time (all the spam, then all
    // the ham), and online weights fed that way end up leaning towards the
    // last class; the counts do not depend on the order. The weights learn
    // from classified mail.
    const std::vector<Token> all = corpus_tokens(context.settings, message, std::move(tokens.tokens));
    m_store.apply(context.id, learn_corpus(all, cls), nullptr);
}

void Filter::untrain(std::string_view raw, std::string_view user, Class cls) {
    const UserContext context = user_context(user);
    ParsedMessage message = parse_message(raw, context.settings.limits);
    MessageTokens tokens = collect_tokens(message, context.settings.tokenizer, false);
    const std::vector<Token> all = corpus_tokens(context.settings, message, std::move(tokens.tokens));
    // A feed moved counts only (train): taking them back is exact.
    m_store.apply(context.id, unlearn_corpus(all, cls), nullptr);
}

RetrainStatus Filter::retrain(std::string_view user, std::string_view signature_id, Class right) {
    const UserContext context = user_context(user);
    std::optional<Signature> signature = m_store.load_signature(context.id, signature_id);
    if (!signature || signature->withdrawn) {
        return RetrainStatus::unknown_signature;
    }
    if (signature->result == right) {
        return RetrainStatus::already_right;
    }
    SignatureRecord record{std::string(signature_id), std::move(*signature)};
    // Earlier test-conditional passes go first, so the correction is exact.
    TrainingDelta delta = take_back_repeats(record.signature);
    delta = merge_deltas(delta, correct(record.signature, right, context.settings.training));
    m_store.apply(context.id, delta, &record);
    if (context.settings.test_conditional.enabled &&
        context.settings.training.mode != TrainingMode::notrain) {
        test_conditional_passes(context, record, right);
    }
    return RetrainStatus::corrected;
}

void Filter::test_conditional_passes(const UserContext& context, SignatureRecord& record,
                                     Class right) {
    const ClassifierConfig& settings = context.settings;
    for (int pass = 1; pass < settings.test_conditional.max_iterations; ++pass) {
        // As DSPAM's retrain_message: classified again from the signature,
        // whose tokens include the sender and BNR patterns when those were
        // learned (DSPAM's signature holds them too).
        Snapshot snapshot = m_store.fetch(context.id, record.signature.learned);
        if (!test_conditional_applies(right, snapshot.totals)) {
            return;
        }
        const std::int64_t min_hits =
            sedated_min_hits(settings.scoring.min_hits, snapshot.totals,
                             settings.statistical_sedation,
                             settings.training.mode == TrainingMode::tum);
        const Verdict verdict =
            min_hits > settings.scoring.min_hits
                ? combine(sedate(snapshot.stats, min_hits, settings.scoring.processor_bias),
                          snapshot.totals, settings.scoring)
                : combine(snapshot.stats, snapshot.totals, settings.scoring);
        if (verdict.result == right) {
            return;
        }
        m_store.apply(context.id, repeat_training(record.signature), &record);
    }
}

bool Filter::unlearn(std::string_view user, std::string_view signature_id) {
    const UserContext context = user_context(user);
    std::optional<Signature> signature = m_store.load_signature(context.id, signature_id);
    if (!signature || signature->withdrawn) {
        return false;
    }
    SignatureRecord record{std::string(signature_id), std::move(*signature)};
    m_store.apply(context.id, unlearn_signature(record.signature), &record);
    return true;
}

RetrainStatus Filter::retrain_content(std::string_view raw, std::string_view user, Class right) {
    const UserContext context = user_context(user);
    ParsedMessage message = parse_message(raw, context.settings.limits);
    MessageTokens tokens = collect_tokens(message, context.settings.tokenizer, false);
    const Scored scored = score(context, message, tokens);
    if (scored.verdict.result == right) {
        return RetrainStatus::already_right;
    }
    // Without a signature nobody knows what was learned from this message, so
    // nothing is taken away: the right class is counted as from a corpus,
    // and the weights take the steps and rate classes of this scoring.
    // Safe when the message was never seen; under TEFT its old learning stays.
    // The sender token is learned too: a whitelisted sender corrected to spam
    // is no longer whitelisted.
    const std::vector<Token> all = corpus_tokens(context.settings, message, tokens.tokens);
    m_store.apply(context.id,
                  learn_content(all, right, scored.snapshot.stats,
                                weights_context(context.settings.scoring, scored.verdict,
                                                scored.snapshot.totals)),
                  nullptr);
    return RetrainStatus::corrected;
}

}  // namespace dspamd
