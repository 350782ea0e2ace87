// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/check_http_server.hh: a tiny HTTP/HTTPS server on 127.0.0.1 for
// the HTTP_GET/SSL_GET tests, run by the test itself on its own thread
// (blocking I/O there, never a sleep: it waits on accept, reads and a stop
// pipe), and TestCert, a self-signed certificate made at test time with the
// OpenSSL API. Header-only; the server owns its sockets, thread and SSL_CTX.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/fd.hh"

namespace halbd::check::test_util {

struct TestCert {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, EVP_PKEY_free};
    std::unique_ptr<X509, decltype(&X509_free)> cert{nullptr, X509_free};

    // EC P-256, CN=cn, valid for an hour.
    static std::optional<TestCert> make(const char* cn = "localhost") {
        TestCert c;
        c.key.reset(EVP_EC_gen("P-256"));
        c.cert.reset(X509_new());
        if (!c.key || !c.cert) return std::nullopt;
        X509* x = c.cert.get();
        X509_set_version(x, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
        X509_gmtime_adj(X509_getm_notBefore(x), -60);
        X509_gmtime_adj(X509_getm_notAfter(x), 3600);
        X509_set_pubkey(x, c.key.get());
        X509_NAME* n = X509_get_subject_name(x);
        X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
        X509_set_issuer_name(x, n);
        if (X509_sign(x, c.key.get(), EVP_sha256()) <= 0) return std::nullopt;
        return c;
    }
    // Writes cert and key as PEM files (key encrypted when password is set).
    bool write(const std::string& cert_path, const std::string& key_path, const std::string& password = "") const {
        FILE* f = std::fopen(cert_path.c_str(), "w");
        if (!f) return false;
        bool ok = PEM_write_X509(f, cert.get()) == 1;
        std::fclose(f);
        f = std::fopen(key_path.c_str(), "w");
        if (!f) return false;
        if (password.empty()) ok = ok && PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
        else
            ok = ok && PEM_write_PrivateKey(f, key.get(), EVP_aes_128_cbc(),
                                            reinterpret_cast<const unsigned char*>(password.data()),
                                            static_cast<int>(password.size()), nullptr, nullptr) == 1;
        std::fclose(f);
        return ok;
    }
};

class TestHttpServer {
public:
    enum class Mode {
        Reply,          // read the request, answer, close
        ReplyAndHold,   // read the request, answer, keep the connection open
        ReplyAtOnce,    // answer without reading (a server speaking first)
        CloseEarly,     // read the request, close without answering
        Silent,         // read the request, never answer
    };
    struct Options {
        Mode mode = Mode::Reply;
        // The response to a request (the request text is given); default: 200 "hello".
        std::function<std::string(const std::string& request)> respond;
        const TestCert* tls = nullptr;      // HTTPS with this certificate
        bool want_client_cert = false;      // ask the client for a certificate
    };

