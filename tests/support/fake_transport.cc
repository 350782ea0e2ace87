// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/support/fake_transport.cc: see fake_transport.hh.
#include "support/fake_transport.hh"

#include <cerrno>

namespace halbd::vrrp {

class FakeChannel final : public Channel {
public:
    FakeChannel(FakeTransport& t, ChannelSpec spec) : t_(t), spec_(std::move(spec)) {}
    ~FakeChannel() override { t_.open_.erase({spec_.ifname, spec_.family}); }
    const ChannelSpec& spec() const override { return spec_; }
    core::Status join(const net::IpAddress& g) override {
        t_.open_[{spec_.ifname, spec_.family}].groups.insert(g);
        return core::Ok{};
    }
    core::Status leave(const net::IpAddress& g) override {
        t_.open_[{spec_.ifname, spec_.family}].groups.erase(g);
        return core::Ok{};
    }
    core::Status send(const net::IpAddress& src, const net::IpAddress& dst, std::span<const uint8_t> msg,
                      uint8_t ttl) override {
        t_.sent_.push_back({spec_.ifname, src, dst, std::vector<uint8_t>(msg.begin(), msg.end()), ttl});
        return core::Ok{};
    }

private:
    FakeTransport& t_;
    ChannelSpec spec_;
};

core::Result<std::unique_ptr<Channel>> FakeTransport::open(const ChannelSpec& spec, Receive receive) {
    if (fail_open_) return core::Error{EPERM, "VRRP socket on " + spec.ifname + ": Operation not permitted"};
    open_[{spec.ifname, spec.family}] = Open{spec, std::move(receive), {}};
    return std::unique_ptr<Channel>(std::make_unique<FakeChannel>(*this, spec));
}

bool FakeTransport::inject(const std::string& ifname, net::Family family, const RxPacket& p) {
    auto it = open_.find({ifname, family});
    if (it == open_.end()) return false;
    auto receive = it->second.receive;
    receive(p);
    return true;
}

}  // namespace halbd::vrrp
