// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/tls_client.hh: the OpenSSL client side of SSL_GET. ClientContext is
// the SSL_CTX built once per configuration from the global SSL block
// (ContextCache, held by CheckSubsystem, reloads it only when the block
// changes); Session drives one non-blocking TLS connection over a socket the
// caller owns and watches, telling it which readiness to wait for next.
#pragma once

#include <memory>
#include <string>

#include "config/model_lvs.hh"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace halbd::check::tls {

// The text of OpenSSL's error queue (drained), e.g.
// "error:0A00010B:SSL routines::wrong version number"; `fallback` if empty.
std::string take_errors(const char* fallback);

// As keepalived: TLS client, no certificate verification (the SSL block's
// `ca` is loaded but, as in keepalived, does not make the peer's certificate
// required); `certificate`/`key`/`password` give a client certificate.
class ClientContext {
public:
    // Never null; on a load error ok() is false and error() says why
    // ("SSL certificate /etc/x.pem: error:...").
    static std::shared_ptr<const ClientContext> load(const config::SslConfig& ssl);
    ~ClientContext();
    ClientContext(const ClientContext&) = delete;
    ClientContext& operator=(const ClientContext&) = delete;

    bool ok() const { return ctx_ != nullptr; }
    const std::string& error() const { return error_; }
    SSL_CTX* get() const { return ctx_; }

private:
    ClientContext() = default;
    SSL_CTX* ctx_ = nullptr;
    std::string error_;
    std::string password_;  // for the PEM password callback
};

// The context of the current configuration, loaded at its first use (so a
// configuration without SSL_GET never touches its SSL block) and again only
// after update() saw the block change.
class ContextCache {
public:
    // Returns true when the block differs from the one of the last update().
    bool update(const config::SslConfig& ssl);
    // Logs a load error once per configuration.
    std::shared_ptr<const ClientContext> get();

private:
    config::SslConfig ssl_;
    bool seen_ = false;
    std::shared_ptr<const ClientContext> ctx_;
};

// One TLS connection over a connected non-blocking socket (borrowed).
class Session {
public:
    // What a step needs next.
    enum class Io : uint8_t { Done, WantRead, WantWrite, Closed, Error };

    // sni: the server name to send, empty = none.
    Session(const ClientContext& ctx, int fd, const std::string& sni);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    bool ok() const { return ssl_ != nullptr; }
    Io handshake();
    // Writes all of data (SSL_write semantics: retry with the same data).
    Io write(const char* data, size_t size);
    // Done with got > 0 bytes, WantRead, Closed (close_notify or a plain
    // close: keepalived accepts both), or Error.
    Io read(char* buf, size_t size, size_t& got);
    // Decrypted bytes buffered in the session, which no readiness event announces.
    bool pending() const;
    // The reason of the last Error, e.g. "wrong version number".
    const std::string& error() const { return error_; }

private:
    Io result(int ret);

    SSL* ssl_ = nullptr;
    std::string error_;
};

}  // namespace halbd::check::tls
