// Command-line arguments of dspamctl: `--name value`, `--name=value`, flags,
// and positional operands. Unknown options are usage errors.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace dspamd::cli {

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Arguments {
public:
    // `with_value` and `flags` name the options the command accepts.
    Arguments(const std::vector<std::string>& args, const std::set<std::string>& with_value,
              const std::set<std::string>& flags);

    std::optional<std::string> value(const std::string& name) const;
    std::string value_or(const std::string& name, const std::string& fallback) const;
    bool flag(const std::string& name) const { return m_flags.count(name) > 0; }
    const std::vector<std::string>& operands() const { return m_operands; }

private:
    std::map<std::string, std::string> m_values;
    std::set<std::string> m_flags;
    std::vector<std::string> m_operands;
};

}  // namespace dspamd::cli
