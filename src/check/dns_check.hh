// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/dns_check.hh: DNS_CHECK, keepalived's check_dns.c: one query (RD set,
// class IN, `type` and `name`) on a connected UDP socket per attempt; up
// when a response with the query's id arrives with RCODE NOERROR (answer
// count not examined, as keepalived); other responses with the id fail it;
// datagrams with another id, too short or not responses are ignored. No
// retransmission: connect_timeout bounds the attempt. The codec is pure
// (encode_dns_query / classify_dns_reply) and unit-tested on its own.
// Built by make_checker(); a DatagramChecker (datagram_check.hh: socket,
// send, receive loop, completion) that adds the query and its verdict.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "check/datagram_check.hh"
#include "config/model_check.hh"

namespace halbd::check {

uint16_t dns_type_code(config::DnsType t);     // A = 1, NS = 2, ... AAAA = 28
const char* dns_type_name(config::DnsType t);  // "A", "NS", ...
std::string dns_rcode_name(unsigned rcode);    // "NXDOMAIN", "SERVFAIL", ... "RCODE 12"

// The query datagram; nullopt when a label of name is longer than 63 bytes.
std::optional<std::vector<uint8_t>> encode_dns_query(uint16_t id, const std::string& name, uint16_t qtype);

// What a received datagram means for the query with this id.
struct DnsReply {
    enum Kind : uint8_t { Ignore, NoError, Error } kind = Ignore;
    unsigned rcode = 0;
};
DnsReply classify_dns_reply(const uint8_t* data, size_t len, uint16_t id);

class DnsChecker final : public DatagramChecker {
public:
    DnsChecker(core::EventLoop& loop, TcpTarget target, config::DnsCheck params);

    // "DNS_CHECK 10.0.0.6:53 A example.org"
    std::string describe() const override;

private:
    std::variant<std::vector<uint8_t>, CheckResult> request() override;
    std::optional<CheckResult> on_datagram(const uint8_t* data, size_t len) override;

    config::DnsCheck params_;
    uint16_t id_ = 0;
};

}  // namespace halbd::check
