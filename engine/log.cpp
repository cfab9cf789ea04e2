// Logging to stderr or syslog; safe to call from any thread.
#include "engine/log.h"

#include <syslog.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

namespace dspamd {
namespace {

std::atomic<bool> g_syslog{false};
std::atomic<bool> g_verbose{false};
std::mutex g_stderr_mutex;
std::string g_ident;  // openlog keeps the pointer: it must outlive the program's logging

int syslog_priority(LogLevel level) {
    switch (level) {
        case LogLevel::debug:
            return LOG_DEBUG;
        case LogLevel::info:
            return LOG_INFO;
        case LogLevel::warning:
            return LOG_WARNING;
        case LogLevel::error:
            return LOG_ERR;
    }
    return LOG_ERR;
}

const char* level_prefix(LogLevel level) {
    switch (level) {
        case LogLevel::debug:
            return "debug: ";
        case LogLevel::info:
            return "";
        case LogLevel::warning:
            return "warning: ";
        case LogLevel::error:
            return "error: ";
    }
    return "";
}

}  // namespace

void log_to_syslog(std::string_view ident) {
    g_ident = ident;
    openlog(g_ident.c_str(), LOG_PID | LOG_NDELAY, LOG_MAIL);
    g_syslog = true;
}

void log_set_verbose(bool verbose) { g_verbose = verbose; }

void log_message(LogLevel level, std::string_view text) {
    if (level == LogLevel::debug && !g_verbose) {
        return;
    }
    if (g_syslog) {
        syslog(syslog_priority(level), "%s%.*s", level_prefix(level),
               static_cast<int>(text.size()), text.data());
        return;
    }
    std::lock_guard lock(g_stderr_mutex);
    std::fprintf(stderr, "%s%.*s\n", level_prefix(level), static_cast<int>(text.size()),
                 text.data());
}

}  // namespace dspamd
