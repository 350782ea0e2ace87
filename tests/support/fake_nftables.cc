// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/support/fake_nftables.cc: see fake_nftables.hh. A command is split into words
// up to its first '{'; what is inside the braces is its body (a set's
// elements, separated by commas).
#include "support/fake_nftables.hh"

#include <cerrno>
#include <sstream>

namespace halbd::net {

namespace {

std::string trim(std::string s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}

std::vector<std::string> words(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> w;
    for (std::string x; in >> x;) w.push_back(x);
    return w;
}

std::set<std::string> body_elements(const std::string& body) {
    std::set<std::string> out;
    std::string inner = body;
    if (auto b = inner.find('{'); b != std::string::npos) inner = inner.substr(b + 1);
    if (auto e = inner.rfind('}'); e != std::string::npos) inner = inner.substr(0, e);
    std::istringstream in(inner);
    for (std::string x; std::getline(in, x, ',');)
        if (auto t = trim(x); !t.empty()) out.insert(t);
    return out;
}

// `line` without its first n words.
std::string after_words(const std::string& line, size_t n) {
    size_t pos = 0;
    for (size_t i = 0; i < n; ++i) {
        pos = line.find_first_not_of(" \t", pos);
        pos = pos == std::string::npos ? line.size() : line.find_first_of(" \t", pos);
        if (pos == std::string::npos) return {};
    }
    return trim(line.substr(pos));
}

core::Error enoent(const std::string& what) {
    return core::Error{ENOENT, "nftables: " + what + ": No such file or directory"};
}

}  // namespace

core::Status FakeNftables::command(Tables& tables, const std::string& line) {
    const auto brace = line.find('{');
    const std::string head = line.substr(0, brace);
    const std::string body = brace == std::string::npos ? std::string() : line.substr(brace);
    const auto w = words(head);
    if (w.size() < 4) return core::Error{EINVAL, "nftables: syntax error: " + line};
    const std::string& verb = w[0];
    const std::string& what = w[1];
    const std::string table = w[2] + " " + w[3];
    if (what == "table" && verb == "add") {
        tables[table];
        return core::Ok{};
    }
    if (what == "table" && verb == "delete") {
        if (!tables.erase(table)) return enoent("delete table " + table);
        return core::Ok{};
    }
    auto t = tables.find(table);
    if (t == tables.end()) return enoent(line);
    if (w.size() < 5) return core::Error{EINVAL, "nftables: syntax error: " + line};
    const std::string& obj = w[4];
    if (verb == "add" && what == "set") {
        t->second.sets[obj];
        return core::Ok{};
    }
    if (verb == "add" && what == "chain") {
        t->second.chains.emplace(obj, trim(body));
        return core::Ok{};
    }
    if (verb == "add" && what == "rule") {
        if (!t->second.chains.count(obj)) return enoent(line);
        t->second.rules[obj].push_back(after_words(line, 5));
        return core::Ok{};
    }
    auto s = t->second.sets.find(obj);
    if (s == t->second.sets.end()) return enoent(line);
    if (verb == "flush" && what == "set") {
        s->second.clear();
        return core::Ok{};
    }
    if (what == "element" && verb == "add") {
        for (const auto& e : body_elements(body)) s->second.insert(e);
        return core::Ok{};
    }
    if (what == "element" && verb == "delete") {
        for (const auto& e : body_elements(body))
            if (!s->second.erase(e)) return enoent(line);
        return core::Ok{};
    }
    return core::Error{EINVAL, "nftables: the fake does not know: " + line};
}

core::Result<std::string> FakeNftables::run(std::string_view batch) {
    journal_.emplace_back(batch);
    if (!fail_next_.empty()) return core::Error{EPERM, "nftables: " + std::exchange(fail_next_, std::string())};
    Tables next = tables_;
    std::istringstream in{std::string(batch)};
    for (std::string line; std::getline(in, line);) {
        if (trim(line).empty()) continue;
        if (auto st = command(next, line); !st) return st.error();
    }
    tables_ = std::move(next);
    return std::string();
}

std::set<std::string> FakeNftables::elements(const std::string& table, const std::string& set) const {
    auto t = tables_.find(table);
    if (t == tables_.end()) return {};
    auto s = t->second.sets.find(set);
    return s == t->second.sets.end() ? std::set<std::string>{} : s->second;
}

std::vector<std::string> FakeNftables::rules(const std::string& table, const std::string& chain) const {
    auto t = tables_.find(table);
    if (t == tables_.end()) return {};
    auto r = t->second.rules.find(chain);
    return r == t->second.rules.end() ? std::vector<std::string>{} : r->second;
}

std::string FakeNftables::chain(const std::string& table, const std::string& chain) const {
    auto t = tables_.find(table);
    if (t == tables_.end()) return {};
    auto c = t->second.chains.find(chain);
    return c == t->second.chains.end() ? std::string() : c->second;
}

}  // namespace halbd::net
