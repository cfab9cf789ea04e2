// A shared/exclusive lock that lets a waiting writer in before new readers
// (glibc's rwlock lets a steady stream of readers starve writers): CachedStore's
// flusher must not wait behind its fetches. Meets the SharedMutex
// requirements, so std::shared_lock and std::lock_guard work with it.
#pragma once

#include <condition_variable>
#include <mutex>

namespace dspamd {

class WriterFirstLock {
public:
    void lock_shared() {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [&] { return !m_writer && m_waiting_writers == 0; });
        ++m_readers;
    }
    void unlock_shared() {
        std::lock_guard lock(m_mutex);
        if (--m_readers == 0) {
            m_changed.notify_all();
        }
    }
    void lock() {
        std::unique_lock lock(m_mutex);
        ++m_waiting_writers;
        m_changed.wait(lock, [&] { return !m_writer && m_readers == 0; });
        --m_waiting_writers;
        m_writer = true;
    }
    void unlock() {
        std::lock_guard lock(m_mutex);
        m_writer = false;
        m_changed.notify_all();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    int m_readers = 0;
    int m_waiting_writers = 0;
    bool m_writer = false;
};

}  // namespace dspamd
