// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// bench/lb_peer.cc: the traffic of the data-path bench (bench/nft-datapath.sh)
// and of the VM's IPVS-versus-nftables comparison (tests/vm/lb-compare.sh),
// where no python exists: one real-server process that tells which address
// it was reached on, and clients that count who answered or measure req/s.
//
//   lb_peer serve PORT
//       listen on 0.0.0.0:PORT; greet every connection with "ADDR\n" (the
//       local address it reached) and answer each line it sends the same.
//   lb_peer dist HOST PORT SRC NSRC COUNT [TIMEOUT_MS]
//       COUNT connections, the i-th from source address SRC + i % NSRC
//       (IPv4, counted on from SRC); prints "SOURCE SERVER" per connection
//       (SERVER is ERROR when it failed). Exit 1 if any failed.
//   lb_peer load HOST PORT short|keep SECONDS THREADS [SRC]
//       THREADS clients for SECONDS: short = a new TCP connection per
//       request (connect, greeting, reset), keep = one connection each, a
//       line and its answer per request. Prints one line:
//       "mode=M requests=N errors=E rps=R p50_us=A p99_us=B".
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

// Owns one socket descriptor.
class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    Fd& operator=(Fd&& o) noexcept {
        if (this != &o) {
            reset();
            fd_ = o.fd_;
            o.fd_ = -1;
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    int get() const { return fd_; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_;
};

bool parse_v4(const char* text, in_addr& out) { return inet_pton(AF_INET, text, &out) == 1; }

sockaddr_in endpoint(in_addr a, uint16_t port) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr = a;
    sa.sin_port = htons(port);
    return sa;
}

// ---- serve --------------------------------------------------------------------

int serve(uint16_t port) {
    Fd lfd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    const int one = 1;
    ::setsockopt(lfd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in any = endpoint(in_addr{INADDR_ANY}, port);
    if (::bind(lfd.get(), reinterpret_cast<sockaddr*>(&any), sizeof any) != 0 || ::listen(lfd.get(), 4096) != 0) {
        std::perror("lb_peer serve: bind/listen");
        return 1;
    }
    Fd ep(::epoll_create1(EPOLL_CLOEXEC));
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = lfd.get();
    ::epoll_ctl(ep.get(), EPOLL_CTL_ADD, lfd.get(), &ev);
    std::unordered_map<int, std::pair<Fd, std::string>> conns;  // fd -> (socket, greeting)
    std::vector<epoll_event> events(256);
    char buf[4096];
    for (;;) {
        const int n = ::epoll_wait(ep.get(), events.data(), static_cast<int>(events.size()), -1);
        if (n < 0 && errno != EINTR) return 1;
        for (int i = 0; i < n; ++i) {
            const int fd = events[i].data.fd;
            if (fd == lfd.get()) {
                for (;;) {
                    Fd c(::accept4(lfd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
                    if (c.get() < 0) break;
                    ::setsockopt(c.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    sockaddr_in local{};
                    socklen_t len = sizeof local;
                    ::getsockname(c.get(), reinterpret_cast<sockaddr*>(&local), &len);
                    char text[INET_ADDRSTRLEN] = "?";
                    inet_ntop(AF_INET, &local.sin_addr, text, sizeof text);
                    std::string greeting = std::string(text) + "\n";
                    if (::send(c.get(), greeting.data(), greeting.size(), MSG_NOSIGNAL) < 0) continue;
                    epoll_event cev{};
                    cev.events = EPOLLIN | EPOLLRDHUP;
                    cev.data.fd = c.get();
                    ::epoll_ctl(ep.get(), EPOLL_CTL_ADD, c.get(), &cev);
                    const int key = c.get();
                    conns.emplace(key, std::make_pair(std::move(c), std::move(greeting)));
                }
                continue;
            }
            auto it = conns.find(fd);
            if (it == conns.end()) continue;
            const ssize_t got = ::recv(fd, buf, sizeof buf, 0);
            if (got <= 0) {
                if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
                conns.erase(it);  // closes; epoll forgets a closed fd
                continue;
            }
            // One answer per line received (requests are tiny and in lockstep).
            const auto lines = std::count(buf, buf + got, '\n');
            for (long k = 0; k < lines; ++k)
                ::send(fd, it->second.second.data(), it->second.second.size(), MSG_NOSIGNAL);
        }
    }
}

// ---- clients ------------------------------------------------------------------

// Reads up to and including '\n' into line; false on error, timeout or EOF.
bool read_line(int fd, std::string& line) {
    line.clear();
    char c;
    for (;;) {
        const ssize_t got = ::recv(fd, &c, 1, 0);
        if (got <= 0) return false;
        if (c == '\n') return true;
        line.push_back(c);
    }
}

void set_timeout(int fd, int ms) {
    timeval tv{ms / 1000, (ms % 1000) * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);  // bounds connect() too
}

// A connected socket from src (INADDR_ANY: the kernel's choice) to dst, or -1.
Fd connect_from(in_addr src, const sockaddr_in& dst, int timeout_ms) {
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    set_timeout(fd.get(), timeout_ms);
    const int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (src.s_addr != INADDR_ANY) {
        sockaddr_in from = endpoint(src, 0);
        if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&from), sizeof from) != 0) return Fd();
    }
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&dst), sizeof dst) != 0) return Fd();
    return fd;
}

