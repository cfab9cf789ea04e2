// One milter connection: the state of the connection and of the message in
// progress, as two separate RAII objects. MessageState lives from MAIL to
// end-of-message or abort and is then destroyed, so nothing of one message
// can leak into the next; ConnectionState holds what SMTP connect said and
// the Runtime snapshot taken when the connection started, which it keeps
// until it closes (a reload does not change the rules mid-connection).
//
// The callbacks before end-of-message only buffer, within the caps of
// [milter] (max_header_count, max_header_bytes, max_message_bytes); past a
// cap the message is marked oversize and its buffers are dropped. All
// classification and database work happens in eom() (message_processor.h).
//
// When the MTA offers it (Postfix does, milter protocol 6), the header,
// end-of-header and body steps are negotiated as "no reply": they can only
// continue anyway, and a message of 30 header fields then costs one round
// trip at end-of-message instead of 30 more. Such a step answers
// SMFIS_NOREPLY, and its failure waits for end-of-message.
#pragma once

#include <libmilter/mfapi.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "milter/message_processor.h"
#include "milter/runtime.h"

namespace dspamd::milter {

struct MessageState {
    std::string sender;  // normalized
    std::string auth_authen;
    std::vector<std::string> recipients;
    std::vector<RetrainTarget> retrain;
    std::string buffer;  // header fields, then the blank line, then the body
    std::size_t body_offset = 0;
    bool headers_done = false;
    std::size_t header_count = 0;
    std::size_t header_bytes = 0;
    std::size_t total_bytes = 0;
    std::map<std::string, int> header_names;  // lower-case name -> fields seen
    std::vector<ReceivedHeader> dspam_headers;
    std::optional<std::string> subject;
    bool oversize = false;
    std::string oversize_reason;
    // A callback that sends no reply failed: end-of-message answers with
    // the internal-error policy.
    bool failed = false;
};

struct ConnectionState {
    std::shared_ptr<const Runtime> runtime;
    std::optional<Network> client;
    std::string client_name;
};

class Session {
public:
    explicit Session(std::shared_ptr<const Runtime> runtime);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Connections open now (draining at shutdown waits for 0).
    static std::size_t active();

    // Set at negotiation: header, end-of-header and body send no reply.
    void set_quiet_content(bool quiet) { m_quiet_content = quiet; }
    bool quiet_content() const { return m_quiet_content; }

    sfsistat connect(SMFICTX* ctx, const char* host, const struct sockaddr* address);
    sfsistat envfrom(SMFICTX* ctx, char** argv);
    sfsistat envrcpt(SMFICTX* ctx, char** argv);
    sfsistat header(SMFICTX* ctx, const char* name, const char* value);
    sfsistat eoh(SMFICTX* ctx);
    sfsistat body(SMFICTX* ctx, const unsigned char* chunk, std::size_t length);
    sfsistat eom(SMFICTX* ctx);
    sfsistat abort(SMFICTX* ctx);

    // The status for an exception in a callback: the internal-error policy.
    sfsistat failure_status(SMFICTX* ctx) const;
    // The same for a step that sends no reply: the message remembers it and
    // end-of-message answers with the policy.
    sfsistat defer_failure();

private:
    void mark_oversize(const std::string& reason);
    void apply(SMFICTX* ctx, const Decision& decision, const std::string& queue_id) const;
    sfsistat content_status() const { return m_quiet_content ? SMFIS_NOREPLY : SMFIS_CONTINUE; }

    ConnectionState m_connection;
    bool m_quiet_content = false;
    std::optional<MessageState> m_message;
};

// Postfix's macro value, or "" when it did not send it.
std::string macro(SMFICTX* ctx, const char* name);

}  // namespace dspamd::milter
