// core/background_job.hh: BackgroundJob, the one way halbd uses a second
// thread. A pure computation (today: parsing and validating the
// configuration on a reload, a quarter of a second for 10,000 virtual
// servers) runs on a worker thread while the loop goes on sending adverts
// and running checks; its result comes back on the loop, through an eventfd.
// The work gets its inputs by value and returns its output: it must not
// touch anything the loop thread uses (no logging, no loop objects, no
// subsystem). Owned by whoever started it (halbd's Daemon); destroying the
// job before it finished waits for the worker, and drops the result.
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <optional>
#include <thread>
#include <utility>

#include "core/event_loop.hh"
#include "core/fd.hh"
#include "core/result.hh"

namespace halbd::core {

template <class T>
class BackgroundJob {
public:
    using Work = std::function<T()>;
    // Called on the loop with the work's result. It may destroy the job.
    using Done = std::function<void(T)>;

    // Starts work() on a new thread; done(result) runs later, on the loop.
    static Result<std::unique_ptr<BackgroundJob>> start(EventLoop& loop, Work work, Done done) {
        UniqueFd efd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
        if (!efd) return system_error("eventfd");
        std::unique_ptr<BackgroundJob> job(new BackgroundJob(std::move(efd), std::move(done)));
        BackgroundJob* raw = job.get();
        job->watch_ = loop.watch_fd(job->efd_.get(), fd_events::readable, [raw](uint32_t) { raw->on_ready(); });
        if (!job->watch_) return system_error("watch eventfd");
        try {
            job->thread_ = std::thread([raw, work = std::move(work)] {
                raw->result_.emplace(work());
                const uint64_t one = 1;
                // The loop learns of the result through the eventfd; it reads
                // result_ only after join(), which orders it after this thread.
                [[maybe_unused]] ssize_t n = ::write(raw->efd_.get(), &one, sizeof one);
            });
        } catch (const std::system_error& e) {
            return Error{e.code().value(), std::string("cannot start a thread: ") + e.what()};
        }
        return job;
    }

    ~BackgroundJob() {
        watch_.reset();
        if (thread_.joinable()) thread_.join();
    }
    BackgroundJob(const BackgroundJob&) = delete;
    BackgroundJob& operator=(const BackgroundJob&) = delete;

private:
    BackgroundJob(UniqueFd efd, Done done) : efd_(std::move(efd)), done_(std::move(done)) {}

    void on_ready() {
        uint64_t n;
        if (::read(efd_.get(), &n, sizeof n) != static_cast<ssize_t>(sizeof n)) return;
        thread_.join();
        watch_.reset();
        // Moved out first: done may destroy this job.
        Done done = std::move(done_);
        T result = std::move(*result_);
        done(std::move(result));
    }

    UniqueFd efd_;
    Done done_;
    FdWatchPtr watch_;
    std::optional<T> result_;
    std::thread thread_;
};

}  // namespace halbd::core