    explicit TestHttpServer(Options o) : opt_(std::move(o)) {
        if (!opt_.respond) opt_.respond = [](const std::string&) { return std::string("HTTP/1.0 200 OK\r\n\r\nhello"); };
        listen_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (!listen_ || ::bind(listen_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 ||
            ::listen(listen_.get(), 128) < 0 || ::getsockname(listen_.get(), reinterpret_cast<sockaddr*>(&a), &len) < 0)
            return;
        port_ = ntohs(a.sin_port);
        int p[2];
        if (::pipe2(p, O_CLOEXEC) < 0) return;
        stop_r_.reset(p[0]);
        stop_w_.reset(p[1]);
        if (opt_.tls) {
            ctx_ = SSL_CTX_new(TLS_server_method());
            SSL_CTX_use_certificate(ctx_, opt_.tls->cert.get());
            SSL_CTX_use_PrivateKey(ctx_, opt_.tls->key.get());
            if (opt_.want_client_cert)
                SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
        }
        thread_ = std::thread([this] { serve(); });
    }
    ~TestHttpServer() {
        if (stop_w_) (void)!::write(stop_w_.get(), "x", 1);
        if (thread_.joinable()) thread_.join();
        if (ctx_) SSL_CTX_free(ctx_);
    }

    bool ok() const { return port_ != 0 && thread_.joinable(); }
    uint16_t port() const { return port_; }
    std::vector<std::string> requests() const {
        std::lock_guard<std::mutex> g(mu_);
        return requests_;
    }
    std::vector<std::string> snis() const {
        std::lock_guard<std::mutex> g(mu_);
        return snis_;
    }
    int client_certs() const {
        std::lock_guard<std::mutex> g(mu_);
        return client_certs_;
    }

private:
    // Waits until fd is readable or stop; false on stop.
    bool wait_readable(int fd) {
        pollfd p[2] = {{fd, POLLIN, 0}, {stop_r_.get(), POLLIN, 0}};
        while (::poll(p, 2, -1) < 0)
            if (errno != EINTR) return false;
        return !(p[1].revents & POLLIN);
    }

    void serve() {
        while (wait_readable(listen_.get())) {
            core::UniqueFd c(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
            if (!c) continue;
            timeval tv{5, 0};  // a misbehaving client cannot hang the test
            ::setsockopt(c.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            ::setsockopt(c.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
            handle(c.get());
        }
    }

    void handle(int fd) {
        SSL* ssl = nullptr;
        auto rd = [&](char* b, size_t n) -> long {
            if (!ssl) return ::recv(fd, b, n, 0);
            size_t got = 0;
            return SSL_read_ex(ssl, b, n, &got) == 1 ? static_cast<long>(got) : -1;
        };
        auto wr = [&](const std::string& s) {
            if (ssl) {
                size_t w = 0;
                SSL_write_ex(ssl, s.data(), s.size(), &w);
            } else {
                (void)!::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
            }
        };
        if (ctx_) {
            ssl = SSL_new(ctx_);
            SSL_set_fd(ssl, fd);
            if (SSL_accept(ssl) != 1) {
                ERR_clear_error();
                SSL_free(ssl);
                return;
            }
            const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
            X509* peer = SSL_get1_peer_certificate(ssl);
            std::lock_guard<std::mutex> g(mu_);
            snis_.push_back(sni ? sni : "");
            if (peer) ++client_certs_;
            X509_free(peer);
        }
        std::string req;
        if (opt_.mode != Mode::ReplyAtOnce) {
            char buf[4096];
            while (req.find("\r\n\r\n") == std::string::npos) {
                const long n = rd(buf, sizeof buf);
                if (n <= 0) break;
                req.append(buf, static_cast<size_t>(n));
            }
            std::lock_guard<std::mutex> g(mu_);
            requests_.push_back(req);
        }
        switch (opt_.mode) {
            case Mode::Reply:
            case Mode::ReplyAtOnce: wr(opt_.respond(req)); break;
            case Mode::ReplyAndHold:
                wr(opt_.respond(req));
                wait_for_close_or_stop(fd);
                break;
            case Mode::CloseEarly: break;
            case Mode::Silent: wait_for_close_or_stop(fd); break;
        }
        if (ssl) {
            if (opt_.mode == Mode::Reply || opt_.mode == Mode::ReplyAtOnce) SSL_shutdown(ssl);
            SSL_free(ssl);
        }
        ERR_clear_error();
    }

    // Silent/ReplyAndHold: keep the connection until the client closes it
    // (the checker gave up) or the test ends.
    void wait_for_close_or_stop(int fd) {
        char b[256];
        while (wait_readable(fd))
            if (::recv(fd, b, sizeof b, MSG_DONTWAIT) <= 0) return;
    }

    Options opt_;
    core::UniqueFd listen_, stop_r_, stop_w_;
    uint16_t port_ = 0;
    SSL_CTX* ctx_ = nullptr;
    std::thread thread_;
    mutable std::mutex mu_;
    std::vector<std::string> requests_, snis_;
    int client_certs_ = 0;
};

}  // namespace halbd::check::test_util
