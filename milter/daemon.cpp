// Daemon start-up steps: directories, privileges, fork, PID file.
#include "milter/daemon.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "engine/log.h"

namespace dspamd::milter {
namespace {

constexpr std::size_t k_max_report_bytes = 4096;
constexpr std::size_t k_passwd_buffer_bytes = 16384;

[[noreturn]] void fail_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

std::optional<gid_t> group_id(const std::string& name) {
    std::vector<char> buffer(k_passwd_buffer_bytes);
    group entry{};
    group* found = nullptr;
    if (getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
        found == nullptr) {
        return std::nullopt;
    }
    return found->gr_gid;
}

}  // namespace

std::optional<Account> account_to_run_as(const std::string& user) {
    if (geteuid() != 0 || user == "root") {
        return std::nullopt;
    }
    std::vector<char> buffer(k_passwd_buffer_bytes);
    passwd entry{};
    passwd* found = nullptr;
    if (getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
        found == nullptr) {
        throw std::runtime_error("milter.user: no such user \"" + user +
                                 "\" (create it with useradd --system " + user + ")");
    }
    return Account{user, found->pw_uid, found->pw_gid};
}

std::optional<std::filesystem::path> unix_socket_path(const std::string& spec) {
    for (std::string_view prefix : {"unix:", "local:"}) {
        if (spec.starts_with(prefix)) {
            return std::filesystem::path(spec.substr(prefix.size()));
        }
    }
    return std::nullopt;
}

void prepare_directory(const std::filesystem::path& directory,
                       const std::optional<Account>& owner) {
    std::error_code ec;
    if (std::filesystem::is_directory(directory, ec)) {
        return;  // an existing directory (/run itself...) is never given away
    }
    std::filesystem::create_directories(directory, ec);
    if (ec) {
        throw std::runtime_error("cannot create " + directory.string() + ": " + ec.message());
    }
    ::chmod(directory.c_str(), 0755);
    if (owner && ::chown(directory.c_str(), owner->uid, owner->gid) != 0) {
        fail_errno("chown " + directory.string());
    }
}

void secure_socket(const std::filesystem::path& socket, const MilterConfig& config,
                   const std::optional<Account>& owner) {
    gid_t gid = static_cast<gid_t>(-1);
    if (!config.socket_group.empty()) {
        std::optional<gid_t> found = group_id(config.socket_group);
        if (!found) {
            throw std::runtime_error("milter.socket_group: no such group \"" + config.socket_group +
                                     "\"");
        }
        gid = *found;
    }
    const uid_t uid = owner ? owner->uid : static_cast<uid_t>(-1);
    if ((uid != static_cast<uid_t>(-1) || gid != static_cast<gid_t>(-1)) &&
        ::chown(socket.c_str(), uid, gid) != 0) {
        fail_errno("chown " + socket.string());
    }
    if (::chmod(socket.c_str(), static_cast<mode_t>(config.socket_mode)) != 0) {
        fail_errno("chmod " + socket.string());
    }
}

void drop_privileges(const Account& account) {
    if (::initgroups(account.name.c_str(), account.gid) != 0) {
        fail_errno("initgroups " + account.name);
    }
    if (::setgid(account.gid) != 0) {
        fail_errno("setgid");
    }
    if (::setuid(account.uid) != 0) {
        fail_errno("setuid");
    }
    if (::setuid(0) == 0) {
        throw std::runtime_error("could still regain root after dropping privileges");
    }
}

void Daemon::detach() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        fail_errno("pipe");
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        fail_errno("fork");
    }
    if (pid > 0) {
        ::close(fds[1]);
        std::string report;
        char buffer[512];
        for (;;) {
            const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0 || report.size() > k_max_report_bytes) {
                break;
            }
            report.append(buffer, static_cast<std::size_t>(n));
        }
        if (report == "ok") {
            ::_exit(0);
        }
        std::fprintf(stderr, "dspamd: %s\n",
                     report.empty() ? "exited during start-up (see the mail log)" : report.c_str());
        ::_exit(1);
    }
    ::close(fds[0]);
    m_fd = fds[1];
    if (::setsid() < 0) {
        fail_errno("setsid");
    }
    if (::chdir("/") != 0) {
        fail_errno("chdir /");
    }
    const int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
        ::dup2(null, STDIN_FILENO);
        ::dup2(null, STDOUT_FILENO);
        ::dup2(null, STDERR_FILENO);
        if (null > STDERR_FILENO) {
            ::close(null);
        }
    }
}

void Daemon::report_ready() {
    report_failure("ok");
}

void Daemon::report_failure(const std::string& why) {
    if (m_fd < 0) {
        return;
    }
    const std::string text = why.substr(0, k_max_report_bytes);
    ssize_t written = 0;
    while (written < static_cast<ssize_t>(text.size())) {
        const ssize_t n = ::write(m_fd, text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        written += n;
    }
    ::close(m_fd);
    m_fd = -1;
}

PidFile::PidFile(std::filesystem::path path, const std::optional<Account>& owner)
    : m_path(std::move(path)) {
    std::ofstream out(m_path, std::ios::trunc);
    out << ::getpid() << "\n";
    out.close();
    if (!out) {
        throw std::runtime_error("cannot write the PID file " + m_path.string());
    }
    if (owner && ::chown(m_path.c_str(), owner->uid, owner->gid) != 0) {
        fail_errno("chown " + m_path.string());
    }
}

PidFile::~PidFile() {
    std::error_code ec;
    std::filesystem::remove(m_path, ec);
    if (ec) {
        log_warning("could not remove the PID file " + m_path.string() + ": " + ec.message());
    }
}

}  // namespace dspamd::milter
