// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// bench/nft_program.cc: figures for the nftables forwarding backend (issue
// 14): programming N services x M real servers from empty and a reload that
// changes 1% of them, each one transaction through libnftables (wall time and
// this process's CPU); and the Maglev table's hash stability (the fraction of
// slots, i.e. of clients, that move when one of 10 real servers is removed,
// against plain `jhash mod N`). Run as root inside a scratch network
// namespace: bench/nft-program.sh does that. Runs each step twice: all
// through libnftables text (as before libnftnl), then with the bulk as one
// libnftnl batch (NftnlSink, as halbd does), in the same namespace.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "forward/nft/maglev.hh"
#include "forward/nft/nft_backend.hh"
#include "forward/nft/nftnl_sink.hh"
#include "net/libnftables.hh"

using namespace halbd;
using namespace halbd::forward;

namespace {

double cpu_seconds() {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

ServiceKey service(int i) {
    ServiceKey k;
    k.address = net::IpAddress::v4((203u << 24) | (0u << 16) | (113u << 8) | unsigned(1 + i / 40));
    k.port = uint16_t(1000 + i % 40);
    return k;
}
DestKey real(int i, int j) { return DestKey{net::IpAddress::v4((198u << 24) | (51u << 16) | (100u << 8) | unsigned(1 + (i + j * 7) % 200)), 8080}; }

// Counts what a step sends: commands (lines or batch operations), set and
// map elements, bytes (text, or netlink for the batch); the work must follow
// the change, not the table's size.
struct Counts {
    size_t commands = 0, elements = 0, bytes = 0;
} counts;

class Counting final : public net::Nftables {
public:
    explicit Counting(std::unique_ptr<net::Nftables> real) : real_(std::move(real)) {}
    core::Result<std::string> run(std::string_view batch) override {
        size_t& commands = counts.commands;
        size_t& elements = counts.elements;
        counts.bytes += batch.size();
        size_t start = 0;
        while (start < batch.size()) {
            size_t end = batch.find('\n', start);
            if (end == std::string_view::npos) end = batch.size();
            const std::string_view line = batch.substr(start, end - start);
            ++commands;
            if (line.starts_with("add element") || line.starts_with("delete element"))
                elements += 1 + size_t(std::count(line.begin(), line.end(), ','));
            start = end + 1;
        }
        return real_->run(batch);
    }

private:
    std::unique_ptr<net::Nftables> real_;
};

class CountingSink final : public nft::NlSink {
public:
    explicit CountingSink(std::unique_ptr<nft::NlSink> real) : real_(std::move(real)) {}
    core::Status send(const nft::NlBatch& batch) override {
        counts.commands += batch.size();
        for (const auto& op : batch) counts.elements += op.items.size();
        counts.bytes += nft::encode(batch, 0).bytes.size();  // (encoded twice: a bench-only cost)
        return real_->send(batch);
    }

private:
    std::unique_ptr<nft::NlSink> real_;
};

void timed(const char* what, nft::NftBackend& b, const std::vector<Op>& ops) {
    counts = Counts{};
    const double c0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    const auto st = b.run(ops);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = (cpu_seconds() - c0) * 1000;
    size_t failed = 0;
    for (const auto& s : st) failed += !s;
    std::printf("%-52s %7zu ops %9.1f ms wall %9.1f ms CPU %7zu commands %8zu elements %6.1f MB  %s\n", what,
                ops.size(), ms, cpu, counts.commands, counts.elements, double(counts.bytes) / 1e6,
                failed ? st.back().error().message.substr(0, 200).c_str() : "ok");
}

void stability() {
    std::vector<nft::MaglevEntry> all;
    for (int i = 0; i < 10; ++i) all.push_back({real(0, i).to_string(), 1});
    const auto full = nft::maglev_table(all);
    double sum = 0, worst = 0, naive_sum = 0;
    for (size_t gone = 0; gone < all.size(); ++gone) {
        auto fewer = all;
        fewer.erase(fewer.begin() + long(gone));
        const auto t = nft::maglev_table(fewer);
        size_t moved = 0, naive = 0;
        for (size_t s = 0; s < full.size(); ++s) {
            moved += all[full[s]].name != fewer[t[s]].name;
            // nftlb's way: server index = hash mod N over the list, same hashes.
            naive += all[s % 10].name != fewer[s % 9].name;
        }
        const double f = double(moved) / double(full.size());
        sum += f;
        worst = std::max(worst, f);
        naive_sum += double(naive) / double(full.size());
    }
    std::printf("hash stability, 1 of 10 real servers removed (4093-slot Maglev): %.2f%% of clients move on average, "
                "%.2f%% at worst (ideal 10%%); plain hash mod N: %.2f%%\n",
                sum * 10, worst * 100, naive_sum * 10);
}

// From empty, a 1% reload, one real server down.
void program(nft::NftBackend& b, int services, int reals, const std::string& sched, const char* how) {
    ServiceParams p;
    p.scheduler = sched;
    std::vector<Op> ops;
    for (int i = 0; i < services; ++i) {
        ops.push_back(Op::add_service(service(i), p));
        for (int j = 0; j < reals; ++j) {
            DestParams d;
            d.weight = 1 + j % 3;
            ops.push_back(Op::add_dest(service(i), real(i, j), d));
        }
    }
    char what[96];
    std::snprintf(what, sizeof what, "%s: from empty, %d x %d (%s)", how, services, reals, sched.c_str());
    timed(what, b, ops);
    // 1%: one real server of every 100th service changes weight, another is replaced.
    ops.clear();
    for (int i = 0; i < services; i += 100) {
        DestParams d;
        d.weight = 5;
        ops.push_back(Op::update_dest(service(i), real(i, 0), d));
        ops.push_back(Op::delete_dest(service(i), real(i, 1)));
        ops.push_back(Op::add_dest(service(i), DestKey{real(i, 1).address, 8081}, d));
    }
    std::snprintf(what, sizeof what, "%s: reload changing 1%% of the services", how);
    timed(what, b, ops);
    ops.clear();
    ops.push_back(Op::delete_dest(service(services / 2), real(services / 2, 2)));
    std::snprintf(what, sizeof what, "%s: one real server down (one service)", how);
    timed(what, b, ops);
}

}  // namespace

int main(int argc, char** argv) {
    const int services = argc > 1 ? std::atoi(argv[1]) : 10000;
    const int reals = argc > 2 ? std::atoi(argv[2]) : 10;
    const std::string sched = argc > 3 ? argv[3] : "wrr";
    // NFT_PROGRAM_ONLY=batch skips the text run (minutes for mh at scale).
    const char* only = std::getenv("NFT_PROGRAM_ONLY");
    stability();
    // Before (text only) and after (bulk through libnftnl), one table at a time.
    for (const bool batch : {false, true}) {
        if (only && std::string(only) != (batch ? "batch" : "text")) continue;
        auto opened = net::LibNftables::open();
        if (!opened) {
            std::fprintf(stderr, "nft_program: %s\n", opened.error().message.c_str());
            return 1;
        }
        std::unique_ptr<nft::NlSink> sink;
        if (batch) {
            auto s = nft::NftnlSink::open();
            if (!s) {
                std::fprintf(stderr, "nft_program: %s\n", s.error().message.c_str());
                return 1;
            }
            sink = std::make_unique<CountingSink>(std::move(s.value()));
        }
        nft::NftBackend b(std::make_unique<Counting>(std::move(opened.value())), std::move(sink));
        program(b, services, reals, sched, batch ? "libnftnl batch" : "text");
        std::printf("transactions: %llu\n", static_cast<unsigned long long>(b.transactions()));
        auto cleanup = net::LibNftables::open();
        if (cleanup) (void)cleanup.value()->run("add table ip halbd\ndelete table ip halbd\n");
    }
    return 0;
}
