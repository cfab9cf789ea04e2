// The parameters of Content-Type and Content-Disposition (RFC 2045 section
// 5.1): "token; name=value; name=\"quoted\"", with RFC 2231 extensions
// (name*=charset'lang'%XX, name*0=..., name*1*=...) joined and decoded to
// UTF-8. Tolerant of what real mail writes: comments, a forgotten ';',
// stray separators, unterminated quotes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dspamd::mime {

struct Parameter {
    std::string name;       // lower case, without RFC 2231 "*n*" marks
    std::string value;      // UTF-8; continuations joined, %XX and charset decoded
    bool extended = false;  // came from RFC 2231 syntax
};

// A Content-Type or Content-Disposition value: the leading token and its parameters.
struct StructuredValue {
    std::string token;  // lower case, e.g. "multipart/mixed" or "attachment"
    std::vector<Parameter> params;
    const std::string* find(std::string_view name) const;
    bool has_extended() const;
    std::string render() const;  // "token; name=\"value\"" with the decoded values
};
StructuredValue parse_structured(std::string_view unfolded);

}  // namespace dspamd::mime
