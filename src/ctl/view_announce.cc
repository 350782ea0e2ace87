// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/view_announce.cc: `halbctl announce` (and the reply of drain and
// undrain): what this node announces to its routing daemon, since when and
// why not, as text or JSON; the JSON members are listed in halbctl(8).
#include <sstream>

#include "announce/subsystem.hh"
#include "ctl/json.hh"
#include "ctl/views.hh"

namespace halbd::ctl {

std::string announce_view(const announce::AnnounceSubsystem& a, MonoTime now, Format f) {
    if (f == Format::Json) {
        const announce::AnnouncerStatus st = a.announcer()->status();
        JsonWriter w;
        w.begin_object()
            .member("daemon", st.daemon)
            .member("socket", st.endpoint)
            .member("connected", st.connected)
            .member("last_error", st.last_error)
            .member("drained", a.drained())
            .member("commands", st.commands)
            .member("refusals", st.refusals)
            .member("connects", st.connects)
            .member("failures", st.failures);
        w.key("routes").begin_array();
        for (const auto& r : a.routes()) {
            w.begin_object()
                .member("address", r.address)
                .member("announced", r.announced)
                .member("reason", r.why_not)
                .member("for", seconds(now - r.since));
            w.key("protocols").begin_array();
            for (const std::string& p : r.protocols) {
                auto it = st.protocols.find(p);
                w.begin_object()
                    .member("name", p)
                    .member("state", announce::protocol_state(st, p))
                    .member("refused", it == st.protocols.end() ? std::string() : it->second.refused)
                    .end_object();
            }
            w.end_array().end_object();
        }
        w.end_array().end_object();
        return w.str() + "\n";
    }
    std::ostringstream os;
    a.write_text(os, now);
    return os.str();
}

}  // namespace halbd::ctl
