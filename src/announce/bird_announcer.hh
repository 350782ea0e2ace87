// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// announce/bird_announcer.hh: the Announcer for BIRD 2, a client of its
// control socket (what birdc speaks): `enable NAME` / `disable NAME` for
// static protocols the operator's bird.conf defines `disabled`. One command
// in flight at a time, on the event loop, never blocking it; a lost or
// refused connection is retried every second and, once back, every managed
// protocol is set again. Only stop blocks (withdraw_now, bounded).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "announce/announcer.hh"
#include "announce/bird_reply.hh"
#include "core/event_loop.hh"
#include "core/fd.hh"

namespace halbd::announce {

class BirdAnnouncer : public Announcer {
public:
    BirdAnnouncer(core::EventLoop& loop, std::string socket_path,
                  Duration retry = std::chrono::seconds(1));
    ~BirdAnnouncer() override;

    void want(const std::map<std::string, bool>& enabled) override;
    void withdraw_now(Duration bound) override;
    AnnouncerStatus status() const override { return status_; }

private:
    enum class State { Idle, Connecting, Greeting, Ready };
    void connect();
    void on_io(uint32_t events);
    void on_reply(const BirdReply& r);
    void pump();
    void lost(const std::string& why);

    core::EventLoop& loop_;
    std::string path_;
    Duration retry_;
    core::UniqueFd fd_;
    core::FdWatchPtr watch_;
    core::TimerPtr retry_timer_;
    State state_ = State::Idle;
    BirdReplyReader reader_;
    struct InFlight {
        std::string protocol;
        bool enable;
    };
    std::optional<InFlight> in_flight_;
    AnnouncerStatus status_;
    std::map<std::string, bool> forget_;  // no longer managed: disabled once, then dropped
};

}  // namespace halbd::announce
