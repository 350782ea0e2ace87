// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// core/result.hh: Error and Result<T>, the value returned by core calls that
// can fail at a system boundary (spawn, pid file, daemonize). Errors are
// values (DESIGN principle 10): an errno plus a sentence naming the object.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace halbd::core {

struct Error {
    int code = 0;         // errno, or 0 when the failure is not a system error
    std::string message;  // "open /run/halbd.pid: Permission denied"
};

// Builds an Error from errno (or the given code): "what: strerror(code)".
Error system_error(std::string what, int code);
Error system_error(std::string what);  // uses the current errno

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error error) : v_(std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(v_); }
    const T& value() const { return std::get<0>(v_); }
    T& operator*() { return value(); }
    T* operator->() { return &value(); }
    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

// For calls that return nothing on success.
struct Ok {};
using Status = Result<Ok>;

}  // namespace halbd::core
