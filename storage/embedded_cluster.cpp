// The embedded PostgreSQL cluster: initdb, pg_ctl start/stop/status and the
// database, run as child processes (fork/exec, no shell) with their output
// captured for the error messages. When running as root the children switch
// to the system user, because initdb and postgres refuse to run as root.
#include "storage/embedded_cluster.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <pqxx/pqxx>
#include <sstream>
#include <system_error>
#include <vector>

namespace dspamd {

namespace fs = std::filesystem;

namespace {

// The socket path must fit in sockaddr_un.sun_path (108 bytes with the NUL).
constexpr std::size_t k_max_socket_path = 107;
constexpr const char* k_socket_name = ".s.PGSQL.5432";
// Enough of a command's output to explain its failure.
constexpr std::size_t k_max_output_in_error = 2000;

struct CommandResult {
    int status = -1;  // exit status, or 128 + signal
    std::string output;
};

std::string join_command(const std::vector<std::string>& argv) {
    std::string text;
    for (const auto& arg : argv) {
        if (!text.empty()) {
            text += ' ';
        }
        text += arg;
    }
    return text;
}

std::string tail(const std::string& text) {
    if (text.size() <= k_max_output_in_error) {
        return text;
    }
    return "..." + text.substr(text.size() - k_max_output_in_error);
}

// "`pg_ctl start …` failed (exit 1): <last lines of its output>"
std::string command_failure(const std::vector<std::string>& argv, const CommandResult& result) {
    return "`" + join_command(argv) + "` failed (exit " + std::to_string(result.status) +
           "): " + tail(result.output);
}

std::string errno_text(int err) {
    return std::error_code(err, std::generic_category()).message();
}

}  // namespace

struct EmbeddedCluster::Owner {
    bool switch_user = false;  // true when we are root
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;
    std::string name;
    std::string home;
};

namespace {

// Runs argv[0] (an absolute path) with stdout and stderr captured, in `cwd`,
// as `who` when it asks for a switch. The environment is minimal so that the
// caller's PGDATA, PGHOST and the like cannot redirect the commands.
CommandResult run_command(const std::vector<std::string>& argv, const fs::path& cwd,
                          bool switch_user, uid_t uid, gid_t gid, const std::vector<gid_t>& groups,
                          const std::string& home, const std::string& user_name) {
    std::vector<std::string> env_strings = {"PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C",
                                            "HOME=" + home, "USER=" + user_name,
                                            "LOGNAME=" + user_name};
    std::vector<char*> args;
    for (const auto& arg : argv) {
        args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    std::vector<char*> env;
    for (const auto& entry : env_strings) {
        env.push_back(const_cast<char*>(entry.c_str()));
    }
    env.push_back(nullptr);
    const std::string cwd_text = cwd.string();

    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
        throw ClusterError("cannot create a pipe for " + argv[0] + ": " + errno_text(errno));
    }
    const pid_t pid = fork();
    if (pid < 0) {
        const int err = errno;
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        throw ClusterError("cannot fork for " + argv[0] + ": " + errno_text(err));
    }
    if (pid == 0) {
        // Child: only async-signal-safe calls from here on.
        const int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
        }
        dup2(pipe_fds[1], STDOUT_FILENO);
        dup2(pipe_fds[1], STDERR_FILENO);
        if (switch_user) {
            if (setgroups(groups.size(), groups.data()) != 0 || setgid(gid) != 0 ||
                setuid(uid) != 0) {
                static const char k_msg[] = "cannot switch to the cluster's system user\n";
                (void)!write(STDERR_FILENO, k_msg, sizeof(k_msg) - 1);
                _exit(126);
            }
        }
        if (chdir(cwd_text.c_str()) != 0) {
            static const char k_msg[] = "cannot change to the state directory\n";
            (void)!write(STDERR_FILENO, k_msg, sizeof(k_msg) - 1);
            _exit(126);
        }
        execve(args[0], args.data(), env.data());
        static const char k_msg[] = "cannot execute the command\n";
        (void)!write(STDERR_FILENO, k_msg, sizeof(k_msg) - 1);
        _exit(127);
    }
    close(pipe_fds[1]);
    CommandResult result;
    char buffer[4096];
    for (;;) {
        const ssize_t n = read(pipe_fds[0], buffer, sizeof(buffer));
        if (n > 0) {
            result.output.append(buffer, static_cast<std::size_t>(n));
            // Keep memory bounded if a command is unexpectedly chatty.
            if (result.output.size() > 16 * k_max_output_in_error) {
                result.output.erase(0, result.output.size() - 8 * k_max_output_in_error);
            }
        } else if (n == 0 || errno != EINTR) {
            break;
        }
    }
    close(pipe_fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            throw ClusterError("cannot wait for " + argv[0] + ": " + errno_text(errno));
        }
    }
    if (WIFEXITED(status)) {
        result.status = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result.status = 128 + WTERMSIG(status);
    }
    return result;
}

