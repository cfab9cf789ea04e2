// Recognising, authorising and performing retraining requests by mail.
#include "milter/retrain_request.h"

#include <spawn.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

#include "engine/signature_lookup.h"

extern char** environ;

namespace dspamd::milter {
namespace {

constexpr std::string_view k_user_placeholder = "{user}";
constexpr std::string_view k_signature_line = "X-DSPAM-Signature:";

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Matches `local@domain` against one pattern; the named address when it has
// {user}, "" when it has none, nothing when it does not match.
std::optional<std::string> match_pattern(std::string_view pattern, std::string_view local,
                                         std::string_view domain) {
    const std::string p = lower(pattern);
    const std::size_t at = p.find('@');
    const std::string_view template_local = std::string_view(p).substr(0, at);
    const std::string_view template_domain = std::string_view(p).substr(at + 1);
    if (!template_domain.empty() && template_domain != domain) {
        return std::nullopt;
    }
    const std::size_t user = template_local.find(k_user_placeholder);
    if (user == std::string_view::npos) {
        return local == template_local ? std::optional<std::string>("") : std::nullopt;
    }
    const std::string_view prefix = template_local.substr(0, user);
    const std::string_view suffix = template_local.substr(user + k_user_placeholder.size());
    if (local.size() <= prefix.size() + suffix.size() || !local.starts_with(prefix) ||
        !local.ends_with(suffix)) {
        return std::nullopt;
    }
    std::string named(local.substr(prefix.size(), local.size() - prefix.size() - suffix.size()));
    if (!domain.empty()) {
        named += "@";
        named += domain;
    }
    return named;
}

}  // namespace

std::optional<RetrainMatch> match_retrain_address(const RetrainConfig& config,
                                                  std::string_view recipient) {
    const std::size_t at = recipient.rfind('@');
    const std::string_view local = recipient.substr(0, at);
    const std::string_view domain =
        at == std::string_view::npos ? std::string_view() : recipient.substr(at + 1);
    for (const auto& [patterns, right] : {std::pair{&config.spam_addresses, Class::spam},
                                          std::pair{&config.innocent_addresses, Class::innocent}}) {
        for (const std::string& pattern : *patterns) {
            if (std::optional<std::string> named = match_pattern(pattern, local, domain)) {
                RetrainMatch match;
                match.right = right;
                if (!named->empty()) {
                    match.named_address = std::move(*named);
                }
                return match;
            }
        }
    }
    return std::nullopt;
}

RetrainCheck check_retrain_recipient(const PolicyParams& policy, const RetrainMatch& match,
                                     std::string_view recipient, std::string_view sender,
                                     bool authorized) {
    RetrainCheck check;
    if (!authorized) {
        check.refusal =
            "Retraining requests are accepted only from authenticated or trusted senders";
        return check;
    }
    std::optional<std::string> own = map_user(policy, sender);
    if (!own) {
        check.refusal = "Retraining requests need the envelope sender of the user to retrain";
        return check;
    }
    std::optional<std::string> named =
        match.named_address ? map_user(policy, *match.named_address) : own;
    if (!named || *named != *own) {
        check.refusal = "You may retrain only your own mail (user " + *own + ")";
        return check;
    }
    check.target = RetrainTarget{match.right, *own, std::string(recipient)};
    return check;
}

std::optional<std::string> request_signature(const ParsedMessage& message) {
    if (std::optional<std::string> id = find_signature_id(message)) {
        return id;
    }
    for (const TextPart& part : message.texts) {
        const std::string_view text = part.text;
        for (std::size_t line = 0; line < text.size();) {
            const std::size_t end = std::min(text.find('\n', line), text.size());
            std::string_view current = text.substr(line, end - line);
            // Quoted forwards prefix lines with "> ".
            while (!current.empty() && (current.front() == '>' || current.front() == ' ')) {
                current.remove_prefix(1);
            }
            if (current.size() > k_signature_line.size() &&
                strncasecmp(current.data(), k_signature_line.data(), k_signature_line.size()) ==
                    0) {
                std::string_view id = current.substr(k_signature_line.size());
                while (!id.empty() && std::isspace(static_cast<unsigned char>(id.front()))) {
                    id.remove_prefix(1);
                }
                while (!id.empty() && std::isspace(static_cast<unsigned char>(id.back()))) {
                    id.remove_suffix(1);
                }
                if (valid_signature_id(id)) {
                    return std::string(id);
                }
            }
            line = end + 1;
        }
    }
    return std::nullopt;
}

RetrainResult perform_retrain(Filter& filter, Store& store, const ParsedMessage& message,
                              std::string_view raw, const RetrainTarget& target) {
    RetrainResult result;
    std::optional<std::string> id = request_signature(message);
    if (id) {
        result.signature = *id;
        result.status = filter.retrain(target.user, *id, target.right);
    }
    if (!id || result.status == RetrainStatus::unknown_signature) {
        // No signature, or it expired or is another user's: learn the content.
        result.by_content = true;
        result.status = filter.retrain_content(raw, target.user, target.right);
    }
    if (target.right == Class::innocent && id) {
        std::optional<QuarantineEntry> held =
            store.find_quarantine_by_signature(store.user_id(target.user), *id);
        if (held && !held->released && store.release_quarantine(held->queue_id, held->host) > 0) {
            result.released = std::move(held);
        }
    }
    return result;
}

int run_release_command(const std::vector<std::string>& command, const std::string& queue_id) {
    if (command.empty()) {
        return -1;
    }
    std::vector<std::string> words = command;
    words.push_back(queue_id);
    std::vector<char*> argv;
    for (std::string& word : words) {
        argv.push_back(word.data());
    }
    argv.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
        return -1;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return -1;
        }
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace dspamd::milter
