// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/support/fake_address_monitor.hh: FakeAddressMonitor, the AddressMonitor of unit
// tests: the test says what the kernel would have reported (after changing
// a FakeAddressBackend to match). Owns nothing.
#pragma once

#include <string>

#include "net/address_monitor.hh"

namespace halbd::net {

class FakeAddressMonitor final : public AddressMonitor {
public:
    void added(const std::string& ifname, const Prefix& p) { changed({AddressEvent::Kind::Added, ifname, p}); }
    void removed(const std::string& ifname, const Prefix& p) { changed({AddressEvent::Kind::Removed, ifname, p}); }
    void lost() { changed({AddressEvent::Kind::Lost, {}, {}}); }
};

}  // namespace halbd::net
