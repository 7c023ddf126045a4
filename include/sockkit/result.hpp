// SPDX-License-Identifier: MIT
/// @file
/// A value or an error, without exceptions.
///
///       sockkit::Result<sockkit::TcpStream> s = sockkit::TcpStream::connect(ep);
///       if (!s) { log(s.error().message()); return; }
///       s->write_all(bytes);
///
/// value() / operator* on an error result is a programming error: it prints
/// the error and aborts (there are no exceptions to throw). Check first.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <new>
#include <system_error>
#include <type_traits>
#include <utility>

#include "sockkit/error.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

namespace detail {
[[noreturn]] inline void bad_result_access(const ErrorCode& ec) noexcept {
  std::fprintf(stderr, "sockkit: value() on an error Result: %s (%s)\n", ec.message().c_str(),
               ec.category().name());
  std::abort();
}
}  // namespace detail

/// Holds either a T or a non-zero ErrorCode.
template <class T>
class [[nodiscard]] Result {
 public:
  /// A successful result.
  /// @param value the value held.
  Result(T value) noexcept(std::is_nothrow_move_constructible_v<T>)  // NOLINT: implicit by design
      : ok_(true) {
    new (&value_) T(std::move(value));
  }
  /// A failed result.
  /// @param ec the error; must be non-zero.
  Result(ErrorCode ec) noexcept : ok_(false), error_(ec) {}  // NOLINT: implicit by design
  /// A failed result from one of sockkit's own errors.
  /// @param e the error.
  Result(failure e) noexcept : Result(make_error_code(e)) {}  // NOLINT: implicit by design

  /// Moves the value or copies the error.
  /// @param other the result taken from.
  Result(Result&& other) noexcept(std::is_nothrow_move_constructible_v<T>) : ok_(other.ok_) {
    if (ok_) {
      new (&value_) T(std::move(other.value_));
    } else {
      error_ = other.error_;
    }
  }
  /// Moves the value or copies the error.
  /// @param other the result taken from. @return this result.
  Result& operator=(Result&& other) noexcept(std::is_nothrow_move_constructible_v<T>) {
    if (this != &other) {
      this->~Result();
      new (this) Result(std::move(other));
    }
    return *this;
  }
  /// Copies (when T can be copied).
  /// @param other the result copied.
  Result(const Result& other) requires std::is_copy_constructible_v<T> : ok_(other.ok_) {
    if (ok_) {
      new (&value_) T(other.value_);
    } else {
      error_ = other.error_;
    }
  }
  /// Copies (when T can be copied).
  /// @param other the result copied. @return this result.
  Result& operator=(const Result& other) requires std::is_copy_constructible_v<T> {
    if (this != &other) {
      this->~Result();
      new (this) Result(other);
    }
    return *this;
  }
  ~Result() {
    if (ok_) value_.~T();
  }

  /// @return whether a value is held.
  bool has_value() const noexcept { return ok_; }
  /// @return whether a value is held: `if (auto s = TcpStream::connect(...))`.
  explicit operator bool() const noexcept { return ok_; }

  /// The value; aborts, printing the error, if this holds an error.
  /// @return the value.
  T& value() & noexcept {
    if (!ok_) detail::bad_result_access(error_);
    return value_;
  }
  /// The value; aborts if this holds an error.
  /// @return the value.
  const T& value() const& noexcept {
    if (!ok_) detail::bad_result_access(error_);
    return value_;
  }
  /// The value, to move from; aborts if this holds an error.
  /// @return the value.
  T&& value() && noexcept {
    if (!ok_) detail::bad_result_access(error_);
    return std::move(value_);
  }
  /// The value, like value(); aborts if this holds an error.
  /// @return the value.
  T& operator*() & noexcept { return value(); }
  /// The value, like value(); aborts if this holds an error.
  /// @return the value.
  const T& operator*() const& noexcept { return value(); }
  /// The value to move from, like value(); aborts if this holds an error.
  /// @return the value.
  T&& operator*() && noexcept { return std::move(*this).value(); }
  /// Members of the value; aborts if this holds an error.
  /// @return a pointer to the value.
  T* operator->() noexcept { return &value(); }
  /// Members of the value; aborts if this holds an error.
  /// @return a pointer to the value.
  const T* operator->() const noexcept { return &value(); }

  /// The value, or `fallback` when this holds an error.
  /// @param fallback what to give back instead of an error.
  /// @return a copy of the value, or `fallback`.
  T value_or(T fallback) const& { return ok_ ? value_ : std::move(fallback); }

  /// @return the error; a zero (false) code when a value is held.
  ErrorCode error() const noexcept { return ok_ ? ErrorCode{} : error_; }

 private:
  bool ok_;
  union {
    T value_;
    ErrorCode error_;
  };
};

/// Result of an operation that yields nothing but may fail.
template <>
class [[nodiscard]] Result<void> {
 public:
  /// Success.
  Result() noexcept = default;
  /// A failed result.
  /// @param ec the error; must be non-zero.
  Result(ErrorCode ec) noexcept : error_(ec) {}  // NOLINT: implicit by design
  /// A failed result from one of sockkit's own errors.
  /// @param e the error.
  Result(failure e) noexcept : error_(make_error_code(e)) {}  // NOLINT: implicit by design
  /// @return whether the operation succeeded.
  bool has_value() const noexcept { return !error_; }
  /// @return whether the operation succeeded: `if (auto st = s.set_no_delay(true); !st)`.
  explicit operator bool() const noexcept { return !error_; }
  /// Aborts, printing the error, if this holds one.
  void value() const noexcept {
    if (error_) detail::bad_result_access(error_);
  }
  /// @return the error; zero on success.
  ErrorCode error() const noexcept { return error_; }

 private:
  ErrorCode error_;
};

/// Shorthand for operations that return nothing.
using Status = Result<void>;

}  // namespace sockkit

#pragma GCC visibility pop
