// Limits on what callers hand the stores, checked before any work by both
// MemoryStore and PgStore (the schema's CHECK constraints say the same).
#pragma once

#include <cstddef>
#include <string_view>

namespace dspamd {

inline constexpr std::size_t k_max_user_name_bytes = 256;
inline constexpr std::size_t k_max_signature_id_bytes = 128;
inline constexpr std::size_t k_max_preference_key_bytes = 128;
inline constexpr std::size_t k_max_preference_value_bytes = 4096;

// Each throws std::invalid_argument naming the limit when `value` is empty or
// too long.
void check_user_name(std::string_view value);
void check_signature_id(std::string_view value);
void check_preference(std::string_view key, std::string_view value);

}  // namespace dspamd
