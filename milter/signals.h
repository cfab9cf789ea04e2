// Signals of the daemon, taken by the main thread with sigtimedwait:
// SIGHUP (and SIGUSR1) reload the configuration, SIGTERM and SIGINT stop
// accepting connections and let those in progress finish.
//
// libmilter starts a signal thread of its own that sigwaits for SIGHUP,
// SIGTERM and SIGINT and stops the milter on each. Linux hands a
// process-directed signal to the main thread when that thread is waiting for
// it, so the main thread runs this loop and never blocks for long: reloads
// and housekeeping run on a worker thread. SIGUSR1, which libmilter ignores,
// reloads too, for a reload that can never be taken for a stop.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>

namespace dspamd::milter {

// Blocks the daemon's signals in the calling thread; threads created
// afterwards inherit the mask. Call before any thread exists.
void block_daemon_signals();

struct SignalActions {
    std::function<void()> reload;        // on the worker thread
    std::function<void()> stop;          // smfi_stop(), on the main thread
    std::function<void()> housekeeping;  // on the worker thread, every `interval`
    std::chrono::seconds housekeeping_interval{86400};
};

// Returns once `done` is set (smfi_main returned) and the worker finished.
void run_signal_loop(const std::atomic<bool>& done, const SignalActions& actions);

}  // namespace dspamd::milter
