// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// announce/bird_reply.cc: see bird_reply.hh.
#include "announce/bird_reply.hh"

#include <algorithm>

namespace halbd::announce {

namespace {
bool is_error(int code) { return code >= 8000 && code <= 9999; }
}  // namespace

bool BirdReply::failed() const {
    return std::any_of(lines.begin(), lines.end(), [](const BirdLine& l) { return is_error(l.code); });
}

std::string BirdReply::summary() const {
    for (const BirdLine& l : lines)
        if (is_error(l.code)) return l.text;
    return lines.empty() ? std::string() : lines.front().text;
}

void BirdReplyReader::feed(std::string_view bytes) {
    while (!broken() && !bytes.empty()) {
        const size_t nl = bytes.find('\n');
        const std::string_view piece = bytes.substr(0, nl);
        if (partial_.size() + piece.size() > max_line_) {
            broken_ = "a reply line longer than " + std::to_string(max_line_) + " bytes";
            return;
        }
        partial_.append(piece);
        if (nl == std::string_view::npos) return;
        bytes.remove_prefix(nl + 1);
        std::string l = std::move(partial_);
        partial_.clear();
        line(l);
    }
}

void BirdReplyReader::line(std::string_view l) {
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (!l.empty() && l[0] == ' ') {  // continuation of the previous code
        if (building_.lines.empty()) {
            broken_ = "a continuation line with nothing before it";
            return;
        }
        building_.lines.push_back({building_.lines.back().code, std::string(l.substr(1))});
        return;
    }
    const bool digits = l.size() >= 5 && std::all_of(l.begin(), l.begin() + 4, [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || (l[4] != '-' && l[4] != ' ')) {
        broken_ = "not a BIRD reply line: '" + std::string(l.substr(0, 40)) + "'";
        return;
    }
    const int code = (l[0] - '0') * 1000 + (l[1] - '0') * 100 + (l[2] - '0') * 10 + (l[3] - '0');
    building_.lines.push_back({code, std::string(l.substr(5))});
    if (l[4] == ' ') {
        done_.push_back(std::move(building_));
        building_ = {};
    }
}

std::optional<BirdReply> BirdReplyReader::next() {
    if (taken_ == done_.size()) return std::nullopt;
    BirdReply r = std::move(done_[taken_++]);
    if (taken_ == done_.size()) {
        done_.clear();
        taken_ = 0;
    }
    return r;
}

}  // namespace halbd::announce
