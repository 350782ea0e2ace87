// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/raw_transport.hh: the real Transport. Each channel is one raw
// IPPROTO_VRRP (112) socket bound to its interface (SO_BINDTODEVICE),
// non-blocking and watched by the EventLoop; part of the privileged facade
// (CAP_NET_RAW). Created by src/wiring.cc, used by the VRRP subsystem.
#pragma once

#include "core/event_loop.hh"
#include "vrrp/transport.hh"

namespace halbd::vrrp {

class RawTransport final : public Transport {
public:
    explicit RawTransport(core::EventLoop& loop) : loop_(loop) {}
    core::Result<std::unique_ptr<Channel>> open(const ChannelSpec& spec, Receive receive) override;

private:
    core::EventLoop& loop_;
};

}  // namespace halbd::vrrp
