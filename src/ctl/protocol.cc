// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// ctl/protocol.cc: see protocol.hh.
#include "ctl/protocol.hh"

#include "ctl/json.hh"

namespace halbd::ctl {

namespace {
core::Error bad(std::string msg) { return core::Error{0, std::move(msg)}; }
}  // namespace

const char* command_name(Command c) {
    switch (c) {
        case Command::Ipvs: return "ipvs";
        case Command::Vrrp: return "vrrp";
        case Command::Checks: return "checks";
        case Command::Status: return "status";
        case Command::Reload: return "reload";
        case Command::Dump: return "dump";
        case Command::Sync: return "sync";
        case Command::Metrics: return "metrics";
        case Command::Announce: return "announce";
        case Command::Drain: return "drain";
        case Command::Undrain: return "undrain";
    }
    return "?";
}

std::optional<Command> command_from_name(std::string_view word) {
    for (Command c : kCommands)
        if (word == command_name(c)) return c;
    return std::nullopt;
}

core::Result<Request> parse_request(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::vector<std::string_view> words;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        const size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') {
            const unsigned char c = static_cast<unsigned char>(line[i]);
            if (c < 0x20 || c == 0x7f) return bad("control character in request");
            ++i;
        }
        if (i > start) words.push_back(line.substr(start, i - start));
    }
    if (words.empty()) return bad("empty request: expected one of ipvs, vrrp, checks, sync, status, reload, dump, metrics");
    Request r;
    bool have_command = false;
    for (std::string_view w : words) {
        if (w == "--json") {
            r.format = Format::Json;
        } else if (!have_command) {
            auto c = command_from_name(w);
            if (!c)
                return bad("unknown command '" + std::string(w) +
                           "': expected one of ipvs, vrrp, checks, sync, status, reload, dump, metrics");
            r.command = *c;
            have_command = true;
        } else {
            return bad("unexpected argument '" + std::string(w) + "' to " + command_name(r.command));
        }
    }
    if (!have_command) return bad("no command in request");
    return r;
}

std::string format_request(const Request& r) {
    return std::string(command_name(r.command)) + (r.format == Format::Json ? " --json\n" : "\n");
}

const char* status_name(Status s) {
    switch (s) {
        case Status::Ok: return "ok";
        case Status::Failed: return "failed";
        case Status::Unavailable: return "unavailable";
        case Status::Error: return "error";
    }
    return "error";
}

std::optional<Status> status_from_name(std::string_view word) {
    for (Status s : {Status::Ok, Status::Failed, Status::Unavailable, Status::Error})
        if (word == status_name(s)) return s;
    return std::nullopt;
}

std::string format_reply(const Reply& r) { return std::string(status_name(r.status)) + "\n" + r.body; }

std::string json_envelope(Status s, const std::string& data, const std::string& error) {
    std::string d = data;
    while (!d.empty() && d.back() == '\n') d.pop_back();
    if (s == Status::Ok) return "{\"ok\":true,\"data\":" + (d.empty() ? std::string("null") : d) + "}\n";
    std::string out = "{\"ok\":false,\"status\":" + json_quote(status_name(s)) + ",\"error\":" + json_quote(error);
    if (!d.empty()) out += ",\"data\":" + d;
    return out + "}\n";
}

Reply error_reply(Status s, const std::string& message, Format f) {
    Reply r{s, {}};
    if (f == Format::Json) {
        r.body = json_envelope(s, {}, message);
    } else {
        r.body = message + "\n";
    }
    return r;
}

core::Result<Reply> parse_reply(std::string_view wire) {
    const size_t nl = wire.find('\n');
    if (nl == std::string_view::npos) return bad("truncated reply (no status line)");
    auto s = status_from_name(wire.substr(0, nl));
    if (!s) return bad("malformed reply: unknown status '" + std::string(wire.substr(0, std::min<size_t>(nl, 40))) + "'");
    return Reply{*s, std::string(wire.substr(nl + 1))};
}

}  // namespace halbd::ctl
