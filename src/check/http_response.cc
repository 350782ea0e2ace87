// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// check/http_response.cc: see http_response.hh. Pure: bytes in, a state, a
// status code and a digest out; every malformed input ends in a typed error.
#include "check/http_response.hh"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>

#include "check/http_regex.hh"

namespace halbd::check::http {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "HTTP/1.1 200 OK": the status code, or 0.
int parse_status_line(std::string_view line) {
    if (line.substr(0, 5) != "HTTP/") return 0;
    size_t i = 5;
    while (i < line.size() && line[i] != ' ') ++i;  // the version
    if (i == 5) return 0;
    while (i < line.size() && line[i] == ' ') ++i;
    if (line.size() - i < 3 || !is_digit(line[i]) || !is_digit(line[i + 1]) || !is_digit(line[i + 2])) return 0;
    if (line.size() - i > 3 && line[i + 3] != ' ') return 0;  // "2000" or "200x"
    const int code = (line[i] - '0') * 100 + (line[i + 1] - '0') * 10 + (line[i + 2] - '0');
    return code >= 100 ? code : 0;
}

// The end of the headers in s, searching from `from`: the index just past
// the empty line, or npos.
size_t find_headers_end(std::string_view s, size_t from) {
    for (size_t i = s.find('\n', from); i != std::string_view::npos; i = s.find('\n', i + 1)) {
        if (i + 1 < s.size() && s[i + 1] == '\n') return i + 2;
        if (i + 2 < s.size() && s[i + 1] == '\r' && s[i + 2] == '\n') return i + 3;
    }
    return std::string_view::npos;
}

}  // namespace

void build_request(std::string& out, std::string_view path, config::HttpProtocol protocol, std::string_view host) {
    out.clear();
    out += "GET ";
    out += path;
    out += protocol == config::HttpProtocol::V1_1 ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n";
    out += "User-Agent: KeepAliveClient\r\n";
    if (protocol != config::HttpProtocol::V1_0) out += "Connection: close\r\n";
    out += "Host: ";
    out += host;
    out += "\r\n\r\n";
}

std::string host_header(std::string_view virtualhost, const net::IpAddress& address, uint16_t port) {
    if (!virtualhost.empty()) return std::string(virtualhost);
    const std::string a = address.to_string();
    return (address.is_v6() ? "[" + a + "]" : a) + ":" + std::to_string(port);
}

std::string status_ranges_text(const std::vector<config::StatusRange>& ranges) {
    if (ranges.empty()) return "any";
    std::string s;
    for (const auto& r : ranges) {
        if (!s.empty()) s += ' ';
        s += std::to_string(r.first);
        if (r.last != r.first) s += '-' + std::to_string(r.last);
    }
    return s;
}

bool status_accepted(const std::vector<config::StatusRange>& ranges, int code) {
    if (ranges.empty()) return true;
    return std::any_of(ranges.begin(), ranges.end(), [code](const config::StatusRange& r) {
        return code >= r.first && code <= r.last;
    });
}

const char* parse_error_text(ParseError e) {
    switch (e) {
        case ParseError::None: return "no error";
        case ParseError::Empty: return "connection closed before any response";
        case ParseError::BadStatusLine: return "not an HTTP response (bad status line)";
        case ParseError::BadHeader: return "invalid Content-Length header";
        case ParseError::Truncated: return "connection closed inside the response headers";
        case ParseError::HeadersTooLarge: return "response headers too large";
        case ParseError::TooLarge: return "response body too large";
    }
    return "?";
}

void ResponseParser::CtxFree::operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }

ResponseParser::ResponseParser() : ResponseParser(Limits{}) {}
ResponseParser::ResponseParser(Limits limits) : limits_(limits) {}
ResponseParser::~ResponseParser() = default;

void ResponseParser::reset(bool want_digest, BodyRegex* regex) {
    state_ = State::Headers;
    regex_ = regex;
    error_ = ParseError::None;
    want_digest_ = want_digest;
    any_byte_ = false;
    status_ = 0;
    content_length_.reset();
    body_bytes_ = 0;
    if (header_.capacity() > 4096) std::string().swap(header_);  // one huge response keeps no memory
    header_.clear();
    digest_.clear();
    if (want_digest_) {
        if (!md_) md_.reset(EVP_MD_CTX_new());
        if (!md_ || EVP_DigestInit_ex(md_.get(), EVP_md5(), nullptr) != 1) want_digest_ = false;
    }
}

