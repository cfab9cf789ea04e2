// Becoming a daemon: the socket's directory, privileges, the PID file and
// the fork into the background, each a small step main() takes in order.
// The parent of the fork waits until the child reports that it is serving
// (or why it is not), so `dspamd` exits 0 only when the milter is up.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

#include "engine/config.h"

namespace dspamd::milter {

// The account to run as: nothing when not started as root or when `user` is
// "root". Throws std::runtime_error for an unknown user.
struct Account {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
};
std::optional<Account> account_to_run_as(const std::string& user);

// The path of a unix: or local: socket spec; nothing for inet.
std::optional<std::filesystem::path> unix_socket_path(const std::string& spec);

// Creates `directory` (and parents) when missing and gives the new directory
// to `owner`, so that the socket and PID file can be removed after
// privileges are dropped. An existing directory is left as it is.
void prepare_directory(const std::filesystem::path& directory, const std::optional<Account>& owner);

// After smfi_opensocket: the unix socket's group and mode.
void secure_socket(const std::filesystem::path& socket, const MilterConfig& config,
                   const std::optional<Account>& owner);

// setgroups, setgid, setuid; checks that root cannot be regained.
void drop_privileges(const Account& account);

// Forks; the parent waits for the child's report and exits with 0 or 1.
// Returns in the child, which is a session leader with stdio on /dev/null.
class Daemon {
public:
    void detach();
    // Tells the waiting parent (if any) that the milter is up, or why not.
    void report_ready();
    void report_failure(const std::string& why);

private:
    int m_fd = -1;
};

// Writes the PID file; removes it when destroyed.
class PidFile {
public:
    PidFile(std::filesystem::path path, const std::optional<Account>& owner);
    ~PidFile();
    PidFile(const PidFile&) = delete;
    PidFile& operator=(const PidFile&) = delete;

private:
    std::filesystem::path m_path;
};

}  // namespace dspamd::milter
