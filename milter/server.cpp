// Start-up, reload, housekeeping and shutdown of dspamd.
#include "milter/server.h"

#include <libmilter/mfapi.h>
#include <sysexits.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <thread>

#include "engine/log.h"
#include "milter/callbacks.h"
#include "milter/daemon.h"
#include "milter/runtime.h"
#include "milter/session.h"
#include "milter/signals.h"
#include "storage/cached_store.h"

namespace dspamd::milter {
namespace {

constexpr std::chrono::seconds k_drain_timeout{60};  // connections still open at SIGTERM
constexpr std::size_t k_max_host_name = 255;

std::string host_name() {
    char buffer[k_max_host_name + 1] = {};
    if (::gethostname(buffer, k_max_host_name) != 0) {
        return "localhost";
    }
    return buffer;
}

// Settings read once at start: a reload cannot apply them.
void warn_restart_needed(const MilterConfig& running, const MilterConfig& fresh) {
    if (running.socket != fresh.socket || running.socket_group != fresh.socket_group ||
        running.socket_mode != fresh.socket_mode || running.user != fresh.user ||
        running.pid_file != fresh.pid_file || running.timeout_s != fresh.timeout_s) {
        log_warning(
            "milter.socket, socket_group, socket_mode, user, pid_file and timeout_s changed: "
            "they take effect at the next restart");
    }
}

void reload(RuntimeHolder& holder, const std::filesystem::path& path) {
    Config fresh;
    try {
        fresh = load_config(path);
    } catch (const ConfigError& e) {
        log_error(std::string("reload failed, keeping the running configuration: ") + e.what());
        return;
    }
    const std::shared_ptr<const Runtime> current = holder.get();
    warn_restart_needed(current->config().milter, fresh.milter);
    std::shared_ptr<Store> store =
        same_store(current->config(), fresh) ? current->shared_store() : open_milter_store(fresh);
    holder.set(
        std::make_shared<const Runtime>(std::move(fresh), std::move(store), current->host()));
    log_info("configuration reloaded from " + path.string() +
             "; connections already open keep the previous one");
}

// The cache's counters, for the postmaster sizing [cache] and for benchmarks.
void log_cache_stats(Store& store) {
    const auto* cache = dynamic_cast<const CachedStore*>(&store);
    if (!cache) {
        return;
    }
    const CachedStoreStats s = cache->cache_stats();
    log_info("cache: hits=" + std::to_string(s.hits) + " misses=" + std::to_string(s.misses) +
             " known_skips=" + std::to_string(s.known_skips) +
             " known_tokens=" + std::to_string(s.known_tokens) +
             " preloaded=" + std::to_string(s.preloaded) +
             " fetches=" + std::to_string(s.backing_fetches) +
             " entries=" + std::to_string(s.entries) +
             " evictions=" + std::to_string(s.evictions) +
             " flushes=" + std::to_string(s.flushes) +
             " flushed_rows=" + std::to_string(s.flushed_rows) +
             " flushed_signatures=" + std::to_string(s.flushed_signatures) +
             " flushed_history=" + std::to_string(s.flushed_history) +
             " flush_failures=" + std::to_string(s.flush_failures) +
             " queued=" + std::to_string(s.queued_rows));
}

void housekeeping(const RuntimeHolder& holder) {
    const std::shared_ptr<const Runtime> runtime = holder.get();
    log_cache_stats(runtime->store());
    const int days = runtime->config().history.expire_days;
    const std::int64_t purged = runtime->store().purge_history(days);
    log_info("history: purged " + std::to_string(purged) + " rows older than " +
             std::to_string(days) + " days");
}

void drain() {
    const auto deadline = std::chrono::steady_clock::now() + k_drain_timeout;
    while (Session::active() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (Session::active() > 0) {
        log_warning(std::to_string(Session::active()) + " connections still open at exit");
    }
}

int serve(const Config& config, const ServerOptions& options, Daemon& daemon) {
    const MilterConfig& milter = config.milter;
    // The store first: started as root, the embedded cluster creates its
    // system user, which is usually the one dspamd runs as.
    std::shared_ptr<Store> store = open_milter_store(config);
    const std::optional<Account> account = account_to_run_as(milter.user);
    const std::optional<std::filesystem::path> socket = unix_socket_path(milter.socket);
    if (socket) {
        prepare_directory(socket->parent_path(), account);
    }
    std::optional<PidFile> pid_file;
    if (!milter.pid_file.empty()) {
        const std::filesystem::path pid_path(milter.pid_file);
        prepare_directory(pid_path.parent_path(), account);
        pid_file.emplace(pid_path, account);
    }

    RuntimeHolder holder;
    holder.set(std::make_shared<const Runtime>(config, std::move(store), host_name()));
    set_runtime_holder(&holder);

    smfiDesc description = filter_description();
    if (smfi_setconn(const_cast<char*>(milter.socket.c_str())) != MI_SUCCESS ||
        smfi_settimeout(milter.timeout_s) != MI_SUCCESS ||
        smfi_register(description) != MI_SUCCESS) {
        throw std::runtime_error("libmilter refused the configuration of " + milter.socket);
    }
    if (smfi_opensocket(true) != MI_SUCCESS) {
        throw std::runtime_error("cannot listen on " + milter.socket +
                                 " (is another dspamd running?)");
    }
    if (socket) {
        secure_socket(*socket, milter, account);
    }
    if (account) {
        drop_privileges(*account);
    }
    log_info("dspamd " + std::string(options.foreground ? "in the foreground" : "daemon") +
             " listening on " + milter.socket + " (configuration " + options.config.string() + ")");
    daemon.report_ready();

    std::atomic<bool> done{false};
    int status = MI_SUCCESS;
    std::thread listener([&] {
        status = smfi_main();
        done = true;
    });
    SignalActions actions;
    actions.reload = [&] { reload(holder, options.config); };
    actions.stop = [] { smfi_stop(); };
    actions.housekeeping = [&] { housekeeping(holder); };
    run_signal_loop(done, actions);
    listener.join();
    drain();
    log_cache_stats(holder.get()->store());
    log_info("dspamd stopped");
    return status == MI_SUCCESS ? EX_OK : EX_SOFTWARE;
}

}  // namespace

int run_server(const ServerOptions& given) {
    // Absolute: the daemon changes to / and reloads the file on SIGHUP.
    ServerOptions options = given;
    std::error_code ec;
    options.config = std::filesystem::absolute(given.config, ec);
    if (ec) {
        options.config = given.config;
    }
    Config config;
    try {
        config = load_config(options.config);
    } catch (const ConfigError& e) {
        std::cerr << "dspamd: " << e.what() << "\n";
        return EX_CONFIG;
    }
    if (options.check_config) {
        std::cout << options.config.string() << ": configuration OK\n";
        return EX_OK;
    }
    Daemon daemon;
    try {
        if (!options.foreground) {
            daemon.detach();
            log_to_syslog("dspamd");
        }
        // Before any thread exists (the store's, libmilter's), so all inherit it.
        block_daemon_signals();
        return serve(config, options, daemon);
    } catch (const std::exception& e) {
        log_error(std::string("cannot start: ") + e.what());
        daemon.report_failure(e.what());
        return EX_UNAVAILABLE;
    }
}

}  // namespace dspamd::milter
