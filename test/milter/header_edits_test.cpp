// Tests of milter/header_edits.cpp.
#include "milter/header_edits.h"

#include <doctest/doctest.h>

namespace dspamd::milter {
namespace {

TEST_CASE("X-DSPAM-* fields from outside are deleted, highest index first") {
    const std::vector<ReceivedHeader> received = {
        {"X-DSPAM-Result", 1}, {"x-dspam-result", 2}, {"X-DSPAM-Signature", 1},
        {"X-Spam-Flag", 1},    {"X-DSPAM-Result", 3},
    };
    const std::vector<HeaderChange> changes = remove_foreign_headers(received);
    REQUIRE(changes.size() == 4);
    CHECK(changes[0] == HeaderChange{"X-DSPAM-Result", 3, std::nullopt});
    CHECK(changes[1] == HeaderChange{"x-dspam-result", 2, std::nullopt});
    CHECK(changes[2] == HeaderChange{"X-DSPAM-Result", 1, std::nullopt});
    CHECK(changes[3] == HeaderChange{"X-DSPAM-Signature", 1, std::nullopt});
    CHECK(is_dspam_header("x-dspam-factors"));
    CHECK_FALSE(is_dspam_header("X-DSPAM"));
    CHECK_FALSE(is_dspam_header("X-Spam-Status"));
}

TEST_CASE("subject prefix") {
    CHECK(prefixed_subject("[SPAM]", "Cheap watches") == "[SPAM] Cheap watches");
    CHECK(prefixed_subject("[SPAM]", " [SPAM] Cheap watches") == " [SPAM] Cheap watches");
    CHECK(prefixed_subject("[SPAM]", "") == "[SPAM]");
    CHECK(prefixed_subject("", "Cheap") == "Cheap");
}

TEST_CASE("body signature tag") {
    CHECK(body_with_signature_tag("Hello\r\n", "abc123") == "Hello\r\n!DSPAM:abc123!\r\n");
    CHECK(body_with_signature_tag("Hello", "abc123") == "Hello\r\n!DSPAM:abc123!\r\n");
    CHECK(body_with_signature_tag("Hello\n", "abc123") == "Hello\n!DSPAM:abc123!\n");
    CHECK(body_with_signature_tag("", "abc123") == "!DSPAM:abc123!\r\n");
}

TEST_CASE("reply text is printable and has its percent signs doubled") {
    CHECK(reply_text("100% spam") == "100%% spam");
    CHECK(reply_text("line\r\nbreak") == "line??break");
    CHECK(reply_text(std::string(1000, 'x')).size() == k_max_reply_text);
}

}  // namespace
}  // namespace dspamd::milter
