// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/fuzz/sync_message_fuzz.cc: libFuzzer target for the sync receive
// path. The first byte chooses: 0, a plain FT-FW datagram (framing, then
// each state message's attributes, connections and expectations; what decodes must encode and decode back
// to the same bytes); 1, the same messages fed to the FT-FW state machine
// (no crash, no unbounded queue); 2, a sealed datagram opened with a fixed
// key (any bytes: refused with a reason or opened, never a crash).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "sync/aead.hh"
#include "sync/exp_codec.hh"
#include "sync/ftfw_ct_codec.hh"
#include "sync/ftfw_session.hh"
#include "sync/ftfw_wire.hh"

using namespace halbd;
using namespace halbd::sync;

namespace {

void check_ct(std::span<const uint8_t> payload) {
    auto ct = ftfw::decode_ct(payload);
    if (!ct) return;
    std::vector<uint8_t> once, twice;
    ftfw::encode_ct(**ct, once);
    auto back = ftfw::decode_ct(once);
    if (!back) std::abort();
    ftfw::encode_ct(**back, twice);
    if (once != twice) std::abort();
}

// Expectation messages: the same round-trip property.
void check_exp(std::span<const uint8_t> payload) {
    auto e = ftfw::decode_exp(payload);
    if (!e) return;
    std::vector<uint8_t> once, twice;
    ftfw::encode_exp(**e, once);
    auto back = ftfw::decode_exp(once);
    if (!back) std::abort();
    ftfw::encode_exp(**back, twice);
    if (once != twice) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const uint8_t mode = data[0] % 3;
    std::span<const uint8_t> rest(data + 1, size - 1);
    if (mode == 2) {
        AeadKey key{};
        key.fill(0x42);
        Envelope env(key, 7, 7);
        std::vector<uint8_t> plain;
        (void)env.open(rest, plain);
        return 0;
    }
    ftfw::SessionConfig cfg;
    cfg.resend_queue = 64;
    ftfw::Session s(cfg, 1, MonoTime(std::chrono::seconds(1)));
    MonoTime now(std::chrono::seconds(1));
    while (!rest.empty()) {
        auto m = ftfw::next_message(rest);
        if (!m) break;
        if (mode == 0) {
            if (m->kind == ftfw::Kind::Data && m->type >= static_cast<uint8_t>(ftfw::MsgType::ExpNew)) check_exp(m->payload);
            else if (m->kind == ftfw::Kind::Data) check_ct(m->payload);
            continue;
        }
        now += std::chrono::milliseconds(100);
        if (s.on_message(*m, now) == ftfw::Session::Verdict::Deliver) s.send_state(ftfw::MsgType::CtUpdate, m->payload, now);
        s.on_tick(now);
        (void)s.take_output();
        (void)s.take_events();
        if (s.resend_queue_size() > cfg.resend_queue) std::abort();
    }
    return 0;
}
