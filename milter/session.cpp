// Connection and message state behind the libmilter callbacks.
#include "milter/session.h"

#include <strings.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <ctime>

#include "engine/log.h"

namespace dspamd::milter {
namespace {

std::atomic<std::size_t> g_active{0};

constexpr std::size_t k_max_subject_bytes = 998;  // RFC 5322's line limit
// Postfix's smtpd_recipient_limit is 1000 by default; this only bounds memory.
constexpr std::size_t k_max_recipients = 10000;
constexpr const char* k_separate_request = "Send retraining requests in a message of their own";

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

sfsistat reply(SMFICTX* ctx, const char* code, const char* xcode, const std::string& text,
               sfsistat status) {
    const std::string safe = reply_text(text);
    if (smfi_setreply(ctx, const_cast<char*>(code), const_cast<char*>(xcode),
                      const_cast<char*>(safe.c_str())) != MI_SUCCESS) {
        log_warning(std::string("smfi_setreply failed for ") + code + " " + xcode);
    }
    return status;
}

}  // namespace

std::string macro(SMFICTX* ctx, const char* name) {
    const char* value = smfi_getsymval(ctx, const_cast<char*>(name));
    return value == nullptr ? std::string() : std::string(value);
}

Session::Session(std::shared_ptr<const Runtime> runtime) {
    m_connection.runtime = std::move(runtime);
    ++g_active;
}

Session::~Session() {
    --g_active;
}

std::size_t Session::active() {
    return g_active;
}

sfsistat Session::connect(SMFICTX*, const char* host, const struct sockaddr* address) {
    m_connection.client = address_of(address);
    m_connection.client_name = host == nullptr ? "" : host;
    return SMFIS_CONTINUE;
}

sfsistat Session::envfrom(SMFICTX* ctx, char** argv) {
    m_message.emplace();  // a new message: whatever was left of the last is gone
    m_message->sender = normalize_address(argv != nullptr && argv[0] != nullptr ? argv[0] : "");
    m_message->auth_authen = macro(ctx, "{auth_authen}");
    return SMFIS_CONTINUE;
}

sfsistat Session::envrcpt(SMFICTX* ctx, char** argv) {
    if (!m_message || argv == nullptr || argv[0] == nullptr) {
        return SMFIS_CONTINUE;
    }
    const Runtime& runtime = *m_connection.runtime;
    MessageState& message = *m_message;
    if (message.recipients.size() >= k_max_recipients) {
        return reply(ctx, "452", "4.5.3", "Too many recipients", SMFIS_TEMPFAIL);
    }
    const std::string recipient = normalize_address(argv[0]);
    if (std::optional<RetrainMatch> match =
            match_retrain_address(runtime.config().retrain, recipient)) {
        const bool authorized = !macro(ctx, "{auth_authen}").empty() ||
                                !message.auth_authen.empty() ||
                                is_trusted(runtime.policy(), m_connection.client);
        RetrainCheck check = check_retrain_recipient(runtime.policy(), *match, recipient,
                                                     message.sender, authorized);
        if (!check.target) {
            log_info("retraining request to " + recipient + " from <" + message.sender +
                     "> refused: " + check.refusal);
            return reply(ctx, "550", "5.7.1", check.refusal, SMFIS_REJECT);
        }
        if (!message.recipients.empty() && message.retrain.empty()) {
            return reply(ctx, "452", "4.5.3", k_separate_request, SMFIS_TEMPFAIL);
        }
        // spam@ and spam-alice@ may both name alice: retrain her once.
        const bool known = std::any_of(
            message.retrain.begin(), message.retrain.end(), [&](const RetrainTarget& t) {
                return t.user == check.target->user && t.right == check.target->right;
            });
        if (!known) {
            message.retrain.push_back(*check.target);
        }
        message.recipients.push_back(recipient);
        return SMFIS_CONTINUE;
    }
    if (!message.retrain.empty()) {
        return reply(ctx, "452", "4.5.3", k_separate_request, SMFIS_TEMPFAIL);
    }
    message.recipients.push_back(recipient);
    return SMFIS_CONTINUE;
}

void Session::mark_oversize(const std::string& reason) {
    MessageState& message = *m_message;
    if (!message.oversize) {
        message.oversize = true;
        message.oversize_reason = reason;
        std::string().swap(message.buffer);  // give the memory back now
    }
}

sfsistat Session::header(SMFICTX*, const char* name, const char* value) {
    if (!m_message || name == nullptr) {
        return content_status();
    }
    MessageState& message = *m_message;
    const MilterConfig& limits = m_connection.runtime->config().milter;
    const std::string_view field_name = name;
    const std::string_view field_value = value == nullptr ? "" : value;

    // Indexes are counted for every field, oversize or not: the X-DSPAM-*
    // ones are removed in any case.
    const int index = ++message.header_names[lower(field_name)];
    if (is_dspam_header(field_name)) {
        message.dspam_headers.push_back(ReceivedHeader{std::string(field_name), index});
    }
    ++message.header_count;
    const std::size_t bytes = field_name.size() + field_value.size() + 4;  // ": " and CRLF
    message.header_bytes += bytes;
    message.total_bytes += bytes;
    if (message.header_count > static_cast<std::size_t>(limits.max_header_count)) {
        mark_oversize("more than " + std::to_string(limits.max_header_count) + " header fields");
    } else if (message.header_bytes > static_cast<std::size_t>(limits.max_header_bytes)) {
        mark_oversize("more than " + std::to_string(limits.max_header_bytes) + " header bytes");
    } else if (message.total_bytes > static_cast<std::size_t>(limits.max_message_bytes)) {
        mark_oversize("more than " + std::to_string(limits.max_message_bytes) + " bytes");
    }
    if (!message.subject && strcasecmp(name, "Subject") == 0 &&
        field_value.size() <= k_max_subject_bytes) {
        message.subject = std::string(field_value);
    }
    if (!message.oversize) {
        message.buffer.append(field_name);
        message.buffer.append(": ");
        message.buffer.append(field_value);
        message.buffer.append("\r\n");
    }
    return content_status();
}

sfsistat Session::eoh(SMFICTX*) {
    if (m_message && !m_message->headers_done) {
        m_message->headers_done = true;
        if (!m_message->oversize) {
            m_message->buffer.append("\r\n");
        }
        m_message->body_offset = m_message->buffer.size();
    }
    return content_status();
}

sfsistat Session::body(SMFICTX* ctx, const unsigned char* chunk, std::size_t length) {
    if (!m_message) {
        return content_status();
    }
    eoh(ctx);
    MessageState& message = *m_message;
    const auto max =
        static_cast<std::size_t>(m_connection.runtime->config().milter.max_message_bytes);
    message.total_bytes += length;
    if (message.total_bytes > max) {
        mark_oversize("more than " + std::to_string(max) + " bytes");
    }
    if (!message.oversize && chunk != nullptr) {
        message.buffer.append(reinterpret_cast<const char*>(chunk), length);
    }
    return content_status();
}

sfsistat Session::eom(SMFICTX* ctx) {
    if (!m_message) {
        return SMFIS_CONTINUE;
    }
    eoh(ctx);
    // The message state ends here whatever happens below.
    MessageState message = std::move(*m_message);
    m_message.reset();
    if (message.failed) {
        return failure_status(ctx);
    }

    MessageInput input;
    input.queue_id = macro(ctx, "i");
    input.sender = std::move(message.sender);
    input.recipients = std::move(message.recipients);
    input.auth_authen =
        message.auth_authen.empty() ? macro(ctx, "{auth_authen}") : std::move(message.auth_authen);
    input.client = m_connection.client;
    input.raw = std::move(message.buffer);
    input.body_offset = std::min(message.body_offset, input.raw.size());
    input.dspam_headers = std::move(message.dspam_headers);
    input.subject = std::move(message.subject);
    input.oversize = message.oversize;
    input.oversize_reason = std::move(message.oversize_reason);
    input.retrain = std::move(message.retrain);

    const Decision decision = process_message(*m_connection.runtime, input, std::time(nullptr));
    log_info(decision.log_line);
    apply(ctx, decision, input.queue_id);
    switch (decision.reply) {
        case Reply::proceed:
            return SMFIS_CONTINUE;
        case Reply::accept:
            return SMFIS_ACCEPT;
        case Reply::tempfail:
            return reply(ctx, decision.code.c_str(), decision.xcode.c_str(), decision.text,
                         SMFIS_TEMPFAIL);
        case Reply::reject:
            return reply(ctx, decision.code.c_str(), decision.xcode.c_str(), decision.text,
                         SMFIS_REJECT);
        case Reply::discard:
            return SMFIS_DISCARD;
    }
    return SMFIS_CONTINUE;
}

void Session::apply(SMFICTX* ctx, const Decision& decision, const std::string& queue_id) const {
    if (decision.reply != Reply::proceed) {
        return;
    }
    const std::string id = queue_id.empty() ? "NOQUEUE" : queue_id;
    for (const HeaderChange& change : decision.edits.changes) {
        char* value = change.value ? const_cast<char*>(change.value->c_str()) : nullptr;
        if (smfi_chgheader(ctx, const_cast<char*>(change.name.c_str()), change.index, value) !=
            MI_SUCCESS) {
            log_warning(id + ": could not change header " + change.name);
        }
    }
    for (const HeaderField& field : decision.edits.additions) {
        if (smfi_addheader(ctx, const_cast<char*>(field.name.c_str()),
                           const_cast<char*>(field.value.c_str())) != MI_SUCCESS) {
            log_warning(id + ": could not add header " + field.name);
        }
    }
    if (decision.edits.body) {
        const std::string& body = *decision.edits.body;
        if (smfi_replacebody(ctx, reinterpret_cast<unsigned char*>(const_cast<char*>(body.data())),
                             static_cast<int>(body.size())) != MI_SUCCESS) {
            log_warning(id + ": could not add the signature tag to the body");
        }
    }
    if (decision.quarantine_reason) {
        if (smfi_quarantine(ctx, const_cast<char*>(decision.quarantine_reason->c_str())) !=
            MI_SUCCESS) {
            log_error(id + ": smfi_quarantine failed: the message is delivered tagged");
        }
    }
}

sfsistat Session::abort(SMFICTX*) {
    m_message.reset();
    return SMFIS_CONTINUE;
}

sfsistat Session::defer_failure() {
    if (m_message) {
        m_message->failed = true;
    }
    return content_status();
}

sfsistat Session::failure_status(SMFICTX* ctx) const {
    if (m_connection.runtime->config().milter.on_internal_error == FailurePolicy::accept) {
        return SMFIS_ACCEPT;
    }
    return reply(ctx, "451", "4.3.0", "Spam filter temporarily unavailable, try again later",
                 SMFIS_TEMPFAIL);
}

}  // namespace dspamd::milter
