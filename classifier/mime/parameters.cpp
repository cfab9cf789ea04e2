// Content-Type / Content-Disposition parameters; see parameters.h.
#include "classifier/mime/parameters.h"

#include <algorithm>
#include <map>

#include "classifier/mime/ascii.h"
#include "classifier/mime/charset.h"

namespace dspamd::mime {
namespace {

constexpr std::size_t k_max_params = 64;          // parameters kept per value
constexpr std::size_t k_max_param_section = 999;  // RFC 2231 "name*N" sections

std::string percent_decode(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '%' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 &&
            hex_value(in[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
            i += 2;
        } else {
            out.push_back(in[i]);
        }
    }
    return out;
}

// One "name=value" as written, before RFC 2231 sections are joined.
struct RawParam {
    std::string base;
    int section = -1;  // -1: no "*N"
    bool extended = false;
    std::string value;
};

}  // namespace

const std::string* StructuredValue::find(std::string_view name) const {
    for (const Parameter& p : params) {
        if (p.name == name) {
            return &p.value;
        }
    }
    return nullptr;
}

bool StructuredValue::has_extended() const {
    return std::any_of(params.begin(), params.end(), [](const Parameter& p) { return p.extended; });
}

std::string StructuredValue::render() const {
    std::string out = token;
    for (const Parameter& p : params) {
        out += "; ";
        out += p.name;
        out += "=\"";
        for (char c : p.value) {
            if (c == '"' || c == '\\') {
                out.push_back('\\');
            }
            out.push_back(c);
        }
        out.push_back('"');
    }
    return out;
}

StructuredValue parse_structured(std::string_view s) {
    StructuredValue result;
    // The token ends at ';', at a comment, or at a blank after "type/subtype"
    // (then a ';' was forgotten and parameters follow: "text/html charset=x").
    std::size_t i = 0;
    bool slash = false;
    bool subtype = false;
    for (; i < s.size() && s[i] != ';' && s[i] != '('; ++i) {
        const char c = s[i];
        if (is_space(c)) {
            if (subtype) {
                break;
            }
            continue;
        }
        if (c == '"') {
            continue;
        }
        result.token.push_back(ascii_lower(c));
        if (c == '/') {
            slash = true;
        } else if (slash) {
            subtype = true;
        }
    }
    while (i < s.size() && s[i] == '(') {
        const std::size_t close = s.find(')', i);  // a comment (RFC 5322 CFWS), skipped
        i = close == std::string_view::npos ? s.size() : close + 1;
        while (i < s.size() && s[i] != ';' && is_space(s[i])) {
            ++i;
        }
    }

    std::vector<RawParam> raw;
    while (i < s.size() && raw.size() < k_max_params) {
        while (i < s.size() && (is_space(s[i]) || s[i] == ';')) {
            ++i;
        }
        const std::size_t name_start = i;
        while (i < s.size() && s[i] != '=' && s[i] != ';') {
            ++i;
        }
        const std::string name = to_lower(trim(s.substr(name_start, i - name_start)));
        if (i >= s.size() || s[i] != '=') {
            continue;  // a parameter without value carries nothing
        }
        ++i;
        while (i < s.size() && is_space(s[i])) {
            ++i;
        }
        std::string value;
        if (i < s.size() && s[i] == '"') {
            ++i;
            while (i < s.size() && s[i] != '"') {
                if (s[i] == '\\' && i + 1 < s.size()) {
                    ++i;
                }
                value.push_back(s[i]);
                ++i;
            }
            ++i;
            while (i < s.size() && s[i] != ';') {
                ++i;
            }
        } else {
            // A token ends at a blank or a comment: "charset=utf-8 (x)" and
            // "charset=utf-8 format=flowed" (';' forgotten) both mean utf-8.
            const std::size_t value_start = i;
            while (i < s.size() && s[i] != ';' && !is_space(s[i]) && s[i] != '(') {
                ++i;
            }
            value = std::string(s.substr(value_start, i - value_start));
            while (i < s.size() && s[i] != ';') {
                ++i;
            }
        }
        if (name.empty()) {
            continue;
        }
        RawParam param;
        const std::size_t star = name.find('*');
        param.base = name.substr(0, star);
        if (star != std::string::npos) {
            std::string_view rest = std::string_view(name).substr(star + 1);
            if (!rest.empty() && rest.back() == '*') {
                param.extended = true;
                rest.remove_suffix(1);
            } else if (rest.empty()) {
                param.extended = true;
            }
            if (!rest.empty()) {
                int section = 0;
                for (char c : rest) {
                    if (c < '0' || c > '9' || section > static_cast<int>(k_max_param_section)) {
                        section = -2;
                        break;
                    }
                    section = section * 10 + (c - '0');
                }
                if (section < 0) {
                    continue;
                }
                param.section = section;
            }
        }
        param.value = std::move(value);
        raw.push_back(std::move(param));
    }

    // Join RFC 2231 sections in order; an RFC 2231 value overrides a plain one.
    std::vector<std::string> order;
    for (const RawParam& p : raw) {
        if (std::find(order.begin(), order.end(), p.base) == order.end()) {
            order.push_back(p.base);
        }
    }
    for (const std::string& base : order) {
        std::map<int, const RawParam*> sections;
        const RawParam* plain = nullptr;
        for (const RawParam& p : raw) {
            if (p.base != base) {
                continue;
            }
            if (p.section < 0 && !p.extended) {
                if (plain == nullptr) {
                    plain = &p;
                }
            } else {
                sections.emplace(p.section < 0 ? 0 : p.section, &p);
            }
        }
        Parameter param;
        param.name = base;
        if (sections.empty()) {
            param.value = plain->value;
            ConvertReport ignored;
            std::string utf8;
            append_utf8("", param.value, utf8, param.value.size() * 3 + 3, ignored);
            param.value = std::move(utf8);
        } else {
            param.extended = true;
            std::string charset;
            std::string bytes;
            bool first = true;
            for (const auto& [number, p] : sections) {
                std::string_view v = p->value;
                if (first && p->extended) {
                    // charset'language'value
                    const std::size_t q1 = v.find('\'');
                    const std::size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
                    if (q2 != std::string_view::npos) {
                        charset = std::string(v.substr(0, q1));
                        v.remove_prefix(q2 + 1);
                    }
                }
                first = false;
                bytes += p->extended ? percent_decode(v) : std::string(v);
            }
            ConvertReport ignored;
            append_utf8(charset, bytes, param.value, bytes.size() * 4 + 4, ignored);
        }
        result.params.push_back(std::move(param));
    }
    return result;
}

}  // namespace dspamd::mime
