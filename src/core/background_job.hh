// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/background_job.hh: BackgroundJob, the one way halbd uses a second
// thread. A pure computation (parsing and validating the configuration on a
// reload, formatting a state dump) runs on a worker thread while the loop
// goes on sending adverts and running checks; its result comes back on the
// loop, through an eventfd. The work gets its inputs by value and returns its
// output: it must not touch anything the loop thread uses (no logging, no
// loop objects, no subsystem). Owned by whoever started it (halbd's Daemon);
// destroying the job before it finished abandons it: the worker is never
// waited for (a reload reading a FIFO or a huge include tree must not hold up
// a stop) and its result is dropped when it ends. A process that ends while
// background_threads_running() > 0 leaves with _exit() (halbd.cc main), so
// that no static destructor runs under a worker still reading.
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <utility>

#include "core/event_loop.hh"
#include "core/fd.hh"
#include "core/result.hh"

namespace halbd::core {

namespace detail {
inline std::atomic<unsigned> g_background_threads{0};
}

// Worker threads still running, abandoned ones included.
inline unsigned background_threads_running() { return detail::g_background_threads.load(); }

template <class T>
class BackgroundJob {
public:
    using Work = std::function<T()>;
    // Called on the loop with the work's result. It may destroy the job.
    using Done = std::function<void(T)>;

    // Starts work() on a new thread; done(result) runs later, on the loop.
    static Result<std::unique_ptr<BackgroundJob>> start(EventLoop& loop, Work work, Done done) {
        auto shared = std::make_shared<Shared>();
        shared->efd.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
        if (!shared->efd) return system_error("eventfd");
        std::unique_ptr<BackgroundJob> job(new BackgroundJob(shared, std::move(done)));
        BackgroundJob* raw = job.get();
        job->watch_ = loop.watch_fd(shared->efd.get(), fd_events::readable, [raw](uint32_t) { raw->on_ready(); });
        if (!job->watch_) return system_error("watch eventfd");
        ++detail::g_background_threads;
        try {
            // The thread holds the shared state, never the job: it may outlive it.
            job->thread_ = std::thread([shared, work = std::move(work)]() mutable {
                Work w = std::move(work);
                shared->result.emplace(w());
                w = nullptr;  // the work's captures go before the thread counts as ended
                shared->done.store(true, std::memory_order_release);
                const uint64_t one = 1;
                [[maybe_unused]] ssize_t n = ::write(shared->efd.get(), &one, sizeof one);
                --detail::g_background_threads;
            });
        } catch (const std::system_error& e) {
            --detail::g_background_threads;
            return Error{e.code().value(), std::string("cannot start a thread: ") + e.what()};
        }
        return job;
    }

    // Abandons a worker still running (see the file comment).
    ~BackgroundJob() {
        watch_.reset();
        if (thread_.joinable()) thread_.detach();
    }
    BackgroundJob(const BackgroundJob&) = delete;
    BackgroundJob& operator=(const BackgroundJob&) = delete;

private:
    // What the worker and the job share; the last of the two frees it.
    struct Shared {
        UniqueFd efd;
        std::optional<T> result;
        std::atomic<bool> done{false};  // result is written (release/acquire)
    };

    BackgroundJob(std::shared_ptr<Shared> shared, Done done) : shared_(std::move(shared)), done_(std::move(done)) {}

    void on_ready() {
        uint64_t n;
        if (::read(shared_->efd.get(), &n, sizeof n) != static_cast<ssize_t>(sizeof n)) return;
        if (!shared_->done.load(std::memory_order_acquire)) return;
        thread_.join();  // at its end already: this is no wait
        watch_.reset();
        // Moved out first: done may destroy this job.
        Done done = std::move(done_);
        T result = std::move(*shared_->result);
        done(std::move(result));
    }

    std::shared_ptr<Shared> shared_;
    Done done_;
    FdWatchPtr watch_;
    std::thread thread_;
};

}  // namespace halbd::core