// Close with a reset: no TIME_WAIT, so a load run never runs out of ports.
void reset_close(Fd& fd) {
    const linger l{1, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
    fd.reset();
}

int dist(const sockaddr_in& dst, in_addr src, int nsrc, int count, int timeout_ms) {
    int failed = 0;
    std::string line;
    for (int i = 0; i < count; ++i) {
        in_addr s{htonl(ntohl(src.s_addr) + static_cast<uint32_t>(i % nsrc))};
        char text[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &s, text, sizeof text);
        Fd fd = connect_from(s, dst, timeout_ms);
        const bool good = fd.get() >= 0 && read_line(fd.get(), line);
        if (!good) ++failed;
        std::printf("%s %s\n", text, good ? line.c_str() : "ERROR");
    }
    std::fflush(stdout);
    return failed ? 1 : 0;
}

struct Worker {
    std::vector<uint32_t> micros;  // one per completed request
    long errors = 0;
};

void run_worker(Worker& w, const sockaddr_in& dst, in_addr src, bool keep, Clock::time_point end) {
    std::string line;
    Fd conn;
    while (Clock::now() < end) {
        const auto t0 = Clock::now();
        bool good;
        if (!keep) {
            Fd fd = connect_from(src, dst, 2000);
            good = fd.get() >= 0 && read_line(fd.get(), line);
            reset_close(fd);
        } else {
            if (conn.get() < 0) {
                conn = connect_from(src, dst, 2000);
                if (conn.get() < 0 || !read_line(conn.get(), line)) {
                    ++w.errors;
                    conn.reset();
                    continue;
                }
                continue;  // the greeting is not a request
            }
            good = ::send(conn.get(), "x\n", 2, MSG_NOSIGNAL) == 2 && read_line(conn.get(), line);
            if (!good) conn.reset();
        }
        if (!good) {
            ++w.errors;
            continue;
        }
        w.micros.push_back(static_cast<uint32_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count()));
    }
}

int load(const sockaddr_in& dst, in_addr src, bool keep, double seconds, int threads) {
    std::vector<Worker> workers(static_cast<size_t>(threads));
    std::vector<std::thread> pool;
    const auto start = Clock::now();
    const auto end = start + std::chrono::microseconds(static_cast<long>(seconds * 1e6));
    for (auto& w : workers) pool.emplace_back(run_worker, std::ref(w), std::cref(dst), src, keep, end);
    for (auto& t : pool) t.join();
    const double took = std::chrono::duration<double>(Clock::now() - start).count();
    std::vector<uint32_t> all;
    long errors = 0;
    for (auto& w : workers) {
        all.insert(all.end(), w.micros.begin(), w.micros.end());
        errors += w.errors;
    }
    std::sort(all.begin(), all.end());
    auto pct = [&](double p) -> uint32_t {
        if (all.empty()) return 0;
        return all[std::min(all.size() - 1, static_cast<size_t>(p * static_cast<double>(all.size())))];
    };
    std::printf("mode=%s requests=%zu errors=%ld rps=%.0f p50_us=%u p99_us=%u\n", keep ? "keep" : "short", all.size(),
                errors, static_cast<double>(all.size()) / took, pct(0.50), pct(0.99));
    return all.empty() ? 1 : 0;
}

int usage() {
    std::fprintf(stderr,
                 "usage: lb_peer serve PORT\n"
                 "       lb_peer dist HOST PORT SRC NSRC COUNT [TIMEOUT_MS]\n"
                 "       lb_peer load HOST PORT short|keep SECONDS THREADS [SRC]\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) return usage();
    const std::string cmd = argv[1];
    if (cmd == "serve") return serve(static_cast<uint16_t>(std::atoi(argv[2])));
    in_addr host{}, src{INADDR_ANY};
    if (argc < 4 || !parse_v4(argv[2], host)) return usage();
    const sockaddr_in dst = endpoint(host, static_cast<uint16_t>(std::atoi(argv[3])));
    if (cmd == "dist" && (argc == 7 || argc == 8) && parse_v4(argv[4], src))
        return dist(dst, src, std::max(1, std::atoi(argv[5])), std::atoi(argv[6]), argc == 8 ? std::atoi(argv[7]) : 3000);
    if (cmd == "load" && (argc == 7 || argc == 8)) {
        const std::string mode = argv[4];
        if ((mode != "short" && mode != "keep") || (argc == 8 && !parse_v4(argv[7], src))) return usage();
        return load(dst, src, mode == "keep", std::atof(argv[5]), std::max(1, std::atoi(argv[6])));
    }
    return usage();
}