// pg_ctl pastes the -o options and the log path into a shell command line.
void check_path_is_shell_safe(const fs::path& path) {
    const std::string text = path.string();
    if (text.find_first_of("'\"`$\\\n") != std::string::npos) {
        throw ClusterError("the state directory '" + text +
                           "' contains a quote, $, ` or \\, which pg_ctl cannot pass on");
    }
}

std::optional<fs::path> newest_installed_bin_dir() {
    const fs::path root = "/usr/lib/postgresql";
    std::error_code ec;
    std::optional<fs::path> best;
    long best_version = -1;
    for (const auto& entry : fs::directory_iterator(root, ec)) {
        const std::string name = entry.path().filename().string();
        char* end = nullptr;
        const long version = std::strtol(name.c_str(), &end, 10);
        if (end == name.c_str() || *end != '\0') {
            continue;
        }
        if (version > best_version && fs::exists(entry.path() / "bin" / "pg_ctl", ec)) {
            best_version = version;
            best = entry.path() / "bin";
        }
    }
    return best;
}

// Serializes start() between processes: two daemons starting at once must not
// both initdb or both start the server.
class FileLock {
public:
    explicit FileLock(const fs::path& path) {
        m_fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (m_fd < 0) {
            throw ClusterError("cannot open the lock file " + path.string() + ": " +
                               errno_text(errno));
        }
        while (flock(m_fd, LOCK_EX) != 0) {
            if (errno != EINTR) {
                const int err = errno;
                close(m_fd);
                throw ClusterError("cannot lock " + path.string() + ": " + errno_text(err));
            }
        }
    }
    ~FileLock() { close(m_fd); }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    int m_fd = -1;
};

}  // namespace

EmbeddedCluster::EmbeddedCluster(EmbeddedClusterOptions options) : m_options(std::move(options)) {
    if (m_options.state_dir.empty()) {
        throw ClusterError("the embedded cluster needs a state directory");
    }
    m_options.state_dir = fs::absolute(m_options.state_dir).lexically_normal();
    if (!m_options.state_dir.has_filename()) {
        m_options.state_dir = m_options.state_dir.parent_path();
    }
    m_data_dir = m_options.state_dir / "pgdata";
    m_socket_dir = m_options.state_dir / "run";
    m_log_file = m_options.state_dir / "pg.log";
    check_path_is_shell_safe(m_options.state_dir);
    if ((m_socket_dir / k_socket_name).string().size() > k_max_socket_path) {
        throw ClusterError("the state directory '" + m_options.state_dir.string() +
                           "' is too long for a unix socket path (at most " +
                           std::to_string(k_max_socket_path) + " bytes with '/run/" +
                           k_socket_name + "')");
    }
    if (m_options.start_timeout_s < 1) {
        throw ClusterError("the cluster's start timeout must be at least 1 second");
    }
}

std::string EmbeddedCluster::dsn() const {
    return "host=" + m_socket_dir.string() + " dbname=" + k_database + " user=" + k_role;
}

fs::path EmbeddedCluster::bin_dir() const {
    if (!m_options.bin_dir.empty()) {
        return m_options.bin_dir;
    }
    std::error_code ec;
    std::ifstream version_file(m_data_dir / "PG_VERSION");
    std::string version;
    if (version_file >> version) {
        const fs::path candidate = fs::path("/usr/lib/postgresql") / version / "bin";
        if (fs::exists(candidate / "pg_ctl", ec)) {
            return candidate;
        }
    }
#ifdef DSPAMD_PG_BINDIR
    if (fs::exists(fs::path(DSPAMD_PG_BINDIR) / "pg_ctl", ec)) {
        return DSPAMD_PG_BINDIR;
    }
#endif
    if (auto newest = newest_installed_bin_dir()) {
        return *newest;
    }
    throw ClusterError(
        "no PostgreSQL server binaries found (looked for pg_ctl in /usr/lib/postgresql/*/bin); "
        "install the postgresql package or set the binaries' directory");
}

