// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/fuzz/http_response_fuzz.cc: libFuzzer target for the HTTP_GET/SSL_GET
// response parser (check/http_response) with its streaming body regex
// (check/http_regex): a real server's reply, however broken or hostile,
// must end Complete or Failed within the configured limits, never crash.
// The first two bytes choose the read sizes the bytes arrive in, so splits
// in every place (status line, headers, chunk framing, a regex match across
// reads) are tried; the same response fed in one read must reach the same
// verdict, digest and regex outcome.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "check/http_regex.hh"
#include "check/http_response.hh"
#include "config/regex.hh"

using namespace halbd;
using check::http::ResponseParser;

namespace {

const config::Regex& pattern() {
    static const std::shared_ptr<const config::Regex> re = [] {
        auto r = config::Regex::compile("ok[0-9]+$|h(al)+bd", {});
        if (!r) std::abort();
        return r.value();
    }();
    return *re;
}

struct Outcome {
    ResponseParser::State state;
    int status;
    uint64_t body_bytes;
    std::string digest;
    bool matched;
};

Outcome run(const uint8_t* data, size_t size, size_t step) {
    ResponseParser::Limits limits;
    limits.max_header_bytes = 512;  // small, so the fuzzer reaches them
    limits.max_body_bytes = 4096;
    ResponseParser p(limits);
    check::http::BodyRegex regex;
    regex.reset(pattern());
    p.reset(true, &regex);
    const char* bytes = reinterpret_cast<const char*>(data);
    ResponseParser::State s = p.state();
    for (size_t off = 0; off < size && s != ResponseParser::State::Complete && s != ResponseParser::State::Failed;
         off += step)
        s = p.feed(bytes + off, std::min(step, size - off));
    if (s == ResponseParser::State::Headers || s == ResponseParser::State::Body) s = p.eof();
    if (s != ResponseParser::State::Complete && s != ResponseParser::State::Failed) std::abort();
    if (p.body_bytes() > limits.max_body_bytes) std::abort();
    return {s, p.status(), p.body_bytes(), s == ResponseParser::State::Complete ? p.digest() : "", regex.matched()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    const size_t step = 1 + (size_t(data[0]) << 8 | data[1]) % 97;
    const Outcome split = run(data + 2, size - 2, step);
    const Outcome whole = run(data + 2, size - 2, size);
    if (split.state != whole.state || split.status != whole.status || split.body_bytes != whole.body_bytes ||
        split.digest != whole.digest || split.matched != whole.matched)
        std::abort();
    return 0;
}
