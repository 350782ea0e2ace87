// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/diagnostics.cc: see diagnostics.hh.
#include "config/diagnostics.hh"

namespace halbd::config {

SourceManager::SourceManager() { paths_.push_back("<none>"); }

uint32_t SourceManager::add(std::string path) {
    paths_.push_back(std::move(path));
    return static_cast<uint32_t>(paths_.size() - 1);
}

const std::string& SourceManager::path(uint32_t id) const {
    return id < paths_.size() ? paths_[id] : paths_[0];
}

void Diagnostics::error(Location loc, std::string message) {
    ++errors_;
    if (items_.size() < kMaxRecorded)
        items_.push_back({Severity::Error, loc, std::move(message)});
    else
        ++dropped_;
}

void Diagnostics::warning(Location loc, std::string message) {
    if (items_.size() < kMaxRecorded)
        items_.push_back({Severity::Warning, loc, std::move(message)});
    else
        ++dropped_;
}

void Diagnostics::warning_once(std::string_view key, Location loc, std::string message) {
    auto [it, fresh] = once_.try_emplace(std::string(key), items_.size());
    if (!fresh) {
        if (it->second < items_.size()) ++items_[it->second].repeats;
        return;
    }
    warning(loc, std::move(message));
}

void Diagnostics::note_once(std::string_view key, Location loc, std::string message) {
    auto [it, fresh] = once_.try_emplace(std::string(key), items_.size());
    if (!fresh) {
        if (it->second < items_.size()) ++items_[it->second].repeats;
        return;
    }
    if (items_.size() >= kMaxRecorded) return;
    items_.push_back({Severity::Note, loc, std::move(message)});
    ++notes_;
}

namespace {
std::string_view label(Severity s) {
    switch (s) {
        case Severity::Error: return "error: ";
        case Severity::Note: return "note: ";
        case Severity::Warning: break;
    }
    return "warning: ";
}
}  // namespace

std::string Diagnostics::format(const SourceManager& sources, const Diagnostic& d) const {
    std::string out;
    if (d.loc.file != 0) {
        out = sources.path(d.loc.file);
        out += ':' + std::to_string(d.loc.line) + ':' + std::to_string(d.loc.col) + ": ";
    } else {
        out = "halbd: ";
    }
    out += label(d.severity);
    out += d.message;
    if (d.repeats > 0)
        out += " (and " + std::to_string(d.repeats) + " more use" + (d.repeats == 1 ? "" : "s") + ")";
    return out;
}

std::string Diagnostics::format_for_log(const SourceManager& sources, const Diagnostic& d) const {
    if (d.loc.file != 0) return format(sources, d);
    std::string out = format(sources, d);
    return out.substr(std::string_view("halbd: ").size() + label(d.severity).size());
}

std::string not_implemented(std::string_view subject, std::string_view note) {
    std::string msg = std::string(subject) + " is recognised but not implemented by halbd; ignored";
    if (!note.empty()) msg += " (" + std::string(note) + ")";
    return msg;
}

}  // namespace halbd::config