EmbeddedCluster::Owner EmbeddedCluster::owner() const {
    Owner who;
    if (geteuid() != 0) {
        who.uid = geteuid();
        who.gid = getegid();
        const passwd* pw = getpwuid(who.uid);
        who.name = pw != nullptr ? pw->pw_name : std::to_string(who.uid);
        who.home = m_options.state_dir.string();
        return who;
    }
    who.switch_user = true;
    const passwd* pw = getpwnam(m_options.system_user.c_str());
    if (pw == nullptr) {
        // PostgreSQL refuses root: the cluster needs an unprivileged owner.
        const std::vector<std::string> argv = {
            "/usr/sbin/useradd",          "--system", "--home-dir",
            m_options.state_dir.string(), "--shell",  "/usr/sbin/nologin",
            m_options.system_user};
        const CommandResult result = run_command(argv, "/", false, 0, 0, {}, "/", "root");
        pw = getpwnam(m_options.system_user.c_str());
        if (pw == nullptr) {
            throw ClusterError("cannot create the system user '" + m_options.system_user +
                               "' for the embedded cluster: `" + join_command(argv) +
                               "` exited with " + std::to_string(result.status) + ": " +
                               tail(result.output));
        }
    }
    if (pw->pw_uid == 0) {
        throw ClusterError("the embedded cluster's system user '" + m_options.system_user +
                           "' must not be root");
    }
    who.uid = pw->pw_uid;
    who.gid = pw->pw_gid;
    who.name = pw->pw_name;
    who.home = m_options.state_dir.string();
    int count = 32;
    who.groups.resize(static_cast<std::size_t>(count));
    if (getgrouplist(pw->pw_name, pw->pw_gid, who.groups.data(), &count) < 0) {
        who.groups.resize(static_cast<std::size_t>(count));
        getgrouplist(pw->pw_name, pw->pw_gid, who.groups.data(), &count);
    }
    who.groups.resize(static_cast<std::size_t>(std::max(count, 0)));
    return who;
}

void EmbeddedCluster::prepare_directories(const Owner& who) const {
    std::error_code ec;
    fs::create_directories(m_options.state_dir, ec);
    if (ec) {
        throw ClusterError("cannot create the state directory " + m_options.state_dir.string() +
                           ": " + ec.message());
    }
    fs::create_directories(m_socket_dir, ec);
    if (ec) {
        throw ClusterError("cannot create the socket directory " + m_socket_dir.string() + ": " +
                           ec.message());
    }
    // The socket directory guards the cluster (it trusts every local
    // connection), so only its owner may enter it.
    if (chmod(m_socket_dir.c_str(), 0700) != 0) {
        throw ClusterError("cannot chmod " + m_socket_dir.string() + ": " + errno_text(errno));
    }
    if (who.switch_user) {
        for (const fs::path& dir : {m_options.state_dir, m_socket_dir}) {
            if (chown(dir.c_str(), who.uid, who.gid) != 0) {
                throw ClusterError("cannot give " + dir.string() + " to the user '" + who.name +
                                   "': " + errno_text(errno));
            }
        }
        if (fs::exists(m_log_file, ec) && chown(m_log_file.c_str(), who.uid, who.gid) != 0) {
            throw ClusterError("cannot give " + m_log_file.string() + " to the user '" + who.name +
                               "': " + errno_text(errno));
        }
    }
}

void EmbeddedCluster::init_data_dir(const Owner& who) const {
    const std::vector<std::string> argv = {(bin_dir() / "initdb").string(),
                                           "-D",
                                           m_data_dir.string(),
                                           "--auth=trust",
                                           "-U",
                                           k_role,
                                           "-E",
                                           "UTF8",
                                           "--locale=C"};
    const CommandResult result = run_command(argv, m_options.state_dir, who.switch_user, who.uid,
                                             who.gid, who.groups, who.home, who.name);
    if (result.status != 0) {
        // Leave no half-made data directory behind: the next start retries.
        std::error_code ec;
        fs::remove_all(m_data_dir, ec);
        throw ClusterError(command_failure(argv, result));
    }
}

