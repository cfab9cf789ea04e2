// The filter pipeline shared by dspamctl and the milter: parse, tokenize, one
// fetch, combine, then learn according to the user's training mode in one
// apply. Corrections (retraining) go through signatures. A Filter holds no
// per-message state; one instance may serve many threads when its Store does.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "classifier/combiner.h"
#include "engine/config.h"
#include "storage/store.h"

namespace dspamd {

// One classified message.
struct Outcome {
    std::string user;
    Verdict verdict;
    // The sender is whitelisted (classifier/whitelist.h): verdict.result is
    // innocent whatever the combiner said; X-DSPAM-Result says "Whitelisted".
    bool whitelisted = false;
    std::size_t noise_tokens = 0;  // tokens Bayesian Noise Reduction kept from the combiner
    std::string signature_id;  // empty when nothing was stored (dry run)
    std::size_t token_count = 0;
    std::unordered_map<Token, std::string> token_names;  // when factors were asked for
};

enum class RetrainStatus {
    corrected,          // counts moved to the right class
    already_right,      // the signature already says so: nothing to do
    unknown_signature,  // expired, never stored, or another user's
};

class Filter {
public:
    Filter(const Config& config, Store& store);

    // Classifies `raw` for `user` and, unless `dry_run`, learns it according
    // to the user's training mode and stores its signature.
    Outcome classify(std::string_view raw, std::string_view user, bool dry_run = false,
                     bool keep_names = false);

    // Corpus feeding: learns `raw` as `cls` without classifying it.
    void train(std::string_view raw, std::string_view user, Class cls);

    // Takes back a corpus feeding of `raw` as `cls` (DSPAM's unlearn mode);
    // exact when the tokenizer settings are those it was learned with.
    void untrain(std::string_view raw, std::string_view user, Class cls);

    // A user's correction of a message it was given a signature for. With
    // test-conditional training on, the message is then classified again
    // from its signature and learned again while still wrong.
    RetrainStatus retrain(std::string_view user, std::string_view signature_id, Class right);

    // Takes back everything the signature's message taught (DSPAM's unlearn
    // mode, classifier/unlearn.h). False when the signature is unknown or
    // was already unlearned.
    bool unlearn(std::string_view user, std::string_view signature_id);

    // A correction of a message without a (known) signature: the content is
    // classified again and, if that verdict is wrong, learned as `right`:
    // counted the way a corpus is (in *_corpusfed: nobody knows what it
    // was), each weight moving as learning the classified message would.
    RetrainStatus retrain_content(std::string_view raw, std::string_view user, Class right);

    // The user's preferences (spamAction...), re-read like the settings.
    std::map<std::string, std::string> preferences(std::string_view user);

    const Config& config() const { return m_config; }
    Store& store() { return m_store; }  // for figures about what was stored (eval)

private:
    struct UserContext {
        UserId id = 0;
        ClassifierConfig settings;  // global settings with the user's preferences applied
        std::map<std::string, std::string> preferences;
        std::chrono::steady_clock::time_point loaded;
    };
    UserContext user_context(std::string_view user);

    // A message scored for a user: the counts read, what the combiner saw,
    // the verdict; what BNR and the whitelist need to learn it afterwards.
    struct Scored {
        Snapshot snapshot;                   // the message's tokens, without the sender token
        std::vector<TokenStat> pattern_stats;  // BNR patterns to learn with it (may be empty)
        std::optional<Token> sender;         // the whitelist's sender token, when enabled
        Verdict verdict;
        bool whitelisted = false;
        std::size_t noise_tokens = 0;
    };
    Scored score(const UserContext& context, const ParsedMessage& message,
                 const MessageTokens& tokens);
    // The message's tokens plus the sender token when whitelisting is on.
    std::vector<Token> corpus_tokens(const ClassifierConfig& settings,
                                     const ParsedMessage& message, std::vector<Token> tokens);
    void test_conditional_passes(const UserContext& context, SignatureRecord& record, Class right);

    const Config& m_config;
    Store& m_store;
    std::mutex m_users_mutex;
    std::unordered_map<std::string, UserContext> m_users;
};

}  // namespace dspamd
