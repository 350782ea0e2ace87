// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/keywords_address.cc: the one parser (and printer) of an address line,
// `ADDR[/len] [brd X] [dev IF] ...`, used by virtual_ipaddress(_excluded) and
// static_ipaddress. Each option word has a handler in one table; the checks
// that span the whole line run once it is read.
#include "config/net_line.hh"

namespace halbd::config::vrrp_detail {

namespace {

// What the options of one address line have read so far.
struct AddressParse {
    IpAddressLine out;
    bool v6 = false;       // the address is IPv6
    bool had_len = false;  // the address was written with a /len
    int brd_mode = 0;      // 1 '+', 2 '-'
    bool have_lft = false;
    bool ok = true;        // false after an error that does not end the line
};
using A = AddressParse;
using T = LineOptions<A>;

bool dev(A& s, Words& w, size_t& j) {
    const std::string* v = w.value(j);
    if (!v) return false;
    if (!s.out.dev.empty()) w.error(j, "'dev' given twice for " + w.at(0)), s.ok = false;
    s.out.dev = *v;
    ++j;
    return true;
}

bool scope(A& s, Words& w, size_t& j) {
    auto n = rt_value(w, j, RtFile::Scopes, 255, "scope");
    if (!n) return false;
    if (s.v6) w.warning(j, "scope cannot be set for IPv6 address " + w.at(0) + "; ignored");
    else s.out.scope = static_cast<uint8_t>(*n);
    ++j;
    return true;
}

bool broadcast(A& s, Words& w, size_t& j) {
    const std::string* v = w.value(j);
    if (!v) return false;
    if (s.v6) {
        w.error(j, "a broadcast address cannot be set for IPv6 address " + w.at(0));
        return false;
    }
    if (*v == "+") s.brd_mode = 1;
    else if (*v == "-") s.brd_mode = 2;
    else {
        auto b = net::IpAddress::parse(*v);
        if (!b || !b->is_v4()) {
            w.error(j + 1, "invalid broadcast address '" + *v + "'");
            return false;
        }
        s.out.brd = *b;
    }
    ++j;
    return true;
}

bool label(A& s, Words& w, size_t& j) {
    const std::string* v = w.value(j);
    if (!v) return false;
    if (s.v6) w.warning(j, "label cannot be set for IPv6 address " + w.at(0) + "; ignored");
    else if (v->size() >= 16) w.error(j + 1, "label '" + *v + "' is longer than 15 characters"), s.ok = false;
    else s.out.label = *v;
    ++j;
    return true;
}

bool peer(A& s, Words& w, size_t& j) {
    if (!w.value(j)) return false;
    auto p = prefix_word(w, j + 1);
    if (!p) return false;
    if (s.out.peer) w.error(j, "peer given twice"), s.ok = false;
    if (p->address.family() != s.out.address.address.family()) {
        w.error(j + 1, "peer address family does not match " + w.at(0));
        return false;
    }
    if (s.had_len)
        w.warning(j, "the prefix length of " + w.at(0) +
                         " is ignored when a peer is given (the peer's is used)");
    s.out.peer = p->address;
    s.out.address.length = p->length;
    ++j;
    return true;
}

bool preferred_lft(A& s, Words& w, size_t& j) {
    const std::string* v = w.value(j);
    if (!v) return false;
    if (*v == "forever") s.out.preferred_lft = kLifetimeForever;
    else if (auto n = number(*v, 0xFFFFFFFFu)) s.out.preferred_lft = static_cast<uint32_t>(*n);
    else {
        w.error(j + 1, "preferred_lft expects a number of seconds or 'forever', got '" + *v + "'");
        return false;
    }
    s.have_lft = true;
    ++j;
    return true;
}

bool track_group(A& s, Words& w, size_t& j) {
    const std::string* v = w.value(j);
    if (!v) return false;
    if (!s.out.track_group.empty()) w.error(j, "track_group given twice"), s.ok = false;
    s.out.track_group = *v;
    ++j;
    return true;
}


const T& address_options() {
    static const T t({
        {"dev", dev},
        {"scope", scope},
        {"broadcast", broadcast},
        {"brd", broadcast},
        {"label", label},
        {"peer", peer},
        {"home", T::flag<&IpAddressLine::home>},
        {"-nodad", T::flag<&IpAddressLine::nodad>},
        {"mngtmpaddr", T::flag<&IpAddressLine::mngtmpaddr>},
        {"noprefixroute", T::flag<&IpAddressLine::noprefixroute>},
        {"autojoin", T::flag<&IpAddressLine::autojoin>},
        {"no_track", T::flag<&IpAddressLine::no_track>, LineUse::VirtualOnly},
        {"use_vmac", T::flag<&IpAddressLine::use_vmac>, LineUse::VirtualOnly},
        {"preferred_lft", preferred_lft},
        {"track_group", track_group, LineUse::StaticOnly},
    });
    return t;
}

// `brd +|-` resolved against the prefix, and brd dropped next to a peer.
bool resolve_broadcast(A& s, Words& w) {
    IpAddressLine& out = s.out;
    if (s.brd_mode) {
        if (out.peer) {
            w.warning(0, "broadcast and peer cannot both be set; broadcast ignored");
        } else if (out.address.length > 30) {
            w.error(0, "prefix length /" + std::to_string(out.address.length) +
                           " is too long for a '+' or '-' broadcast");
            return false;
        } else {
            uint32_t a = out.address.address.v4_host_order();
            uint32_t mask = out.address.length == 0 ? 0xFFFFFFFFu : (0xFFFFFFFFu >> out.address.length);
            out.brd = net::IpAddress::v4(s.brd_mode == 1 ? (a | mask) : (a & ~mask));
        }
    } else if (out.brd && out.peer) {
        w.warning(0, "broadcast and peer cannot both be set; broadcast ignored");
        out.brd.reset();
    }
    return true;
}

}  // namespace

std::optional<IpAddressLine> parse_address_line(Args& line, bool is_static) {
    Words w{line};
    AddressParse s;
    s.out.loc = line.loc();
    auto addr = prefix_word(w, 0);
    if (!addr) return std::nullopt;
    s.out.address = *addr;
    s.v6 = addr->address.is_v6();
    s.had_len = w.at(0).find('/') != std::string::npos;
    for (size_t j = 1; j < w.size(); ++j) {
        const LineOption<A>* o = address_options().find(w.at(j), is_static);
        if (!o) {
            std::string valid = is_static ? "track_group" : "no_track, use_vmac";
            w.error(j, "unknown address option '" + w.at(j) +
                           "' (expected brd, dev, scope, label, peer, home, -nodad, mngtmpaddr, "
                           "noprefixroute, autojoin, preferred_lft, " + valid + ")");
            return std::nullopt;
        }
        if (!o->parse(s, w, j)) return std::nullopt;
    }
    if (!resolve_broadcast(s, w)) return std::nullopt;
    IpAddressLine& out = s.out;
    if (s.v6 && !s.have_lft) out.preferred_lft = out.address.length == 128 ? 0 : kLifetimeForever;
    if (is_static && !out.track_group.empty() && out.dev.empty()) {
        w.error(0, "a static address with track_group needs 'dev'");
        return std::nullopt;
    }
    if (!s.ok) return std::nullopt;
    return std::move(s.out);
}

std::string format_address_line(const IpAddressLine& a) {
    std::string s = a.peer ? a.address.address.to_string() : a.address.to_string();
    if (a.brd) s += " brd " + a.brd->to_string();
    if (!a.dev.empty()) s += " dev " + a.dev;
    if (a.scope) s += " scope " + scope_name(a.scope);
    if (!a.label.empty()) s += " label " + a.label;
    if (a.peer) s += " peer " + net::Prefix{*a.peer, a.address.length}.to_string();
    if (a.home) s += " home";
    if (a.nodad) s += " -nodad";
    if (a.mngtmpaddr) s += " mngtmpaddr";
    if (a.noprefixroute) s += " noprefixroute";
    if (a.autojoin) s += " autojoin";
    if (a.no_track) s += " no_track";
    if (a.use_vmac) s += " use_vmac";
    if (a.preferred_lft)
        s += " preferred_lft " +
             (*a.preferred_lft == kLifetimeForever ? std::string("forever") : std::to_string(*a.preferred_lft));
    if (!a.track_group.empty()) s += " track_group " + a.track_group;
    return s;
}

}  // namespace halbd::config::vrrp_detail
