// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/subscribers.hh: SubscriberList, how one object's events reach the
// others that follow it (VRRP state events, trackers, sync groups). A
// Subscription is an owned handle: destroying it unsubscribes (DESIGN
// principle 5), and it may outlive the list safely.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <utility>
#include <vector>

namespace halbd::core {

class Subscription {
public:
    Subscription() = default;
    explicit Subscription(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
    Subscription(Subscription&& o) noexcept : cancel_(std::exchange(o.cancel_, nullptr)) {}
    Subscription& operator=(Subscription&& o) noexcept {
        if (this != &o) {
            reset();
            cancel_ = std::exchange(o.cancel_, nullptr);
        }
        return *this;
    }
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    ~Subscription() { reset(); }

    void reset() {
        if (auto c = std::exchange(cancel_, nullptr)) c();
    }
    bool active() const { return static_cast<bool>(cancel_); }

private:
    std::function<void()> cancel_;
};

// Callbacks run in subscription order. A callback may subscribe, unsubscribe
// (itself or others) or trigger further notifications; one removed during a
// notification is not called afterwards.
template <class... Args>
class SubscriberList {
public:
    using Callback = std::function<void(Args...)>;

    [[nodiscard]] Subscription add(Callback cb) {
        const uint64_t id = table_->next++;
        table_->callbacks.emplace(id, std::move(cb));
        std::weak_ptr<Table> weak = table_;
        return Subscription([weak, id] {
            if (auto t = weak.lock()) t->callbacks.erase(id);
        });
    }

    void notify(Args... args) {
        auto table = table_;  // stays valid even if a callback destroys our owner
        std::vector<uint64_t> ids;
        ids.reserve(table->callbacks.size());
        for (const auto& entry : table->callbacks) ids.push_back(entry.first);
        for (uint64_t id : ids) {
            auto it = table->callbacks.find(id);
            if (it == table->callbacks.end()) continue;
            Callback cb = it->second;  // a copy: the callback may unsubscribe itself
            cb(args...);
        }
    }

    size_t size() const { return table_->callbacks.size(); }

private:
    struct Table {
        std::map<uint64_t, Callback> callbacks;
        uint64_t next = 1;
    };
    std::shared_ptr<Table> table_ = std::make_shared<Table>();
};

}  // namespace halbd::core
