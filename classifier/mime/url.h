// URLs written as plain text ("http://...", "https://...", "www...."), the
// ones a reader can click or type even when no HTML link carries them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dspamd::mime {

// Appends each URL found in `text` to `urls`, within k_max_urls (html.h),
// skipping those equal to one of urls[skip_from..] (already found as links).
void find_text_urls(std::string_view text, std::vector<std::string>& urls, std::size_t skip_from);

}  // namespace dspamd::mime
