// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/sync_aead_test.cc: the AEAD envelope (seal/open, forged,
// bit-flipped, replayed, reflected and unsealed datagrams, the wrong key,
// a restarted sender) and the key file rules (format, permissions).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "sync/aead.hh"

namespace halbd::sync {
namespace {

using Bytes = std::vector<uint8_t>;

AeadKey key(uint8_t fill) {
    AeadKey k;
    k.fill(fill);
    return k;
}

const Bytes kPlain = {0x1a, 0x10, 0x00, 0x08, 0, 0, 0, 7};  // an ALIVE

TEST(SyncAead, SealedDatagramOpensOnceOnly) {
    Envelope tx(key(1), 1000, 0xaaaa), rx(key(1), 2000, 0xbbbb);
    const Bytes d = tx.seal(kPlain);
    EXPECT_EQ(d.size(), kPlain.size() + kAeadOverhead);
    Bytes plain;
    EXPECT_FALSE(rx.open(d, plain));
    EXPECT_EQ(plain, kPlain);
    EXPECT_EQ(rx.open(d, plain), OpenError::Replayed);
}

TEST(SyncAead, EveryFlippedBitIsRefused) {
    Envelope tx(key(1), 1000, 0xaaaa), rx(key(1), 2000, 0xbbbb);
    const Bytes d = tx.seal(kPlain);
    for (size_t i = 4; i < d.size(); ++i) {
        Bytes f = d;
        f[i] ^= 0x01;
        Bytes plain;
        const auto e = rx.open(f, plain);
        ASSERT_TRUE(e) << "byte " << i;
        EXPECT_TRUE(*e == OpenError::BadTag || *e == OpenError::Replayed) << i;
    }
    Bytes plain;
    EXPECT_FALSE(rx.open(d, plain));  // the forgeries changed nothing
}

TEST(SyncAead, WrongKeyAndPlainAndReflectedAreRefused) {
    Envelope tx(key(1), 1000, 0xaaaa), rx(key(2), 2000, 0xbbbb);
    Bytes plain;
    EXPECT_EQ(rx.open(tx.seal(kPlain), plain), OpenError::BadTag);
    EXPECT_EQ(rx.open(kPlain, plain), OpenError::NotSealed);
    EXPECT_EQ(rx.open(Bytes{'H', 'S', 'E', '1', 0}, plain), OpenError::Truncated);
    EXPECT_EQ(tx.open(tx.seal(kPlain), plain), OpenError::Reflected);
}

TEST(SyncAead, ReorderingWithinTheWindowIsAcceptedOnce) {
    Envelope tx(key(1), 1000, 0xaaaa), rx(key(1), 2000, 0xbbbb);
    std::vector<Bytes> d;
    for (int i = 0; i < 2000; ++i) d.push_back(tx.seal(kPlain));
    Bytes plain;
    EXPECT_FALSE(rx.open(d[1500], plain));
    EXPECT_FALSE(rx.open(d[1000], plain));        // 500 behind: in the window
    EXPECT_EQ(rx.open(d[1000], plain), OpenError::Replayed);
    EXPECT_EQ(rx.open(d[100], plain), OpenError::Replayed);  // older than the window
    EXPECT_FALSE(rx.open(d[1999], plain));
}

TEST(SyncAead, ARestartedSenderIsAcceptedItsOldSessionNot) {
    Envelope old_tx(key(1), 1000, 0xaaaa), rx(key(1), 5000, 0xbbbb);
    const Bytes before = old_tx.seal(kPlain);
    Bytes plain;
    EXPECT_FALSE(rx.open(before, plain));
    Envelope new_tx(key(1), 1001, 0xcccc);  // restarted: later epoch, counter from 1
    EXPECT_FALSE(rx.open(new_tx.seal(kPlain), plain));
    EXPECT_EQ(rx.open(old_tx.seal(kPlain), plain), OpenError::Replayed);
}

TEST(SyncAead, KeyFormats) {
    const Bytes raw(32, 7);
    EXPECT_EQ(parse_key(raw), key(7));
    const std::string hex = std::string(64, 'a') + "\n";
    EXPECT_EQ(parse_key(Bytes(hex.begin(), hex.end())), key(0xaa));
    const std::string short_hex(62, 'a');
    EXPECT_FALSE(parse_key(Bytes(short_hex.begin(), short_hex.end())));
    const std::string bad = std::string(63, 'a') + "g";
    EXPECT_FALSE(parse_key(Bytes(bad.begin(), bad.end())));
}

TEST(SyncAead, KeyFileReadableByOthersIsRefused) {
    char path[] = "/tmp/halbd-sync-key-XXXXXX";
    const int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    const std::string hex(64, 'b');
    ASSERT_EQ(write(fd, hex.data(), hex.size()), static_cast<ssize_t>(hex.size()));
    close(fd);
    ASSERT_EQ(chmod(path, 0600), 0);
    auto ok = load_key_file(path);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(*ok, key(0xbb));
    ASSERT_EQ(chmod(path, 0644), 0);
    auto refused = load_key_file(path);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("chmod 600"), std::string::npos);
    unlink(path);
    EXPECT_FALSE(load_key_file(path));
}

}  // namespace
}  // namespace halbd::sync
