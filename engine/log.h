// Logging for the daemon and the tools: one line per event to stderr or
// syslog. Lines about a message start with its queue id (Postfix style).
#pragma once

#include <string_view>

namespace dspamd {

enum class LogLevel { debug, info, warning, error };

// Chooses the destination once at start-up; stderr until then.
void log_to_syslog(std::string_view ident);
void log_set_verbose(bool verbose);

void log_message(LogLevel level, std::string_view text);

inline void log_info(std::string_view text) { log_message(LogLevel::info, text); }
inline void log_warning(std::string_view text) { log_message(LogLevel::warning, text); }
inline void log_error(std::string_view text) { log_message(LogLevel::error, text); }
inline void log_debug(std::string_view text) { log_message(LogLevel::debug, text); }

}  // namespace dspamd
