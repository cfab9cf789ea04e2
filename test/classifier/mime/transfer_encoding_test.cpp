// Tests of classifier/mime/transfer_encoding.cpp: tolerant base64 and
// quoted-printable decoding.
#include "classifier/mime/transfer_encoding.h"

#include <doctest/doctest.h>

using namespace dspamd::mime;

namespace {

std::string b64(std::string_view in, DecodeReport& report, std::size_t max = 1 << 20) {
    std::string out;
    decode_base64(in, out, max, report);
    return out;
}

std::string qp(std::string_view in, DecodeReport& report) {
    std::string out;
    decode_quoted_printable(in, out, 1 << 20, report);
    return out;
}

}  // namespace

TEST_CASE("base64: lines, CRLF and padding") {
    DecodeReport r;
    CHECK(b64("SGVsbG8s\r\nIHdvcmxk\r\nIQ==\r\n", r) == "Hello, world!");
    CHECK(r.junk == 0);
    CHECK_FALSE(r.stopped_on_garbage);
}

TEST_CASE("base64: missing padding still yields the last bytes") {
    DecodeReport r;
    CHECK(b64("SGk", r) == "Hi");
    CHECK(b64("SGVsbG8", r) == "Hello");
}

TEST_CASE("base64: a few junk characters are skipped") {
    DecodeReport r;
    CHECK(b64("SGVs*bG8gd29y bGQh", r) == "Hello world!");
    CHECK(r.junk == 1);
}

TEST_CASE("base64: stops at a line of garbage and at a footer after the padding") {
    DecodeReport r;
    CHECK(b64("SGVsbG8=\n\n-- \nYahoo Groups Sponsor\n", r) == "Hello");
    CHECK(r.stopped_on_garbage);
    DecodeReport r2;
    CHECK(b64("SGVsbG8g\n*** this is not base64 !!! ***\nd29ybGQ=\n", r2) == "Hello ");
    CHECK(r2.stopped_on_garbage);
}

TEST_CASE("base64: concatenated blocks are both decoded") {
    DecodeReport r;
    CHECK(b64("SGk=\nSGk=\n", r) == "HiHi");
}

TEST_CASE("base64: output bounded") {
    DecodeReport r;
    CHECK(b64("SGVsbG8gd29ybGQh", r, 5) == "Hello");
    CHECK(r.truncated);
}

TEST_CASE("base64: garbage never crashes") {
    DecodeReport r;
    CHECK(b64("====", r).empty());
    CHECK(b64("", r).empty());
    CHECK(b64("A", r).empty());
}

TEST_CASE("quoted-printable: soft breaks, escapes, CRLF") {
    DecodeReport r;
    CHECK(qp("caf=E9 cr=\r\nème\r\nnext line\r\n", r) == "caf\xE9 crème\nnext line\n");
    CHECK(r.bad_escapes == 0);
}

TEST_CASE("quoted-printable: soft break joins a word split by the encoder") {
    DecodeReport r;
    CHECK(qp("vi=\nagra", r) == "viagra");
}

TEST_CASE("quoted-printable: bad escapes kept literally, lower-case hex accepted") {
    DecodeReport r;
    CHECK(qp("100=% sure =zz =3d =3D", r) == "100=% sure =zz = =");
    CHECK(r.bad_escapes == 2);
    DecodeReport r2;
    CHECK(qp("end=", r2) == "end");
}

TEST_CASE("quoted-printable: trailing blanks removed, soft break after blanks") {
    DecodeReport r;
    CHECK(qp("word   \nnext =  \nline", r) == "word\nnext line");
}

TEST_CASE("Q words: underscore is a space") {
    std::string out;
    decode_q_word("Caf=C3=A9_au_lait=", out);
    CHECK(out == "Café au lait=");
}
