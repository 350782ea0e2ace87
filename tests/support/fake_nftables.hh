// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/support/fake_nftables.hh: in-memory Nftables (DESIGN principle 7) for unit
// tests. It understands the nft commands halbd sends (add/delete table, add
// set/chain/rule, add/delete element, flush set) with the kernel's rules: a
// batch applies whole or not at all, deleting what does not exist fails.
// Every batch is journaled; the next one can be made to fail. Owns its tables.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "net/nftables.hh"

namespace halbd::net {

class FakeNftables final : public Nftables {
public:
    core::Result<std::string> run(std::string_view batch) override;

    // "ip keepalived": family and name.
    bool has_table(const std::string& table) const { return tables_.count(table) > 0; }
    size_t table_count() const { return tables_.size(); }
    // Elements as written ("192.0.2.1", "fe80::1 . \"eth0\""); empty when missing.
    std::set<std::string> elements(const std::string& table, const std::string& set) const;
    // Rules of one chain, as written after the chain name.
    std::vector<std::string> rules(const std::string& table, const std::string& chain) const;
    // The chain's definition ("{ type filter hook input priority -1; policy accept; }").
    std::string chain(const std::string& table, const std::string& chain) const;
    const std::vector<std::string>& journal() const { return journal_; }
    void fail_next(std::string message) { fail_next_ = std::move(message); }

private:
    struct Table {
        std::map<std::string, std::set<std::string>> sets;
        std::map<std::string, std::string> chains;              // name -> definition
        std::map<std::string, std::vector<std::string>> rules;  // chain -> rules
    };
    using Tables = std::map<std::string, Table>;
    static core::Status command(Tables& t, const std::string& line);

    Tables tables_;
    std::vector<std::string> journal_;
    std::string fail_next_;
};

}  // namespace halbd::net
