// extern "C" trampolines between libmilter and Session.
#include "milter/callbacks.h"

#include <exception>
#include <memory>
#include <string>

#include "engine/log.h"
#include "milter/session.h"

namespace dspamd::milter {
namespace {

const RuntimeHolder* g_holder = nullptr;  // set once before smfi_main, read by every thread

constexpr unsigned long k_actions =
    SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGBODY | SMFIF_QUARANTINE | SMFIF_SETSYMLIST;

// The macros dspamd reads, per stage (smfi_setsymlist replaces Postfix's
// lists for these stages).
constexpr const char* k_connect_macros = "j {daemon_name} {client_addr}";
constexpr const char* k_mail_macros = "i {auth_authen} {mail_addr}";
constexpr const char* k_rcpt_macros = "i {auth_authen} {rcpt_addr}";
constexpr const char* k_eom_macros = "i {auth_authen}";

Session* session_of(SMFICTX* ctx) {
    return static_cast<Session*>(smfi_getpriv(ctx));
}

// The steps dspamd asks to send no reply for, when the MTA offers them.
constexpr unsigned long k_quiet_steps = SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY;
// Steps dspamd has no callback for: the MTA need not send them at all.
constexpr unsigned long k_skipped_steps = SMFIP_NOHELO | SMFIP_NODATA | SMFIP_NOUNKNOWN;

// Calls `method` on the connection's session; an exception becomes the
// internal-error policy, or for a step that sends no reply (`quiet`), waits
// for end-of-message. Without a session (connect failed) nothing is done.
template <typename Method>
sfsistat dispatch(SMFICTX* ctx, const char* stage, Method&& method, bool quiet = false) noexcept {
    Session* session = session_of(ctx);
    if (session == nullptr) {
        return SMFIS_CONTINUE;
    }
    try {
        return method(*session);
    } catch (const std::exception& e) {
        log_error(std::string(stage) + ": " + e.what());
    } catch (...) {
        log_error(std::string(stage) + ": unknown exception");
    }
    try {
        return quiet ? session->defer_failure() : session->failure_status(ctx);
    } catch (...) {
        return quiet && session->quiet_content() ? SMFIS_NOREPLY : SMFIS_TEMPFAIL;
    }
}

}  // namespace

void set_runtime_holder(const RuntimeHolder* holder) {
    g_holder = holder;
}

}  // namespace dspamd::milter

using dspamd::milter::dispatch;
using dspamd::milter::Session;

