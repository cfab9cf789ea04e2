// The end-of-message logic: classify, decide, record; see the header.
#include "milter/message_processor.h"

#include <strings.h>

#include <chrono>
#include <cstdio>

#include "classifier/mime/message.h"
#include "engine/log.h"
#include "storage/limits.h"

namespace dspamd::milter {
namespace {

constexpr std::string_view k_no_queue_id = "NOQUEUE";
// Each user costs one classification at end of message, which must finish
// well within Postfix's milter_content_timeout: users past this many are
// not classified (the message gets the action of those that were).
constexpr std::size_t k_max_users_per_message = 100;

std::string four(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.4f", value);
    return buffer;
}

std::string queue_id_of(const MessageInput& input) {
    return input.queue_id.empty() ? std::string(k_no_queue_id) : input.queue_id;
}

// The decoded Subject, storable.
std::string decoded_subject(const ParsedMessage& message) {
    for (const Header& header : message.headers) {
        if (strcasecmp(header.name.c_str(), "Subject") == 0) {
            return clean_text(header.value, k_max_history_text_bytes);
        }
    }
    return {};
}

SpamAction spam_action_of(const Runtime& runtime, const std::string& user) {
    SpamAction action = runtime.config().actions.spam_action;
    const std::map<std::string, std::string> preferences = runtime.filter().preferences(user);
    if (auto it = preferences.find("spamAction"); it != preferences.end()) {
        if (!parse_spam_action(it->second, action)) {
            log_debug("user " + user + ": ignoring unknown spamAction \"" + it->second + "\"");
        }
    }
    return action;
}

// Writes one history row; a failure costs the row, not the message.
void record(const Runtime& runtime, const std::string& user, HistoryEntry entry) {
    try {
        runtime.store().record_history(runtime.store().user_id(user), entry);
    } catch (const std::exception& e) {
        log_warning(entry.queue_id + ": history of " + user + " not recorded: " + e.what());
    }
}

HistoryEntry history_entry(const Runtime& runtime, const MessageInput& input,
                           const std::string& subject, std::time_t now) {
    HistoryEntry entry;
    entry.time = static_cast<std::int64_t>(now);
    entry.sender = clean_text(input.sender, k_max_history_text_bytes);
    entry.subject = subject;
    entry.queue_id = clean_text(input.queue_id, k_max_queue_id_bytes);
    entry.host = clean_text(runtime.host(), k_max_host_bytes);
    return entry;
}

Decision untagged(const MessageInput& input) {
    Decision decision;
    decision.reply = Reply::proceed;
    // Even untagged mail loses X-DSPAM-* fields from outside: a sender
    // could otherwise make oversized spam look judged innocent.
    decision.edits.changes = remove_foreign_headers(input.dspam_headers);
    return decision;
}

// libpq's messages span lines (and end with one); a log line must not.
std::string one_line(std::string_view text) {
    std::string out;
    bool space = false;
    for (const char c : text) {
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
            space = !out.empty();
            continue;
        }
        if (space) {
            out += ' ';
            space = false;
        }
        out += c;
    }
    return out;
}

Decision failure(FailurePolicy policy, const MessageInput& input, const std::string& cause) {
    const std::string what = one_line(cause);
    Decision decision;
    if (policy == FailurePolicy::tempfail) {
        decision.reply = Reply::tempfail;
        decision.code = "451";
        decision.xcode = "4.3.0";
        decision.text = reply_text("Spam filter temporarily unavailable, try again later");
        decision.log_line = queue_id_of(input) + ": " + what + "; action=tempfail";
    } else {
        decision = untagged(input);
        decision.log_line = queue_id_of(input) + ": " + what + "; action=accept-untagged";
    }
    return decision;
}

Decision retrain(const Runtime& runtime, const MessageInput& input, std::time_t now) {
    Decision decision;
    if (input.oversize) {
        decision.reply = Reply::reject;
        decision.code = "552";
        decision.xcode = "5.3.4";
        decision.text = reply_text("Retraining request too large (" + input.oversize_reason + ")");
        decision.log_line = queue_id_of(input) + ": retraining request too large, rejected";
        return decision;
    }
    const Config& config = runtime.config();
    ParsedMessage message = parse_message(input.raw, config.classifier.limits);
    const std::string subject = decoded_subject(message);
    std::string log = queue_id_of(input) + ": retrain";
    for (const RetrainTarget& target : input.retrain) {
        RetrainResult result =
            perform_retrain(runtime.filter(), runtime.store(), message, input.raw, target);
        log += " user=" + target.user + " class=" + std::string(class_name(target.right));
        log += result.by_content ? " by=content" : " signature=" + result.signature;
        switch (result.status) {
            case RetrainStatus::corrected:
                log += " status=corrected";
                break;
            case RetrainStatus::already_right:
                log += " status=already-right";
                break;
            case RetrainStatus::unknown_signature:
                log += " status=unknown-signature";
                break;
        }
        if (result.released) {
            const QuarantineEntry& held = *result.released;
            log += " released=" + held.queue_id;
            const auto& command = config.retrain.release_command;
            if (command.empty()) {
                log += " (hold queue: release it with postsuper -H " + held.queue_id + ")";
            } else if (held.host != runtime.host()) {
                log += " (held on " + held.host + ": release it there)";
            } else {
                const int status = run_release_command(command, held.queue_id);
                log += " release-command=" + std::to_string(status);
            }
        }
        HistoryEntry entry = history_entry(runtime, input, subject, now);
        entry.result = result_word(target.right);
        entry.action = "retrain";
        entry.probability = target.right == Class::spam ? 1.0 : 0.0;
        entry.signature = result.by_content ? "" : result.signature;
        record(runtime, target.user, entry);
    }
    decision.reply = Reply::discard;
    decision.log_line = log + " action=discard";
    return decision;
}

Decision classify(const Runtime& runtime, const MessageInput& input, std::time_t now) {
    const Config& config = runtime.config();
    std::vector<std::string> users = distinct_users(runtime.policy(), input.recipients);
    std::string skipped;
    if (users.size() > k_max_users_per_message) {
        skipped = " (" + std::to_string(users.size() - k_max_users_per_message) +
                  " more users not classified)";
        users.resize(k_max_users_per_message);
    }
    if (users.empty()) {
        Decision decision = untagged(input);
        decision.log_line =
            queue_id_of(input) + ": no recipient with a user; action=accept-untagged";
        return decision;
    }
    std::vector<Outcome> outcomes;
    std::vector<MessageAction> actions;
    for (std::size_t i = 0; i < users.size(); ++i) {
        // Factors only for the user whose headers are written.
        outcomes.push_back(runtime.filter().classify(input.raw, users[i], false,
                                                     config.actions.show_factors && i == 0));
        const Verdict& verdict = outcomes.back().verdict;
        actions.push_back(user_action(verdict.result, verdict.confidence,
                                      spam_action_of(runtime, users[i]),
                                      config.actions.reject_confidence));
    }
    const MessageAction action = message_action(actions);
    const Outcome& first = outcomes.front();

    Decision decision;
    decision.reply = Reply::proceed;
    decision.edits.changes = remove_foreign_headers(input.dspam_headers);
    decision.edits.additions = dspam_headers(first, config.actions.show_factors, now);
    if (action == MessageAction::tag && !config.actions.subject_prefix.empty()) {
        if (input.subject) {
            decision.edits.changes.push_back(HeaderChange{
                "Subject", 1, prefixed_subject(config.actions.subject_prefix, *input.subject)});
        } else {
            decision.edits.additions.push_back({"Subject", config.actions.subject_prefix});
        }
    }
    if (config.actions.signature_location == SignatureLocation::message &&
        !first.signature_id.empty()) {
        decision.edits.body = body_with_signature_tag(
            std::string_view(input.raw).substr(input.body_offset), first.signature_id);
    }

    ParsedMessage headers_only = parse_message(
        std::string_view(input.raw).substr(0, input.body_offset), config.classifier.limits);
    const std::string subject = decoded_subject(headers_only);
    if (action == MessageAction::quarantine) {
        decision.quarantine_reason = "dspamd: spam, probability " + four(first.verdict.probability);
        for (std::size_t i = 0; i < users.size(); ++i) {
            QuarantineEntry held;
            held.time = static_cast<std::int64_t>(now);
            held.queue_id = clean_text(queue_id_of(input), k_max_queue_id_bytes);
            held.host = clean_text(runtime.host(), k_max_host_bytes);
            held.sender = clean_text(input.sender, k_max_history_text_bytes);
            for (const std::string& recipient : input.recipients) {
                if (held.recipients.size() < k_max_quarantine_recipients) {
                    held.recipients.push_back(clean_text(recipient, k_max_history_text_bytes));
                }
            }
            held.subject = subject;
            held.probability = outcomes[i].verdict.probability;
            held.signature = outcomes[i].signature_id;
            held.message =
                input.raw.substr(0, static_cast<std::size_t>(config.actions.quarantine_copy_bytes));
            held.message_size = static_cast<std::int64_t>(input.raw.size());
            runtime.store().add_quarantine(runtime.store().user_id(users[i]), held);
        }
    } else if (action == MessageAction::reject) {
        decision.reply = Reply::reject;
        decision.code = "550";
        decision.xcode = "5.7.1";
        decision.text = reply_text(config.actions.reject_text);
        decision.edits = MessageEdits{};
    }

    std::string user_list, results, probabilities;
    for (std::size_t i = 0; i < users.size(); ++i) {
        const Verdict& verdict = outcomes[i].verdict;
        const std::string separator = i == 0 ? "" : ",";
        user_list += separator + users[i];
        results += separator + result_word(outcomes[i]);
        probabilities += separator + four(verdict.probability);
        HistoryEntry entry = history_entry(runtime, input, subject, now);
        entry.result = result_word(outcomes[i]);
        entry.action = message_action_name(action);
        entry.probability = verdict.probability;
        entry.signature = outcomes[i].signature_id;
        record(runtime, users[i], entry);
    }
    decision.log_line = queue_id_of(input) + ": users=" + user_list + " result=" + results +
                        " probability=" + probabilities +
                        " action=" + std::string(message_action_name(action)) + skipped;
    return decision;
}

}  // namespace

