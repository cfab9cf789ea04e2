// null_milter: a pass-through libmilter milter, the baseline that
// bench/postfix_bench.sh compares dspamd with, and the stand-in milter that
// the end-to-end harness (test/e2e) validates itself against.
//
//   null_milter -s unix:/path/to/socket [-l LOGFILE] [-t] [-q]
//
// By default it asks for every stage (connect to end-of-message, headers and
// body included) and answers CONTINUE, then ACCEPT at end-of-message: it costs
// the milter protocol and nothing else, which is what dspamd is measured
// against.
//
// -q: negotiate the protocol as dspamd does (no replies to header,
//   end-of-header and body; no HELO, DATA or unknown-command steps), the
//   leanest milter that still sees every header and the body.
// -l LOGFILE: one line per message, "eom i=<queue id> client_addr=<addr>
//   auth_authen=<login> rcpts=<n>", so the harness can check what Postfix told
//   the milter (XCLIENT ADDR and LOGIN arrive as macros).
// -t: test actions, chosen by the message's "X-E2E-Action" header: "hold"
//   (smfi_quarantine), "reject" (5xx at end of DATA), "tempfail" (4xx), "tag"
//   (adds "X-E2E-Seen: yes"). They let the harness prove that it detects a
//   held, rejected or deferred message before dspamd exists.
#include <libmilter/mfapi.h>

#include <sys/stat.h>
#include <unistd.h>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

namespace {

FILE* g_log = nullptr;  // -l: one line per message; nullptr: no logging
bool g_test_actions = false;
// -q: the content steps send no reply. Every connection's negotiation
// writes it (the same value from the same MTA), hence atomic.
std::atomic<bool> g_quiet{false};
std::mutex g_log_mutex;  // libmilter runs one thread per connection

// Per-connection state; reset at end-of-message and abort so nothing leaks
// from one message to the next on the same connection.
struct Session {
    std::string client_addr;
    std::string auth_authen;
    std::string action;
    int rcpts = 0;

    void reset_message() {
        auth_authen.clear();
        action.clear();
        rcpts = 0;
    }
};

Session* session(SMFICTX* ctx) {
    return static_cast<Session*>(smfi_getpriv(ctx));
}

std::string macro(SMFICTX* ctx, const char* name) {
    const char* value = smfi_getsymval(ctx, const_cast<char*>(name));
    return value != nullptr ? value : "";
}

extern "C" sfsistat on_connect(SMFICTX* ctx, char*, _SOCK_ADDR*) {
    if (g_log == nullptr && !g_test_actions) {
        return SMFIS_CONTINUE;  // the benchmark's path: no state at all
    }
    auto* s = new (std::nothrow) Session;
    if (s == nullptr) {
        return SMFIS_TEMPFAIL;
    }
    smfi_setpriv(ctx, s);
    return SMFIS_CONTINUE;
}

extern "C" sfsistat on_negotiate(SMFICTX*, unsigned long f0, unsigned long f1, unsigned long,
                                 unsigned long, unsigned long* pf0, unsigned long* pf1,
                                 unsigned long* pf2, unsigned long* pf3) {
    constexpr unsigned long quiet = SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY;
    constexpr unsigned long skipped = SMFIP_NOHELO | SMFIP_NODATA | SMFIP_NOUNKNOWN;
    *pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_QUARANTINE);
    const bool offered = (f1 & quiet) == quiet;
    g_quiet.store(offered, std::memory_order_relaxed);
    *pf1 = (f1 & skipped) | (offered ? quiet : 0);
    *pf2 = 0;
    *pf3 = 0;
    return SMFIS_CONTINUE;
}

