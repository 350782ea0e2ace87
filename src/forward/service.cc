// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// forward/service.cc: text forms of the forwarding vocabulary (service.hh),
// used in every forwarding log line, error and dump. Pure functions, no state.
#include "forward/service.hh"

namespace halbd::forward {

const char* protocol_name(Protocol p) {
    switch (p) {
        case Protocol::TCP: return "TCP";
        case Protocol::UDP: return "UDP";
        case Protocol::SCTP: return "SCTP";
    }
    return "?";
}

const char* method_name(Method m) {
    switch (m) {
        case Method::Masq: return "Masq";
        case Method::Local: return "Local";
        case Method::Tunnel: return "Tunnel";
        case Method::Route: return "Route";
        case Method::Bypass: return "Bypass";
    }
    return "Unknown";
}

namespace {
std::string addr_port(const net::IpAddress& a, uint16_t port) {
    std::string s = a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
    return s + ":" + std::to_string(port);
}
}  // namespace

std::string ServiceKey::to_string() const {
    if (fwmark) {
        std::string s = "FWM " + std::to_string(fwmark);
        if (family == net::Family::V6) s += " IPv6";
        return s;
    }
    return std::string(protocol_name(protocol)) + " " + addr_port(address, port);
}

std::string DestKey::to_string() const { return addr_port(address, port); }

}  // namespace halbd::forward
