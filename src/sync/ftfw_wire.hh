// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/ftfw_wire.hh: conntrackd 1.4.7's FT-FW message framing, byte for byte
// (its include/network.h): the 8-byte header, the 16-byte ACK/NACK/RESYNC
// control message, the ALIVE message and the HELLO flags. A pure codec: no
// I/O, no counters; a bad message is a WireError. Payload attributes are in
// ftfw_ct_codec.hh; reliability in ftfw_session.hh.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/value_or.hh"

namespace halbd::sync::ftfw {

inline constexpr uint8_t kVersion = 1;       // CONNTRACKD_PROTOCOL_VERSION
inline constexpr size_t kHeaderSize = 8;     // version:4 type:4, flags, len, seq
inline constexpr size_t kCtlRangeSize = 16;  // header + from + to (ACK, NACK, RESYNC)

// The header's type nibble (enum nethdr_type).
enum class MsgType : uint8_t {
    CtNew = 0, CtUpdate = 1, CtDelete = 2,
    ExpNew = 3, ExpUpdate = 4, ExpDelete = 5,
    Control = 10,
};
inline constexpr uint8_t kLastStateType = 5;

// The header's flags (NET_F_*).
namespace flag {
inline constexpr uint8_t resync = 1u << 1;
inline constexpr uint8_t nack = 1u << 2;
inline constexpr uint8_t ack = 1u << 3;
inline constexpr uint8_t alive = 1u << 4;
inline constexpr uint8_t hello = 1u << 5;
inline constexpr uint8_t hello_back = 1u << 6;
inline constexpr uint8_t hellos = hello | hello_back;
}  // namespace flag

enum class WireError : uint8_t {
    Truncated,       // fewer bytes than a header, or than the header's len
    BadLength,       // len below the minimum for the message's kind
    BadVersion,      // not protocol version 1
    BadKind,         // neither a state message nor a known control message
    BadRange,        // ACK/NACK whose `to` is before its `from`
    BadAttrLength,   // attribute length below its header or past the message
    UnknownAttr,     // attribute type this protocol version does not define
    BadAttrSize,     // fixed-size attribute of the wrong size, or a bad string/label
    DuplicateAttr,
    MissingTuple,    // state message without an address pair or L4 protocol
    Unsupported,     // a valid message of a kind we do not carry (expectations)
};
inline constexpr size_t kWireErrorCount = static_cast<size_t>(WireError::Unsupported) + 1;
const char* to_string(WireError e);

template <class T>
using WireOr = core::ValueOr<T, WireError>;

// What a message is, from its type and flags (network.h's IS_DATA, IS_ACK, ...).
enum class Kind : uint8_t { Data, Ack, Nack, Resync, Alive };

// One decoded message; payload points into the datagram.
struct Message {
    Kind kind = Kind::Alive;
    uint8_t type = 0;     // MsgType value
    uint8_t flags = 0;
    uint16_t len = 0;     // whole message, header included
    uint32_t seq = 0;
    uint32_t from = 0, to = 0;          // ACK, NACK, RESYNC
    std::span<const uint8_t> payload;   // Data: the attributes
};

// Decodes the message at the front of `rest` and advances `rest` past it.
// On error `rest` is left unchanged: the caller drops the rest of the datagram
// (framing is lost), as conntrackd does.
WireOr<Message> next_message(std::span<const uint8_t>& rest);

// Appends a message. Data: payload is the attribute block (4-byte aligned).
void append_data(std::vector<uint8_t>& out, MsgType type, uint8_t flags, uint32_t seq,
                 std::span<const uint8_t> payload);
// ACK, NACK, RESYNC (with from/to) or ALIVE (8 bytes, from/to not sent).
void append_control(std::vector<uint8_t>& out, Kind kind, uint8_t flags, uint32_t seq,
                    uint32_t from = 0, uint32_t to = 0);
// Bytes a message takes on the wire.
inline size_t data_size(size_t payload) { return kHeaderSize + payload; }
inline size_t control_size(Kind k) { return k == Kind::Alive ? kHeaderSize : kCtlRangeSize; }

// Serial-number arithmetic of 32-bit sequence numbers (network.h's before/after).
inline bool seq_before(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; }
inline bool seq_after(uint32_t a, uint32_t b) { return seq_before(b, a); }
// a <= x <= b on the circle.
inline bool seq_between(uint32_t x, uint32_t a, uint32_t b) { return b - a >= x - a; }

}  // namespace halbd::sync::ftfw
