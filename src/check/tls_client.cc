// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/tls_client.cc: see tls_client.hh. OpenSSL >= 1.1 (initialises
// itself); every SSL_* result goes through Session::result().
#include "check/tls_client.hh"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>

#include "core/log.hh"

namespace halbd::check::tls {

std::string take_errors(const char* fallback) {
    // The first (earliest) error is the cause; later ones are its context.
    const unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (!e) return fallback;
    if (ERR_SYSTEM_ERROR(e)) return std::strerror(ERR_GET_REASON(e));
    if (const char* reason = ERR_reason_error_string(e)) return reason;
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

namespace {

int password_cb(char* buf, int size, int, void* userdata) {
    const auto* pw = static_cast<const std::string*>(userdata);
    if (pw->size() >= static_cast<size_t>(size)) return 0;
    std::memcpy(buf, pw->data(), pw->size());
    return static_cast<int>(pw->size());
}

}  // namespace

std::shared_ptr<const ClientContext> ClientContext::load(const config::SslConfig& ssl) {
    std::shared_ptr<ClientContext> c(new ClientContext());
    ERR_clear_error();
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        c->error_ = "SSL context: " + take_errors("out of memory");
        return c;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
    // A server closing without close_notify ends the body (keepalived too).
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
    c->password_ = ssl.password;
    auto failed = [&](const std::string& what, const std::string& file) {
        c->error_ = "SSL " + what + " " + file + ": " + take_errors("cannot be loaded");
        SSL_CTX_free(ctx);
        return c;
    };
    if (!ssl.password.empty()) {
        SSL_CTX_set_default_passwd_cb_userdata(ctx, &c->password_);
        SSL_CTX_set_default_passwd_cb(ctx, password_cb);
    }
    if (!ssl.certificate.empty() && SSL_CTX_use_certificate_chain_file(ctx, ssl.certificate.c_str()) != 1)
        return failed("certificate", ssl.certificate);
    if (!ssl.key.empty() && SSL_CTX_use_PrivateKey_file(ctx, ssl.key.c_str(), SSL_FILETYPE_PEM) != 1)
        return failed("key", ssl.key);
    if (!ssl.ca.empty() && SSL_CTX_load_verify_locations(ctx, ssl.ca.c_str(), nullptr) != 1)
        return failed("ca", ssl.ca);
    c->ctx_ = ctx;
    return c;
}

ClientContext::~ClientContext() {
    if (ctx_) SSL_CTX_free(ctx_);
}

bool ContextCache::update(const config::SslConfig& ssl) {
    const bool same = seen_ && ssl.ca == ssl_.ca && ssl.certificate == ssl_.certificate && ssl.key == ssl_.key &&
                      ssl.password == ssl_.password;
    seen_ = true;
    if (same) return false;
    ssl_ = ssl;
    ctx_.reset();
    return true;
}

std::shared_ptr<const ClientContext> ContextCache::get() {
    if (!ctx_) {
        ctx_ = ClientContext::load(ssl_);
        if (!ctx_->ok()) log::error(ctx_->error(), ": every SSL_GET check will fail until the SSL block is fixed");
    }
    return ctx_;
}

Session::Session(const ClientContext& ctx, int fd, const std::string& sni) {
    if (!ctx.ok()) {
        error_ = ctx.error();
        return;
    }
    ERR_clear_error();
    ssl_ = SSL_new(ctx.get());
    if (!ssl_ || SSL_set_fd(ssl_, fd) != 1 ||
        (!sni.empty() && SSL_set_tlsext_host_name(ssl_, sni.c_str()) != 1)) {
        error_ = take_errors("cannot create the TLS session");
        if (ssl_) SSL_free(ssl_);
        ssl_ = nullptr;
        return;
    }
    SSL_set_connect_state(ssl_);
}

Session::~Session() {
    if (ssl_) SSL_free(ssl_);  // no close_notify: the socket closes next, as keepalived does
}

Session::Io Session::result(int ret) {
    const int err = SSL_get_error(ssl_, ret);
    switch (err) {
        case SSL_ERROR_NONE: return Io::Done;
        case SSL_ERROR_WANT_READ: return Io::WantRead;
        case SSL_ERROR_WANT_WRITE: return Io::WantWrite;
        case SSL_ERROR_ZERO_RETURN: return Io::Closed;
        case SSL_ERROR_SYSCALL: {
            const int e = errno;
            error_ = take_errors("");
            if (error_.empty()) error_ = ret == 0 || e == 0 ? "connection closed by the peer" : std::strerror(e);
            return Io::Error;
        }
        default: error_ = take_errors("TLS protocol error"); return Io::Error;
    }
}

Session::Io Session::handshake() {
    ERR_clear_error();
    return result(SSL_connect(ssl_));
}

Session::Io Session::write(const char* data, size_t size) {
    ERR_clear_error();
    size_t written = 0;
    const int r = SSL_write_ex(ssl_, data, size, &written);
    return r == 1 ? Io::Done : result(r);
}

bool Session::pending() const { return SSL_pending(ssl_) > 0; }

Session::Io Session::read(char* buf, size_t size, size_t& got) {
    ERR_clear_error();
    got = 0;
    const int r = SSL_read_ex(ssl_, buf, size, &got);
    if (r == 1) return Io::Done;
    const Io io = result(r);
    // Without SSL_OP_IGNORE_UNEXPECTED_EOF (OpenSSL 1.1) a plain close is a syscall error with no errno.
    if (io == Io::Error && error_ == "connection closed by the peer") return Io::Closed;
    return io;
}

}  // namespace halbd::check::tls
