// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/smtp_check.hh: SMTP_CHECK, keepalived's check_smtp.c dialogue on a
// non-blocking TCP connection: read the 220 banner, send "HELO helo_name",
// expect 250, send QUIT, expect 221. Each step is bounded by connect_timeout
// (keepalived's per-operation timeout). Deprecated `host` sub-blocks are
// split into one SMTP_CHECK per host by the config layer, so all of them must
// pass, as in keepalived 2.x. Built by make_checker(); owns the connection
// (a SocketIo) and its buffers.
#pragma once

#include <optional>
#include <string>

#include "check/attempt.hh"
#include "check/socket_io.hh"
#include "check/tcp_check.hh"

namespace halbd::check {

// The code of the first complete SMTP reply in buf (its last line is "NNN "
// or "NNN"), and how many bytes it takes; nullopt while incomplete. code is
// -1 for a malformed reply.
struct SmtpReply {
    int code = -1;
    size_t length = 0;
    std::string text;  // the last line without CRLF, for log lines
};
std::optional<SmtpReply> parse_smtp_reply(const std::string& buf);

class SmtpChecker final : public AttemptChecker {
public:
    SmtpChecker(core::EventLoop& loop, TcpTarget target, std::string helo_name);

    std::string describe() const override { return "SMTP_CHECK to " + endpoint_text(target_.address, target_.port); }

private:
    enum class Step : uint8_t { Connect, Banner, Helo, Quit };

    std::optional<CheckResult> begin() override;
    void on_deadline() override;
    void release_io() override {
        io_.close();
        in_.clear();
        out_.clear();
    }
    void on_ready(uint32_t events);
    void on_reply(const SmtpReply& r);
    void send_line(const std::string& line);  // queues it and moves to the next step
    bool flush();                             // false when finished (error)
    static const char* step_name(Step s);

    TcpTarget target_;
    std::string helo_name_;
    Step step_ = Step::Connect;
    std::string in_, out_;
    SocketIo io_;
};

}  // namespace halbd::check
