// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/smtp_check.cc: SMTP_CHECK (see smtp_check.hh). RFC 5321 section
// 4.2: a reply is one or more lines "NNN-text" ending with "NNN text".
// Every outcome leaves through finish().
#include "check/smtp_check.hh"

#include <sys/socket.h>

#include <cctype>
#include <cerrno>

#include "check/probe_socket.hh"

namespace halbd::check {

namespace {

constexpr size_t kMaxReply = 64 * 1024;

bool three_digits(const std::string& s, size_t at) {
    return s.size() >= at + 3 && std::isdigit(static_cast<unsigned char>(s[at])) &&
           std::isdigit(static_cast<unsigned char>(s[at + 1])) && std::isdigit(static_cast<unsigned char>(s[at + 2]));
}

}  // namespace

std::optional<SmtpReply> parse_smtp_reply(const std::string& buf) {
    size_t pos = 0;
    while (true) {
        const size_t nl = buf.find('\n', pos);
        if (nl == std::string::npos) return std::nullopt;
        std::string line = buf.substr(pos, nl - pos);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        pos = nl + 1;
        if (!three_digits(line, 0)) return SmtpReply{-1, pos, line};
        if (line.size() == 3 || line[3] == ' ') return SmtpReply{std::stoi(line.substr(0, 3)), pos, line};
        if (line[3] != '-') return SmtpReply{-1, pos, line};
    }
}

SmtpChecker::SmtpChecker(core::EventLoop& loop, TcpTarget target, std::string helo_name)
    : AttemptChecker(loop), target_(std::move(target)), helo_name_(std::move(helo_name)) {}

const char* SmtpChecker::step_name(Step s) {
    switch (s) {
        case Step::Connect: return "connect";
        case Step::Banner: return "the banner";
        case Step::Helo: return "the HELO reply";
        case Step::Quit: return "the QUIT reply";
    }
    return "?";
}

std::optional<CheckResult> SmtpChecker::begin() {
    step_ = Step::Connect;
    bool in_progress = false;
    if (auto failed = io_.take(connect_probe_socket(target_, SOCK_STREAM, in_progress))) return failed;
    const uint32_t ev = in_progress ? core::fd_events::writable : core::fd_events::readable;
    if (!in_progress) step_ = Step::Banner;
    if (auto failed = io_.watch(loop(), ev, [this](uint32_t e) { on_ready(e); })) return failed;
    arm_deadline(target_.connect_timeout);
    return std::nullopt;
}

void SmtpChecker::on_ready(uint32_t events) {
    if (step_ == Step::Connect) {
        if (CheckResult r = connect_outcome(io_.fd()); !r.ok) return finish(std::move(r));
        step_ = Step::Banner;
        arm_deadline(target_.connect_timeout);
        io_.want(core::fd_events::readable);
        return;
    }
    if ((events & core::fd_events::writable) && !out_.empty() && !flush()) return;
    if (!(events & (core::fd_events::readable | core::fd_events::error | core::fd_events::hangup))) return;
    char buf[4096];
    const ssize_t n = ::recv(io_.fd(), buf, sizeof buf, 0);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        return finish(socket_failure(errno));
    }
    if (n == 0) {
        if (step_ == Step::Quit) return finish(CheckResult::success());  // closed right after QUIT: fine
        return finish(CheckResult::failure(FailReason::Error,
                                           std::string("connection closed while waiting for ") + step_name(step_)));
    }
    in_.append(buf, static_cast<size_t>(n));
    if (in_.size() > kMaxReply)
        return finish(CheckResult::failure(FailReason::Error, std::string("oversized ") + step_name(step_)));
    if (auto r = parse_smtp_reply(in_)) {
        in_.erase(0, r->length);
        on_reply(*r);
    }
}

void SmtpChecker::on_reply(const SmtpReply& r) {
    const auto wrong = [&](const char* expected) {
        finish(CheckResult::failure(FailReason::Error, std::string(step_name(step_)) + " was '" + r.text +
                                                           "', expected " + expected));
    };
    switch (step_) {
        case Step::Connect: return;
        case Step::Banner:
            if (r.code != 220) return wrong("220");
            step_ = Step::Helo;
            return send_line("HELO " + helo_name_ + "\r\n");
        case Step::Helo:
            if (r.code != 250) return wrong("250");
            step_ = Step::Quit;
            return send_line("QUIT\r\n");
        case Step::Quit:
            if (r.code != 221) return wrong("221");
            return finish(CheckResult::success());
    }
}

void SmtpChecker::send_line(const std::string& line) {
    out_ += line;
    arm_deadline(target_.connect_timeout);
    flush();
}

bool SmtpChecker::flush() {
    while (!out_.empty()) {
        const ssize_t n = ::send(io_.fd(), out_.data(), out_.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            if (errno == EINTR) continue;
            finish(socket_failure(errno));
            return false;
        }
        out_.erase(0, static_cast<size_t>(n));
    }
    io_.want(core::fd_events::readable | (out_.empty() ? 0 : core::fd_events::writable));
    return true;
}

void SmtpChecker::on_deadline() {
    finish(CheckResult::failure(FailReason::Timeout, "timed out after " + human_duration(target_.connect_timeout) +
                                                         " waiting for " + std::string(step_name(step_))));
}

}  // namespace halbd::check
