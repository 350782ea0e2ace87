// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/http_response.hh: the HTTP side of HTTP_GET/SSL_GET as a pure codec
// (DESIGN principle 1: no I/O, no logging): keepalived's GET request, and
// ResponseParser, which reads a response incrementally and computes
// keepalived's digest. Shared by HttpChecker (http_check.cc) and `halbctl
// genhash`, so the digest a user generates is the one the checker compares.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/model_check.hh"
#include "net/address.hh"

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace halbd::check::http {

class BodyRegex;  // check/http_regex.hh

// keepalived's request (check_http.c), byte for byte:
//   GET <path> HTTP/1.<0|1>\r\n
//   User-Agent: KeepAliveClient\r\n
//   [Connection: close\r\n]            (1.0C and 1.1)
//   Host: <host>\r\n\r\n
// Appended to out (cleared first), so a caller can reuse its buffer.
void build_request(std::string& out, std::string_view path, config::HttpProtocol protocol, std::string_view host);

// The Host header: the virtualhost if any, else "10.0.0.2:80" / "[2001:db8::2]:80".
std::string host_header(std::string_view virtualhost, const net::IpAddress& address, uint16_t port);

// "200-299", "200 301-302": expected codes for logs. Empty = "any".
std::string status_ranges_text(const std::vector<config::StatusRange>& ranges);
// Whether code is accepted: empty ranges accept any code (a url with only a
// digest, as keepalived 1.x configurations have).
bool status_accepted(const std::vector<config::StatusRange>& ranges, int code);

// Why a response could not be read (typed; text() for details).
enum class ParseError : uint8_t {
    None,
    Empty,            // the connection closed before any byte arrived
    BadStatusLine,    // not "HTTP/x.y NNN ..."
    BadHeader,        // a Content-Length that is not a number
    Truncated,        // the connection closed inside the status line or headers
    HeadersTooLarge,  // no end of headers within Limits::max_header_bytes
    TooLarge,         // the body exceeds Limits::max_body_bytes
};
const char* parse_error_text(ParseError e);  // "connection closed before any response", ...

// Reads one response. Feed it the bytes as they arrive, then eof() when the
// peer closes. The body is never stored: it streams into the MD5 digest and
// the url's regex, so memory stays at the size of the headers (and of the
// regex's partial match) whatever the body's size.
//
// Digest semantics are keepalived's genhash: MD5 of the bytes after the first
// empty line, up to Content-Length when the server sent one (further bytes are
// ignored; the response is complete as soon as Content-Length bytes are in,
// without waiting for the close), else up to the close. A chunked body is
// hashed as sent, chunk framing included, as keepalived does: the digest a
// keepalived user already has in their configuration keeps matching.
// Deviation: the end of headers may be a bare "\n\n" too (keepalived knows
// only "\r\n\r\n" and fails such a server).
class ResponseParser {
public:
    struct Limits {
        size_t max_header_bytes = 16 * 1024;
        uint64_t max_body_bytes = 64ull * 1024 * 1024;
    };
    enum class State : uint8_t { Headers, Body, Complete, Failed };

    ResponseParser();
    explicit ResponseParser(Limits limits);
    ~ResponseParser();
    ResponseParser(const ResponseParser&) = delete;
    ResponseParser& operator=(const ResponseParser&) = delete;

    // Starts a new response; the buffers keep their capacity (one parser
    // serves every attempt of a checker). regex: searched in the body as it
    // streams in (the bytes the digest sees), reset by the caller and
    // finished here when the body ends; null = none.
    void reset(bool want_digest, BodyRegex* regex = nullptr);

    // Consumes bytes; returns the state after them. Bytes after Complete or
    // Failed are ignored.
    State feed(const char* data, size_t size);
    State feed(std::string_view s) { return feed(s.data(), s.size()); }
    // The peer closed the connection: Complete if the headers were read
    // (keepalived accepts a body shorter than its Content-Length), else Failed.
    State eof();

    State state() const { return state_; }
    ParseError error() const { return error_; }
    int status() const { return status_; }
    std::optional<uint64_t> content_length() const { return content_length_; }
    uint64_t body_bytes() const { return body_bytes_; }
    // Lowercase hex MD5 of the body; meaningful once Complete with want_digest.
    const std::string& digest() const { return digest_; }

private:
    State fail(ParseError e);
    State parse_headers();  // on header_, once it holds the end of headers
    State body(const char* data, size_t size);
    State complete();

    Limits limits_;
    State state_ = State::Headers;
    ParseError error_ = ParseError::None;
    bool want_digest_ = false;
    bool any_byte_ = false;
    int status_ = 0;
    std::optional<uint64_t> content_length_;
    uint64_t body_bytes_ = 0;
    std::string header_;  // status line and headers (bounded)
    std::string digest_;
    struct CtxFree {
        void operator()(EVP_MD_CTX* c) const;
    };
    std::unique_ptr<EVP_MD_CTX, CtxFree> md_;  // created at the first digest
    BodyRegex* regex_ = nullptr;
};

}  // namespace halbd::check::http