ResponseParser::State ResponseParser::fail(ParseError e) {
    error_ = e;
    state_ = State::Failed;
    return state_;
}

ResponseParser::State ResponseParser::feed(const char* data, size_t size) {
    if (state_ == State::Body) return body(data, size);
    if (state_ != State::Headers || size == 0) return state_;
    any_byte_ = true;
    const size_t old = header_.size();
    const size_t take = std::min(size, limits_.max_header_bytes - old);
    header_.append(data, take);
    const size_t end = find_headers_end(header_, old >= 2 ? old - 2 : 0);
    if (end == std::string::npos) {
        // Fail early on a first line that cannot be a status line, judged as
        // parse_headers() judges it (leading blanks trimmed), so the verdict
        // never depends on where the server's segments happen to end.
        const size_t nl = header_.find('\n');
        std::string_view first(header_);
        while (!first.empty() && (first.front() == ' ' || first.front() == '\t')) first.remove_prefix(1);
        const size_t prefix = std::min<size_t>(first.size(), 5);
        if (first.compare(0, prefix, "HTTP/", prefix) != 0) return fail(ParseError::BadStatusLine);
        if (nl != std::string::npos && parse_status_line(trim(std::string_view(header_).substr(0, nl))) == 0)
            return fail(ParseError::BadStatusLine);
        if (header_.size() >= limits_.max_header_bytes) return fail(ParseError::HeadersTooLarge);
        return state_;
    }
    const size_t used = end - old;  // bytes of this feed that belong to the headers
    header_.resize(end);
    if (parse_headers() != State::Body) return state_;
    return body(data + used, size - used);
}

ResponseParser::State ResponseParser::parse_headers() {
    std::string_view h(header_);
    size_t nl = h.find('\n');
    status_ = parse_status_line(trim(h.substr(0, nl)));
    if (status_ == 0) return fail(ParseError::BadStatusLine);
    while (nl != std::string_view::npos && nl + 1 < h.size()) {
        const size_t start = nl + 1;
        nl = h.find('\n', start);
        const std::string_view line = trim(h.substr(start, nl == std::string_view::npos ? h.npos : nl - start));
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;  // keepalived ignores malformed lines too
        if (!iequals(trim(line.substr(0, colon)), "content-length")) continue;
        const std::string_view v = trim(line.substr(colon + 1));
        uint64_t n = 0;
        const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (ec != std::errc() || p != v.data() + v.size() || v.empty()) return fail(ParseError::BadHeader);
        if (content_length_ && *content_length_ != n) return fail(ParseError::BadHeader);
        content_length_ = n;
    }
    if (content_length_ && *content_length_ > limits_.max_body_bytes) return fail(ParseError::TooLarge);
    state_ = State::Body;
    if (content_length_ && *content_length_ == 0) return complete();
    return state_;
}

ResponseParser::State ResponseParser::body(const char* data, size_t size) {
    if (size == 0) return state_;
    if (content_length_) size = static_cast<size_t>(std::min<uint64_t>(size, *content_length_ - body_bytes_));
    else if (body_bytes_ + size > limits_.max_body_bytes) return fail(ParseError::TooLarge);
    if (want_digest_) EVP_DigestUpdate(md_.get(), data, size);
    if (regex_) regex_->feed(data, size);
    body_bytes_ += size;
    if (content_length_ && body_bytes_ == *content_length_) return complete();
    return state_;
}

ResponseParser::State ResponseParser::complete() {
    state_ = State::Complete;
    if (regex_) regex_->finish();
    if (want_digest_) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        EVP_DigestFinal_ex(md_.get(), md, &len);
        static const char hex[] = "0123456789abcdef";
        digest_.resize(2 * len);
        for (unsigned i = 0; i < len; ++i) {
            digest_[2 * i] = hex[md[i] >> 4];
            digest_[2 * i + 1] = hex[md[i] & 15];
        }
    }
    return state_;
}

ResponseParser::State ResponseParser::eof() {
    switch (state_) {
        case State::Headers: return fail(any_byte_ ? ParseError::Truncated : ParseError::Empty);
        case State::Body: return complete();
        default: return state_;
    }
}

}  // namespace halbd::check::http
