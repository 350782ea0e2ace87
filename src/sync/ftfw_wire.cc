// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/ftfw_wire.cc: the FT-FW header codec (see ftfw_wire.hh). Validation
// follows conntrackd's receive path (sync-mode.c): len at least the header
// (16 for ACK/NACK/RESYNC), not past the datagram, version 1, a known kind.
#include "sync/ftfw_wire.hh"

namespace halbd::sync::ftfw {

const char* to_string(WireError e) {
    switch (e) {
    case WireError::Truncated: return "truncated";
    case WireError::BadLength: return "bad_length";
    case WireError::BadVersion: return "bad_version";
    case WireError::BadKind: return "bad_kind";
    case WireError::BadRange: return "bad_range";
    case WireError::BadAttrLength: return "bad_attr_length";
    case WireError::UnknownAttr: return "unknown_attr";
    case WireError::BadAttrSize: return "bad_attr_size";
    case WireError::DuplicateAttr: return "duplicate_attr";
    case WireError::MissingTuple: return "missing_tuple";
    case WireError::Unsupported: return "unsupported";
    }
    return "unknown";
}

namespace {

uint16_t get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t get32(const uint8_t* p) {
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}
void put16(std::vector<uint8_t>& o, uint16_t v) {
    o.push_back(static_cast<uint8_t>(v >> 8));
    o.push_back(static_cast<uint8_t>(v));
}
void put32(std::vector<uint8_t>& o, uint32_t v) {
    put16(o, static_cast<uint16_t>(v >> 16));
    put16(o, static_cast<uint16_t>(v));
}

// The byte holding version and type: a little-endian bitfield in conntrackd,
// type in the low nibble, version in the high one.
uint8_t first_byte(uint8_t type) { return static_cast<uint8_t>(kVersion << 4 | (type & 0x0f)); }

void put_header(std::vector<uint8_t>& o, uint8_t type, uint8_t flags, uint16_t len, uint32_t seq) {
    o.push_back(first_byte(type));
    o.push_back(flags);
    put16(o, len);
    put32(o, seq);
}

}  // namespace

WireOr<Message> next_message(std::span<const uint8_t>& rest) {
    if (rest.size() < kHeaderSize) return WireError::Truncated;
    const uint8_t* p = rest.data();
    Message m;
    const uint8_t version = p[0] >> 4;
    m.type = p[0] & 0x0f;
    m.flags = p[1];
    m.len = get16(p + 2);
    m.seq = get32(p + 4);
    if (m.len > rest.size()) return WireError::Truncated;
    if (m.len < kHeaderSize) return WireError::BadLength;
    if (version != kVersion) return WireError::BadVersion;
    if (m.type <= kLastStateType && (m.flags & ~flag::hellos) == 0) {
        m.kind = Kind::Data;
        m.payload = rest.subspan(kHeaderSize, m.len - kHeaderSize);
    } else if (m.type == static_cast<uint8_t>(MsgType::Control)) {
        // network.h tests ACK, then NACK, then RESYNC, then ALIVE.
        if (m.flags & flag::ack) m.kind = Kind::Ack;
        else if (m.flags & flag::nack) m.kind = Kind::Nack;
        else if (m.flags & flag::resync) m.kind = Kind::Resync;
        else if (m.flags & flag::alive) m.kind = Kind::Alive;
        else return WireError::BadKind;
        if (m.kind != Kind::Alive) {
            if (m.len < kCtlRangeSize) return WireError::BadLength;
            m.from = get32(p + 8);
            m.to = get32(p + 12);
            if ((m.kind == Kind::Ack || m.kind == Kind::Nack) && seq_before(m.to, m.from))
                return WireError::BadRange;
        }
    } else {
        return WireError::BadKind;
    }
    rest = rest.subspan(m.len);
    return m;
}

void append_data(std::vector<uint8_t>& out, MsgType type, uint8_t flags, uint32_t seq,
                 std::span<const uint8_t> payload) {
    put_header(out, static_cast<uint8_t>(type), flags, static_cast<uint16_t>(data_size(payload.size())), seq);
    out.insert(out.end(), payload.begin(), payload.end());
}

void append_control(std::vector<uint8_t>& out, Kind kind, uint8_t flags, uint32_t seq, uint32_t from,
                    uint32_t to) {
    uint8_t f = flags & flag::hellos;
    switch (kind) {
    case Kind::Ack: f |= flag::ack; break;
    case Kind::Nack: f |= flag::nack; break;
    case Kind::Resync: f |= flag::resync; break;
    case Kind::Alive: f |= flag::alive; break;
    case Kind::Data: break;
    }
    put_header(out, static_cast<uint8_t>(MsgType::Control), f, static_cast<uint16_t>(control_size(kind)), seq);
    if (kind != Kind::Alive) {
        put32(out, from);
        put32(out, to);
    }
}

}  // namespace halbd::sync::ftfw