extern "C" {

static std::unique_ptr<Session> new_session() {
    if (dspamd::milter::g_holder == nullptr) {
        return nullptr;
    }
    return std::make_unique<Session>(dspamd::milter::g_holder->get());
}

// The session starts here, before connect, because it must know whether
// its content steps send replies.
static sfsistat dspamd_negotiate(SMFICTX* ctx, unsigned long f0, unsigned long f1, unsigned long,
                                 unsigned long, unsigned long* pf0, unsigned long* pf1,
                                 unsigned long* pf2, unsigned long* pf3) {
    using dspamd::milter::k_quiet_steps;
    using dspamd::milter::k_skipped_steps;
    *pf0 = f0 & dspamd::milter::k_actions;
    const bool quiet = (f1 & k_quiet_steps) == k_quiet_steps;
    *pf1 = (f1 & k_skipped_steps) | (quiet ? k_quiet_steps : 0);
    *pf2 = 0;
    *pf3 = 0;
    try {
        delete dspamd::milter::session_of(ctx);
        smfi_setpriv(ctx, nullptr);
        if (auto session = new_session()) {
            session->set_quiet_content(quiet);
            smfi_setpriv(ctx, session.release());
        }
    } catch (const std::exception& e) {
        dspamd::log_error(std::string("negotiate: ") + e.what());
    } catch (...) {
        dspamd::log_error("negotiate: unknown exception");
    }
    if ((f0 & SMFIF_SETSYMLIST) != 0) {
        smfi_setsymlist(ctx, SMFIM_CONNECT, const_cast<char*>(dspamd::milter::k_connect_macros));
        smfi_setsymlist(ctx, SMFIM_ENVFROM, const_cast<char*>(dspamd::milter::k_mail_macros));
        smfi_setsymlist(ctx, SMFIM_ENVRCPT, const_cast<char*>(dspamd::milter::k_rcpt_macros));
        smfi_setsymlist(ctx, SMFIM_EOM, const_cast<char*>(dspamd::milter::k_eom_macros));
    }
    return SMFIS_CONTINUE;
}

static sfsistat dspamd_connect(SMFICTX* ctx, char* host, _SOCK_ADDR* address) {
    try {
        // Normally negotiate made the session. Without one (no negotiation,
        // or a connection the MTA reuses after close), a session that
        // replies to every step: libmilter turns those replies into no
        // reply where the old negotiation said so, and logs that it did.
        Session* session = dspamd::milter::session_of(ctx);
        if (session == nullptr) {
            auto fresh = new_session();
            if (!fresh) {
                return SMFIS_TEMPFAIL;
            }
            session = fresh.release();
            smfi_setpriv(ctx, session);
        }
        return session->connect(ctx, host, address);
    } catch (const std::exception& e) {
        dspamd::log_error(std::string("connect: ") + e.what());
    } catch (...) {
        dspamd::log_error("connect: unknown exception");
    }
    return SMFIS_TEMPFAIL;
}

static sfsistat dspamd_envfrom(SMFICTX* ctx, char** argv) {
    return dispatch(ctx, "mail", [&](Session& s) { return s.envfrom(ctx, argv); });
}

static sfsistat dspamd_envrcpt(SMFICTX* ctx, char** argv) {
    return dispatch(ctx, "rcpt", [&](Session& s) { return s.envrcpt(ctx, argv); });
}

static sfsistat dspamd_header(SMFICTX* ctx, char* name, char* value) {
    return dispatch(
        ctx, "header", [&](Session& s) { return s.header(ctx, name, value); }, true);
}

static sfsistat dspamd_eoh(SMFICTX* ctx) {
    return dispatch(
        ctx, "eoh", [&](Session& s) { return s.eoh(ctx); }, true);
}

static sfsistat dspamd_body(SMFICTX* ctx, unsigned char* chunk, size_t length) {
    return dispatch(
        ctx, "body", [&](Session& s) { return s.body(ctx, chunk, length); }, true);
}

static sfsistat dspamd_eom(SMFICTX* ctx) {
    return dispatch(ctx, "eom", [&](Session& s) { return s.eom(ctx); });
}

static sfsistat dspamd_abort(SMFICTX* ctx) {
    return dispatch(ctx, "abort", [&](Session& s) { return s.abort(ctx); });
}

static sfsistat dspamd_close(SMFICTX* ctx) {
    // Deleting a Session cannot throw; the snapshot it held may be freed here.
    delete dspamd::milter::session_of(ctx);
    smfi_setpriv(ctx, nullptr);
    return SMFIS_CONTINUE;
}

}  // extern "C"

namespace dspamd::milter {

smfiDesc filter_description() {
    smfiDesc description{};
    description.xxfi_name = const_cast<char*>("dspamd");
    description.xxfi_version = SMFI_VERSION;
    description.xxfi_flags = k_actions;
    description.xxfi_connect = dspamd_connect;
    description.xxfi_envfrom = dspamd_envfrom;
    description.xxfi_envrcpt = dspamd_envrcpt;
    description.xxfi_header = dspamd_header;
    description.xxfi_eoh = dspamd_eoh;
    description.xxfi_body = dspamd_body;
    description.xxfi_eom = dspamd_eom;
    description.xxfi_abort = dspamd_abort;
    description.xxfi_close = dspamd_close;
    description.xxfi_negotiate = dspamd_negotiate;
    return description;
}

}  // namespace dspamd::milter
