// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/tcp_check.cc: TCP_CHECK (see tcp_check.hh). keepalived's check_tcp.c
// does the same observable thing: connect, and on success close at once
// (a FIN, no data). Every outcome leaves through finish(). The socket setup
// is probe_socket.cc's, shared with the other network kinds.
#include "check/tcp_check.hh"

#include <sys/socket.h>

#include "check/probe_socket.hh"

namespace halbd::check {

std::string endpoint_text(const net::IpAddress& a, uint16_t port) {
    return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(port);
}

TcpTarget TcpTarget::from_config(const config::Checker& c) {
    TcpTarget t;
    if (c.connect_ip) t.address = *c.connect_ip;
    t.port = c.connect_port.value_or(0);
    t.bindto = c.bindto;
    t.bind_port = c.bind_port.value_or(0);
    if (c.bind_if) t.bind_if = *c.bind_if;
    t.fwmark = c.fwmark;
    if (c.connect_timeout) t.connect_timeout = *c.connect_timeout;
    return t;
}

TcpChecker::TcpChecker(core::EventLoop& loop, TcpTarget target) : AttemptChecker(loop), target_(std::move(target)) {}

std::string TcpChecker::describe() const { return "TCP connect to " + endpoint_text(target_.address, target_.port); }

std::optional<CheckResult> TcpChecker::begin() {
    bool in_progress = false;
    if (auto failed = io_.take(connect_probe_socket(target_, SOCK_STREAM, in_progress))) return failed;
    if (!in_progress) return CheckResult::success();
    auto connected = [this](uint32_t) { finish(connect_outcome(io_.fd())); };
    if (auto failed = io_.watch(loop(), core::fd_events::writable, connected)) return failed;
    arm_deadline(target_.connect_timeout);
    return std::nullopt;
}

void TcpChecker::on_deadline() {
    finish(CheckResult::failure(FailReason::Timeout, "timed out after " + human_duration(target_.connect_timeout)));
}

}  // namespace halbd::check
