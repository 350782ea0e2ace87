// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/aead.hh: the optional authenticated envelope of the sync channel
// (OpenSSL EVP, AES-256-GCM). With a key, every datagram of FT-FW messages
// is sealed whole; a datagram that fails to open (not sealed, forged, bit-
// flipped, replayed, or our own reflected back) is refused with a reason.
// The key file reader refuses files others can read. No sockets here.
//
// Datagram: "HSE1" | epoch (u64, sender's start, realtime us) | salt (u32,
// random per start) | counter (u64) | ciphertext | 16-byte tag. The nonce is
// salt+counter; the first 24 bytes are authenticated data. The receiver keeps
// the newest (epoch, salt) seen and a 1024-message window of counters:
// anything of an older epoch, or already seen, or older than the window, is
// a replay. The first byte 'H' has version nibble 4, so conntrackd drops a
// sealed datagram as a bad version, and we refuse a plain one with a key.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.hh"

namespace halbd::sync {

inline constexpr size_t kAeadKeySize = 32;
inline constexpr size_t kAeadHeader = 24;
inline constexpr size_t kAeadTag = 16;
inline constexpr size_t kAeadOverhead = kAeadHeader + kAeadTag;
using AeadKey = std::array<uint8_t, kAeadKeySize>;

// Key file contents: exactly 32 bytes, or 64 hex digits (surrounding
// whitespace ignored). Pure.
std::optional<AeadKey> parse_key(std::span<const uint8_t> bytes);
// Reads a key file: a regular file, not readable or writable by group or
// others, holding a key parse_key() accepts.
core::Result<AeadKey> load_key_file(const std::string& path);

enum class OpenError : uint8_t { NotSealed, Truncated, BadTag, Replayed, Reflected };
const char* to_string(OpenError e);

class Envelope {
public:
    // epoch and salt name this sender's session (see above).
    Envelope(const AeadKey& key, uint64_t epoch, uint32_t salt);
    ~Envelope();
    Envelope(const Envelope&) = delete;
    Envelope& operator=(const Envelope&) = delete;

    std::vector<uint8_t> seal(std::span<const uint8_t> plain);
    // On success `plain` holds the datagram's FT-FW messages.
    std::optional<OpenError> open(std::span<const uint8_t> datagram, std::vector<uint8_t>& plain);

private:
    struct CtxFree {
        void operator()(void* p) const;
    };
    static constexpr size_t kWindow = 1024;

    bool replayed(uint64_t epoch, uint32_t salt, uint64_t counter) const;
    void remember(uint64_t epoch, uint32_t salt, uint64_t counter);

    AeadKey key_;
    uint64_t epoch_;
    uint32_t salt_;
    uint64_t counter_ = 0;
    std::unique_ptr<void, CtxFree> ctx_;
    // Receive side.
    bool have_peer_ = false;
    uint64_t peer_epoch_ = 0;
    uint32_t peer_salt_ = 0;
    uint64_t peer_top_ = 0;            // highest counter accepted
    std::bitset<kWindow> seen_;        // bit i: counter peer_top_ - i accepted
};

}  // namespace halbd::sync