sfsistat content_status() {
    return g_quiet.load(std::memory_order_relaxed) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

extern "C" sfsistat on_helo(SMFICTX*, char*) {
    return SMFIS_CONTINUE;
}

extern "C" sfsistat on_envfrom(SMFICTX* ctx, char**) {
    if (Session* s = session(ctx)) {
        s->reset_message();
        // Postfix sends {client_addr} only in the stages whose macro list
        // names it; the harness adds it to milter_mail_macros. Empty otherwise.
        s->client_addr = macro(ctx, "{client_addr}");
        s->auth_authen = macro(ctx, "{auth_authen}");
    }
    return SMFIS_CONTINUE;
}

extern "C" sfsistat on_envrcpt(SMFICTX* ctx, char**) {
    if (Session* s = session(ctx)) {
        ++s->rcpts;
    }
    return SMFIS_CONTINUE;
}

extern "C" sfsistat on_header(SMFICTX* ctx, char* name, char* value) {
    Session* s = session(ctx);
    if (s != nullptr && g_test_actions && strcasecmp(name, "X-E2E-Action") == 0) {
        s->action = value;
        while (!s->action.empty() && (s->action.front() == ' ' || s->action.front() == '\t')) {
            s->action.erase(0, 1);
        }
    }
    return content_status();
}

extern "C" sfsistat on_eoh(SMFICTX*) {
    return content_status();
}

extern "C" sfsistat on_body(SMFICTX*, unsigned char*, size_t) {
    return content_status();
}

extern "C" sfsistat on_eom(SMFICTX* ctx) {
    Session* s = session(ctx);
    if (s == nullptr) {
        return SMFIS_ACCEPT;
    }
    sfsistat result = SMFIS_ACCEPT;
    if (s->action == "hold") {
        smfi_quarantine(ctx, const_cast<char*>("e2e hold"));
    } else if (s->action == "reject") {
        smfi_setreply(ctx, const_cast<char*>("550"), const_cast<char*>("5.7.1"),
                      const_cast<char*>("e2e reject"));
        result = SMFIS_REJECT;
    } else if (s->action == "tempfail") {
        smfi_setreply(ctx, const_cast<char*>("451"), const_cast<char*>("4.3.0"),
                      const_cast<char*>("e2e tempfail"));
        result = SMFIS_TEMPFAIL;
    } else if (s->action == "tag") {
        smfi_addheader(ctx, const_cast<char*>("X-E2E-Seen"), const_cast<char*>("yes"));
    }
    if (g_log != nullptr) {
        std::lock_guard<std::mutex> lock(g_log_mutex);
        std::fprintf(g_log, "eom i=%s client_addr=%s auth_authen=%s rcpts=%d action=%s\n",
                     macro(ctx, "i").c_str(), s->client_addr.c_str(), s->auth_authen.c_str(),
                     s->rcpts, s->action.empty() ? "accept" : s->action.c_str());
        std::fflush(g_log);
    }
    s->reset_message();
    return result;
}

extern "C" sfsistat on_abort(SMFICTX* ctx) {
    if (Session* s = session(ctx)) {
        s->reset_message();
    }
    return SMFIS_CONTINUE;
}

extern "C" sfsistat on_close(SMFICTX* ctx) {
    delete session(ctx);
    smfi_setpriv(ctx, nullptr);
    return SMFIS_CONTINUE;
}

}  // namespace

int main(int argc, char** argv) {
    const char* socket = nullptr;
    bool negotiate = false;
    int opt;
    while ((opt = getopt(argc, argv, "s:l:tq")) != -1) {
        switch (opt) {
            case 's':
                socket = optarg;
                break;
            case 'l':
                g_log = std::fopen(optarg, "a");
                if (g_log == nullptr) {
                    std::perror(optarg);
                    return 73;
                }
                break;
            case 't':
                g_test_actions = true;
                break;
            case 'q':
                negotiate = true;
                break;
            default:
                std::fprintf(stderr, "usage: null_milter -s unix:/path [-l LOGFILE] [-t] [-q]\n");
                return 64;
        }
    }
    if (socket == nullptr) {
        std::fprintf(stderr, "usage: null_milter -s unix:/path [-l LOGFILE] [-t] [-q]\n");
        return 64;
    }
    smfiDesc desc{};
    desc.xxfi_name = const_cast<char*>("null_milter");
    desc.xxfi_version = SMFI_VERSION;
    desc.xxfi_flags = SMFIF_ADDHDRS | SMFIF_QUARANTINE;
    desc.xxfi_connect = on_connect;
    desc.xxfi_helo = on_helo;
    desc.xxfi_envfrom = on_envfrom;
    desc.xxfi_envrcpt = on_envrcpt;
    desc.xxfi_header = on_header;
    desc.xxfi_eoh = on_eoh;
    desc.xxfi_body = on_body;
    desc.xxfi_eom = on_eom;
    desc.xxfi_abort = on_abort;
    desc.xxfi_close = on_close;
    if (negotiate) {
        desc.xxfi_negotiate = on_negotiate;
    }
    if (smfi_setconn(const_cast<char*>(socket)) == MI_FAILURE ||
        smfi_register(desc) == MI_FAILURE ||
        // true: remove a stale socket file left by an earlier run.
        smfi_opensocket(true) == MI_FAILURE) {
        std::fprintf(stderr, "null_milter: cannot listen on %s\n", socket);
        return 69;
    }
    // Postfix's smtpd runs as the postfix user: it must be able to connect.
    if (std::strncmp(socket, "unix:", 5) == 0) {
        chmod(socket + 5, 0666);
    } else if (std::strncmp(socket, "local:", 6) == 0) {
        chmod(socket + 6, 0666);
    }
    return smfi_main() == MI_SUCCESS ? 0 : 70;
}
