// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/dump.hh: writes a Model back as normalised keepalived-grammar text
// (`halbd -d`): every effective value spelled out, defaults and inherited
// values resolved, old keywords replaced by their modern forms. The output
// loads again to an equal Model.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "core/time.hh"
#include "net/address.hh"

namespace halbd::config {

struct Model;

class Dumper {
public:
    explicit Dumper(std::ostream& os) : os_(os) {}
    // `keyword arg1 arg2 ... {` and indent.
    template <class... A>
    void open(std::string_view keyword, const A&... args) {
        start(keyword);
        (add(args), ...);
        os_ << " {\n";
        ++indent_;
    }
    void close();
    // `keyword arg1 arg2 ...`
    template <class... A>
    void line(std::string_view keyword, const A&... args) {
        start(keyword);
        (add(args), ...);
        os_ << '\n';
    }

    // Text forms used in the dump.
    static std::string timer(Duration d);    // seconds, shortest exact form: "1", "0.01"
    static std::string quoted(std::string_view s);  // quotes and escapes when needed

private:
    void start(std::string_view keyword);
    void add(std::string_view s) { os_ << ' ' << s; }
    void add(const std::string& s) { os_ << ' ' << s; }
    void add(const char* s) { os_ << ' ' << s; }
    void add(const net::IpAddress& a) { os_ << ' ' << a.to_string(); }
    void add(const net::Prefix& p) { os_ << ' ' << p.to_string(); }
    void add(Duration d) { os_ << ' ' << timer(d); }
    void add(bool) = delete;
    template <class I>
        requires std::is_integral_v<I>
    void add(I v) { os_ << ' ' << +v; }

    std::ostream& os_;
    int indent_ = 0;
};

void dump(const Model& m, std::ostream& os);

}  // namespace halbd::config
