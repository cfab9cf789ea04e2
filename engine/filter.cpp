// The classify / train / retrain pipeline: parse → tokenize → one fetch →
// combine → one apply.
#include "engine/filter.h"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "classifier/mime/message.h"
#include "classifier/tokenizer.h"
#include "classifier/training.h"
#include "engine/log.h"
#include "engine/preferences.h"

namespace dspamd {
namespace {

constexpr std::size_t k_signature_id_bytes = 12;
// A user's preferences are read again after this long, so a change made in
// the database reaches a long-running daemon without a reload.
constexpr std::chrono::seconds k_user_context_ttl{60};  // 96 random bits: unguessable, 24 hex digits

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

Outcome Filter::classify(std::string_view raw, std::string_view user, bool dry_run,
                         bool keep_names) {
    const UserContext context = user_context(user);
    const ClassifierConfig& settings = context.settings;

    ParsedMessage message = parse_message(raw, settings.limits);
    MessageTokens tokens = collect_tokens(message, settings.tokenizer, keep_names);
    Snapshot snapshot = m_store.fetch(context.id, tokens.tokens);

    Outcome outcome;
    outcome.user = user;
    outcome.verdict = combine(snapshot.stats, snapshot.totals, settings.scoring);
    outcome.token_count = tokens.tokens.size();
    outcome.token_names = std::move(tokens.names);
    if (dry_run) {
        return outcome;
    }
    SignatureRecord record;
    record.id = new_signature_id();
    LearnContext learn_context;
    learn_context.confidence = outcome.verdict.confidence;
    learn_context.score = outcome.verdict.counts_score;
    learn_context.logistic = outcome.verdict.logistic_steps;
    learn_context.totals = snapshot.totals;
    TrainingDelta delta = learn_classified(snapshot.stats, outcome.verdict.result,
                                           settings.training, record.signature, learn_context);
    m_store.apply(context.id, delta, &record);
    outcome.signature_id = std::move(record.id);
    return outcome;
}

void Filter::train(std::string_view raw, std::string_view user, Class cls) {
    const UserContext context = user_context(user);
    ParsedMessage message = parse_message(raw, context.settings.limits);
    MessageTokens tokens = collect_tokens(message, context.settings.tokenizer, false);
    // The weights' step depends on how they score the message now: one fetch,
    // only for the algorithms that have weights.
    std::optional<LogisticSteps> logistic;
    if (uses_weights(context.settings.scoring.algorithm)) {
        const Snapshot snapshot = m_store.fetch(context.id, tokens.tokens);
        logistic =
            combine(snapshot.stats, snapshot.totals, context.settings.scoring).logistic_steps;
    }
    m_store.apply(context.id, learn_corpus(tokens.tokens, cls, logistic), nullptr);
}

RetrainStatus Filter::retrain(std::string_view user, std::string_view signature_id, Class right) {
    const UserContext context = user_context(user);
    std::optional<Signature> signature = m_store.load_signature(context.id, signature_id);
    if (!signature) {
        return RetrainStatus::unknown_signature;
    }
    if (signature->result == right) {
        return RetrainStatus::already_right;
    }
    SignatureRecord record{std::string(signature_id), std::move(*signature)};
    TrainingDelta delta = correct(record.signature, right, context.settings.training);
    m_store.apply(context.id, delta, &record);
    return RetrainStatus::corrected;
}

RetrainStatus Filter::retrain_content(std::string_view raw, std::string_view user, Class right) {
    const UserContext context = user_context(user);
    ParsedMessage message = parse_message(raw, context.settings.limits);
    MessageTokens tokens = collect_tokens(message, context.settings.tokenizer, false);
    Snapshot snapshot = m_store.fetch(context.id, tokens.tokens);
    Verdict verdict = combine(snapshot.stats, snapshot.totals, context.settings.scoring);
    if (verdict.result == right) {
        return RetrainStatus::already_right;
    }
    // Without a signature nobody knows what was learned from this message, so
    // nothing is taken away: the right class is learned as from a corpus.
    // Safe when the message was never seen; under TEFT its old learning stays.
    m_store.apply(context.id, learn_corpus(tokens.tokens, right, verdict.logistic_steps), nullptr);
    return RetrainStatus::corrected;
}

}  // namespace dspamd
