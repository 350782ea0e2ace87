// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/dns_check.cc: DNS_CHECK (see dns_check.hh). RFC 1035 section 4.1
// message format: 12-byte header (id, flags QR/opcode/AA/TC/RD/RA/RCODE,
// QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT), then the question (QNAME labels,
// QTYPE, QCLASS).
#include "check/dns_check.hh"

#include <random>

#include "core/random.hh"

namespace halbd::check {

uint16_t dns_type_code(config::DnsType t) {
    switch (t) {
        case config::DnsType::A: return 1;
        case config::DnsType::NS: return 2;
        case config::DnsType::CNAME: return 5;
        case config::DnsType::SOA: return 6;
        case config::DnsType::MX: return 15;
        case config::DnsType::TXT: return 16;
        case config::DnsType::AAAA: return 28;
    }
    return 6;
}

const char* dns_type_name(config::DnsType t) {
    switch (t) {
        case config::DnsType::A: return "A";
        case config::DnsType::NS: return "NS";
        case config::DnsType::CNAME: return "CNAME";
        case config::DnsType::SOA: return "SOA";
        case config::DnsType::MX: return "MX";
        case config::DnsType::TXT: return "TXT";
        case config::DnsType::AAAA: return "AAAA";
    }
    return "?";
}

std::string dns_rcode_name(unsigned rcode) {
    static constexpr const char* names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
                                            "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"};
    if (rcode < std::size(names)) return names[rcode];
    return "RCODE " + std::to_string(rcode);
}

std::optional<std::vector<uint8_t>> encode_dns_query(uint16_t id, const std::string& name, uint16_t qtype) {
    std::vector<uint8_t> q = {static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id),
                              0x01, 0x00,  // flags: RD (recursion desired), as keepalived
                              0, 1,        // QDCOUNT
                              0, 0, 0, 0, 0, 0};
    // QNAME: one length-prefixed label per dot-separated part; "." and a
    // trailing dot are the root.
    size_t start = 0;
    while (start < name.size()) {
        size_t dot = name.find('.', start);
        if (dot == std::string::npos) dot = name.size();
        const size_t n = dot - start;
        if (n > 63) return std::nullopt;
        if (n > 0) {
            q.push_back(static_cast<uint8_t>(n));
            q.insert(q.end(), name.begin() + static_cast<std::ptrdiff_t>(start),
                     name.begin() + static_cast<std::ptrdiff_t>(dot));
        }
        start = dot + 1;
    }
    q.push_back(0);
    q.push_back(static_cast<uint8_t>(qtype >> 8));
    q.push_back(static_cast<uint8_t>(qtype));
    q.push_back(0);
    q.push_back(1);  // QCLASS IN
    return q;
}

DnsReply classify_dns_reply(const uint8_t* data, size_t len, uint16_t id) {
    if (len < 12) return {};
    if (static_cast<uint16_t>(data[0] << 8 | data[1]) != id) return {};
    if (!(data[2] & 0x80)) return {};  // QR = 0: a query, not our response
    const unsigned rcode = data[3] & 0x0f;
    return DnsReply{rcode == 0 ? DnsReply::NoError : DnsReply::Error, rcode};
}

DnsChecker::DnsChecker(core::EventLoop& loop, TcpTarget target, config::DnsCheck params)
    : DatagramChecker(loop, std::move(target)), params_(std::move(params)) {}

std::string DnsChecker::describe() const {
    return "DNS_CHECK " + endpoint_text(target().address, target().port) + " " + dns_type_name(params_.type) + " " +
           params_.name;
}

std::variant<std::vector<uint8_t>, CheckResult> DnsChecker::request() {
    static std::mt19937 gen{static_cast<std::mt19937::result_type>(core::random_seed())};
    id_ = static_cast<uint16_t>(gen());
    auto query = encode_dns_query(id_, params_.name, dns_type_code(params_.type));
    if (!query) return CheckResult::failure(FailReason::LocalSetup, "not attempted: a label of the name is too long");
    return std::move(*query);
}

std::optional<CheckResult> DnsChecker::on_datagram(const uint8_t* data, size_t len) {
    const DnsReply r = classify_dns_reply(data, len, id_);
    if (r.kind == DnsReply::NoError) return CheckResult::success();
    if (r.kind == DnsReply::Error) return CheckResult::failure(FailReason::Error, "rcode " + dns_rcode_name(r.rcode));
    return std::nullopt;  // another id, too short or not a response
}

}  // namespace halbd::check