Decision process_message(const Runtime& runtime, const MessageInput& input, std::time_t now) {
    const auto start = std::chrono::steady_clock::now();
    const MilterConfig& milter = runtime.config().milter;
    Decision decision;
    try {
        if (!input.retrain.empty()) {
            decision = retrain(runtime, input, now);
        } else if (is_outgoing(runtime.policy(), input.client, input.auth_authen)) {
            decision.reply = Reply::accept;
            decision.log_line = queue_id_of(input) + ": outgoing (" +
                                (input.auth_authen.empty() ? "trusted network" : "authenticated") +
                                "), not filtered; action=accept";
        } else if (input.oversize) {
            decision = untagged(input);
            decision.log_line = queue_id_of(input) + ": too large (" + input.oversize_reason +
                                "), not filtered; action=accept-untagged";
        } else {
            decision = classify(runtime, input, now);
        }
    } catch (const StoreUnavailable& e) {
        const FailurePolicy policy =
            input.retrain.empty() ? milter.on_database_error : FailurePolicy::tempfail;
        decision = failure(policy, input, std::string("database unavailable: ") + e.what());
    } catch (const std::exception& e) {
        const FailurePolicy policy =
            input.retrain.empty() ? milter.on_internal_error : FailurePolicy::tempfail;
        decision = failure(policy, input, std::string("internal error: ") + e.what());
    }
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    decision.log_line += " ms=" + std::to_string(elapsed.count());
    return decision;
}

}  // namespace dspamd::milter
