// GMime 3 against our parse_message() on a directory of messages (one
// message per file, e.g. the SpamAssassin corpus). Both get the same bytes
// from memory; GMime parses, walks every part (into message/rfc822 too),
// decodes all headers and turns every text part into UTF-8; parse_message
// does that and also turns HTML into text. Prints MB/s, msgs/s, and how many
// messages each parser failed on or got no text from. Rates are per CPU
// second of the parsing thread.
//   mime_compare DIR [REPEAT]
#include <gmime/gmime.h>
#include <iconv.h>

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "classifier/mime/message.h"

namespace {

constexpr int k_default_repeat = 3;

struct Outcome {
    double seconds = 0;
    std::size_t failed = 0;   // no message object at all
    std::size_t no_text = 0;  // parsed, but no text came out
    std::size_t text_bytes = 0;
};

// CPU time of this thread: other load on a shared machine moves wall-clock
// figures by tens of percent, CPU time much less.
double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::vector<std::string> load_messages(const std::string& dir) {
    std::vector<std::filesystem::path> paths;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.is_regular_file()) {
            paths.push_back(entry.path());
        }
    }
    std::sort(paths.begin(), paths.end());
    std::vector<std::string> messages;
    messages.reserve(paths.size());
    for (const auto& path : paths) {
        std::ifstream in(path, std::ios::binary);
        messages.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return messages;
}

// GMime's message format does not take the mbox envelope line; drop it for both.
std::string_view without_envelope(const std::string& message) {
    std::string_view view = message;
    if (view.starts_with("From ")) {
        const std::size_t nl = view.find('\n');
        view.remove_prefix(nl == std::string_view::npos ? view.size() : nl + 1);
    }
    return view;
}

std::size_t gmime_headers(GMimeObject* object) {
    std::size_t bytes = 0;
    GMimeHeaderList* list = g_mime_object_get_header_list(object);
    const int count = g_mime_header_list_get_count(list);
    for (int i = 0; i < count; ++i) {
        const char* value = g_mime_header_get_value(g_mime_header_list_get_header_at(list, i));
        bytes += value ? std::strlen(value) : 0;
    }
    return bytes;
}

std::size_t gmime_walk(GMimeObject* object, int depth) {
    if (object == nullptr || depth > 32) {
        return 0;
    }
    std::size_t text = 0;
    if (depth > 0) {
        gmime_headers(object);
    }
    if (GMIME_IS_MULTIPART(object)) {
        GMimeMultipart* multipart = GMIME_MULTIPART(object);
        const int count = g_mime_multipart_get_count(multipart);
        for (int i = 0; i < count; ++i) {
            text += gmime_walk(g_mime_multipart_get_part(multipart, i), depth + 1);
        }
    } else if (GMIME_IS_MESSAGE_PART(object)) {
        GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
        if (inner != nullptr) {
            gmime_headers(GMIME_OBJECT(inner));
            text += gmime_walk(g_mime_message_get_mime_part(inner), depth + 1);
        }
    } else if (GMIME_IS_TEXT_PART(object)) {
        char* utf8 = g_mime_text_part_get_text(GMIME_TEXT_PART(object));
        if (utf8 != nullptr) {
            text += std::strlen(utf8);
            g_free(utf8);
        }
    }
    return text;
}

Outcome run_gmime(const std::vector<std::string>& messages) {
    Outcome outcome;
    const double start = cpu_seconds();
    for (const std::string& message : messages) {
        const std::string_view raw = without_envelope(message);
        GMimeStream* stream = g_mime_stream_mem_new_with_buffer(raw.data(), raw.size());
        GMimeParser* parser = g_mime_parser_new_with_stream(stream);
        GMimeMessage* parsed = g_mime_parser_construct_message(parser, nullptr);
        if (parsed == nullptr) {
            ++outcome.failed;
        } else {
            gmime_headers(GMIME_OBJECT(parsed));
            const std::size_t text = gmime_walk(g_mime_message_get_mime_part(parsed), 0);
            outcome.text_bytes += text;
            if (text == 0) {
                ++outcome.no_text;
            }
            g_object_unref(parsed);
        }
        g_object_unref(parser);
        g_object_unref(stream);
    }
    outcome.seconds = (cpu_seconds() - start);
    return outcome;
}

Outcome run_ours(const std::vector<std::string>& messages, std::size_t& with_defects) {
    Outcome outcome;
    const dspamd::MimeLimits limits;
    with_defects = 0;
    const double start = cpu_seconds();
    for (const std::string& message : messages) {
        const dspamd::ParsedMessage parsed =
            dspamd::parse_message(without_envelope(message), limits);
        std::size_t text = 0;
        for (const auto& part : parsed.texts) {
            text += part.text.size();
        }
        outcome.text_bytes += text;
        if (text == 0) {
            ++outcome.no_text;
        }
        if (!parsed.defects.empty()) {
            ++with_defects;
        }
    }
    outcome.seconds = (cpu_seconds() - start);
    return outcome;
}

void print(const char* name, const Outcome& o, std::size_t messages, double megabytes) {
    std::printf("%-14s %8.1f MB/s %9.0f msgs/s  failed %5zu  no text %5zu  text %7.1f MB\n", name,
                megabytes / o.seconds, static_cast<double>(messages) / o.seconds, o.failed,
                o.no_text, static_cast<double>(o.text_bytes) / 1e6);
}

// What opening an iconv descriptor per conversion costs (charset.cpp does so
// because an iconv_t must not be shared between threads).
void measure_iconv_open() {
    constexpr int k_rounds = 20000;
    const double start = cpu_seconds();
    for (int i = 0; i < k_rounds; ++i) {
        iconv_t cd = iconv_open("UTF-8", i % 2 ? "koi8-r" : "gb18030");
        if (cd != reinterpret_cast<iconv_t>(-1)) {
            iconv_close(cd);
        }
    }
    std::printf("iconv_open+close: %.2f us each\n", (cpu_seconds() - start) * 1e6 / k_rounds);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: mime_compare DIR [REPEAT]\n");
        return 64;
    }
    const int repeat = argc >= 3 ? std::max(1, std::atoi(argv[2])) : k_default_repeat;
    const std::vector<std::string> messages = load_messages(argv[1]);
    double bytes = 0;
    for (const std::string& m : messages) {
        bytes += static_cast<double>(without_envelope(m).size());
    }
    const double megabytes = bytes / 1e6;
    std::printf("%zu messages, %.1f MB, best of %d runs, per CPU second\n", messages.size(),
                megabytes, repeat);

    g_mime_init();
    Outcome best_gmime;
    Outcome best_ours;
    std::size_t with_defects = 0;
    for (int i = 0; i < repeat; ++i) {
        const Outcome g = run_gmime(messages);
        if (i == 0 || g.seconds < best_gmime.seconds) {
            best_gmime = g;
        }
        const Outcome o = run_ours(messages, with_defects);
        if (i == 0 || o.seconds < best_ours.seconds) {
            best_ours = o;
        }
    }
    g_mime_shutdown();

    print("gmime-3.0", best_gmime, messages.size(), megabytes);
    print("parse_message", best_ours, messages.size(), megabytes);
    std::printf("parse_message noted defects in %zu messages\n", with_defects);
    measure_iconv_open();
    return 0;
}