int EmbeddedCluster::pg_ctl_status(const Owner& who) const {
    const std::vector<std::string> argv = {(bin_dir() / "pg_ctl").string(), "status", "-D",
                                           m_data_dir.string()};
    const CommandResult result = run_command(argv, m_options.state_dir, who.switch_user, who.uid,
                                             who.gid, who.groups, who.home, who.name);
    // pg_ctl status: 0 running, 3 not running, 4 no accessible data directory.
    if (result.status != 0 && result.status != 3 && result.status != 4) {
        throw ClusterError(command_failure(argv, result));
    }
    return result.status;
}

bool EmbeddedCluster::running() const {
    std::error_code ec;
    if (!fs::exists(m_data_dir / "PG_VERSION", ec)) {
        return false;
    }
    return pg_ctl_status(owner()) == 0;
}

void EmbeddedCluster::start_server(const Owner& who) const {
    // listen_addresses='' (the shell pg_ctl uses turns '' into an empty
    // value): unix socket only, so no port can clash with another server.
    std::string server_options = "-k '" + m_socket_dir.string() + "' -c listen_addresses=''";
    if (m_options.throwaway) {
        server_options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
    }
    const std::vector<std::string> argv = {(bin_dir() / "pg_ctl").string(),
                                           "start",
                                           "-D",
                                           m_data_dir.string(),
                                           "-l",
                                           m_log_file.string(),
                                           "-w",
                                           "-t",
                                           std::to_string(m_options.start_timeout_s),
                                           "-o",
                                           server_options};
    const CommandResult result = run_command(argv, m_options.state_dir, who.switch_user, who.uid,
                                             who.gid, who.groups, who.home, who.name);
    if (result.status != 0) {
        throw ClusterError(command_failure(argv, result) + " -- see the server log " +
                           m_log_file.string());
    }
}

void EmbeddedCluster::create_database() const {
    const std::string admin_dsn =
        "host=" + m_socket_dir.string() + " dbname=postgres user=" + k_role + " connect_timeout=10";
    try {
        pqxx::connection conn(admin_dsn);
        pqxx::nontransaction txn(conn);
        const pqxx::result found =
            txn.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", k_database);
        if (found.empty()) {
            try {
                txn.exec(std::string("CREATE DATABASE ") + k_database);
            } catch (const pqxx::sql_error& e) {
                // 42P04 duplicate_database: another process was quicker.
                if (e.sqlstate() != "42P04") {
                    throw;
                }
            }
        }
    } catch (const std::exception& e) {
        throw ClusterError("cannot create the database '" + std::string(k_database) + "' in " +
                           m_data_dir.string() + ": " + e.what() + " -- see the server log " +
                           m_log_file.string());
    }
}

std::string EmbeddedCluster::start() {
    const Owner who = owner();
    prepare_directories(who);
    FileLock lock(m_socket_dir / "cluster.lock");
    std::error_code ec;
    if (!fs::exists(m_data_dir / "PG_VERSION", ec)) {
        if (fs::exists(m_data_dir, ec) && !fs::is_empty(m_data_dir, ec)) {
            throw ClusterError(m_data_dir.string() +
                               " exists but holds no PostgreSQL cluster (no PG_VERSION); "
                               "move it away to let dspamd create a new one");
        }
        init_data_dir(who);
    }
    if (pg_ctl_status(who) != 0) {
        start_server(who);
    }
    create_database();
    return dsn();
}

void EmbeddedCluster::stop() {
    std::error_code ec;
    if (!fs::exists(m_data_dir / "PG_VERSION", ec)) {
        return;
    }
    const Owner who = owner();
    if (pg_ctl_status(who) != 0) {
        return;
    }
    const std::vector<std::string> argv = {(bin_dir() / "pg_ctl").string(),
                                           "stop",
                                           "-D",
                                           m_data_dir.string(),
                                           "-m",
                                           "fast",
                                           "-w",
                                           "-t",
                                           std::to_string(m_options.start_timeout_s)};
    const CommandResult result = run_command(argv, m_options.state_dir, who.switch_user, who.uid,
                                             who.gid, who.groups, who.home, who.name);
    if (result.status != 0) {
        throw ClusterError(command_failure(argv, result) + " -- see the server log " +
                           m_log_file.string());
    }
}

}  // namespace dspamd
