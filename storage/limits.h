// Limits on what callers hand the stores, checked before any work by both
// MemoryStore and PgStore (the schema's CHECK constraints say the same).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dspamd {

struct HistoryEntry;
struct QuarantineEntry;

inline constexpr std::size_t k_max_user_name_bytes = 256;
inline constexpr std::size_t k_max_signature_id_bytes = 128;
inline constexpr std::size_t k_max_preference_key_bytes = 128;
inline constexpr std::size_t k_max_preference_value_bytes = 4096;
inline constexpr std::size_t k_max_history_text_bytes = 512;  // sender, subject, recipients
inline constexpr std::size_t k_max_queue_id_bytes = 64;
inline constexpr std::size_t k_max_host_bytes = 256;
inline constexpr std::size_t k_max_quarantine_recipients = 1000;

// Each throws std::invalid_argument naming the limit when `value` is empty or
// too long.
void check_user_name(std::string_view value);
void check_signature_id(std::string_view value);
void check_preference(std::string_view key, std::string_view value);
void check_history_entry(const HistoryEntry& entry);
void check_quarantine_entry(const QuarantineEntry& entry);

// `text` made storable: invalid UTF-8 and control characters become '?', and
// it is cut at a character boundary to at most `max_bytes` bytes.
std::string clean_text(std::string_view text, std::size_t max_bytes);

}  // namespace dspamd
