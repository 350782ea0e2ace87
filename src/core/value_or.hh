// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/value_or.hh: ValueOr<T, E>, a value or a small typed reason why there
// is none. Used by the pure codecs whose failures are an enum, not an errno
// (vrrp::DropOr for a dropped packet, sync::ftfw::WireOr for a bad message).
#pragma once

#include <utility>
#include <variant>

namespace halbd::core {

template <class T, class E>
class [[nodiscard]] ValueOr {
public:
    ValueOr(T value) : v_(std::move(value)) {}
    ValueOr(E error) : v_(error) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(v_); }
    const T& value() const { return std::get<0>(v_); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    E error() const { return std::get<1>(v_); }

private:
    std::variant<T, E> v_;
};

}  // namespace halbd::core
