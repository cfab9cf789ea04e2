// The main thread's signal loop and its worker thread.
#include "milter/signals.h"

#include <signal.h>

#include <cerrno>
#include <thread>

#include "engine/log.h"

namespace dspamd::milter {
namespace {

constexpr std::chrono::seconds k_tick{1};  // how often `done` and the timers are looked at

sigset_t daemon_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGUSR1);
    return set;
}

// One task at a time off the main thread; a task asked for while another
// runs waits for the next tick.
class Worker {
public:
    ~Worker() { join(); }

    bool busy() const { return m_thread.joinable() && !m_finished; }

    void start(const std::function<void()>& task, const char* name) {
        join();
        m_finished = false;
        m_thread = std::thread([this, task, name] {
            try {
                task();
            } catch (const std::exception& e) {
                log_error(std::string(name) + " failed: " + e.what());
            }
            m_finished = true;
        });
    }

    void join() {
        if (m_thread.joinable()) {
            m_thread.join();
        }
    }

private:
    std::thread m_thread;
    std::atomic<bool> m_finished{true};
};

}  // namespace

void block_daemon_signals() {
    const sigset_t set = daemon_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void run_signal_loop(const std::atomic<bool>& done, const SignalActions& actions) {
    const sigset_t set = daemon_signals();
    Worker worker;
    bool reload_wanted = false;
    // Housekeeping once soon after start, then every interval.
    auto next_housekeeping = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    const timespec tick{static_cast<time_t>(k_tick.count()), 0};
    while (!done) {
        siginfo_t info{};
        const int signal = sigtimedwait(&set, &info, &tick);
        if (signal == SIGHUP || signal == SIGUSR1) {
            log_info("reloading the configuration (signal " + std::to_string(signal) + ")");
            reload_wanted = true;
        } else if (signal == SIGTERM || signal == SIGINT) {
            log_info("stopping: no new connections, finishing those in progress");
            actions.stop();
        } else if (signal < 0 && errno != EAGAIN && errno != EINTR) {
            log_error("sigtimedwait failed");
        }
        if (worker.busy()) {
            continue;
        }
        if (reload_wanted) {
            reload_wanted = false;
            worker.start(actions.reload, "reload");
        } else if (std::chrono::steady_clock::now() >= next_housekeeping) {
            next_housekeeping = std::chrono::steady_clock::now() + actions.housekeeping_interval;
            worker.start(actions.housekeeping, "housekeeping");
        }
    }
    worker.join();
}

}  // namespace dspamd::milter
