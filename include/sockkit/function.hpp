// SPDX-License-Identifier: MIT
/// @file
/// sockkit::Function: the callable every sockkit function that takes a
/// callback stores.
///
/// It is std::function without what a device pays for and sockkit never
/// uses: no target() or target_type() (no RTTI), no exception when an empty
/// one is called (a precondition, as dereferencing a null pointer is). A
/// callable of up to two pointers that moves without throwing is kept inline
/// and never allocates; one that is also trivially copyable — a lambda that
/// captures `this` and an id — costs one small function per lambda and
/// nothing else, where std::function adds a manager function for each.
///
/// Anything std::function<R(Args...)> accepts converts to it, a
/// std::function included (an empty one gives an empty Function).
///
/// @code
/// sockkit::Function<void(int)> on_level = [this](int level) { show(level); };
/// if (on_level) on_level(3);
/// loop.post([&] { done = true; });  // every callback parameter takes a lambda
/// @endcode
#pragma once

#include <cstddef>
#include <functional>
#include <new>
#include <type_traits>
#include <utility>

namespace sockkit {

template <class Signature>
class Function;

/// @cond internal
namespace detail {
template <class T>
struct IsNullable : std::false_type {};
template <class S>
struct IsNullable<std::function<S>> : std::true_type {};
template <class S>
struct IsNullable<Function<S>> : std::true_type {};
// A concept, not a bool: its parts are checked one after another, so a
// Function being copied never asks whether Function is copyable (a cycle).
template <class F, class Self, class R, class... Args>
concept StorableAs =
    !std::is_same_v<std::decay_t<F>, Self> && std::is_copy_constructible_v<std::decay_t<F>> &&
    std::is_invocable_r_v<R, std::decay_t<F>&, Args...>;
}  // namespace detail
/// @endcond

/// A copyable, type-erased callable with the signature R(Args...).
template <class R, class... Args>
class Function<R(Args...)> {
 public:
  /// An empty Function: `bool(f)` is false.
  Function() noexcept = default;
  /// An empty Function (from `nullptr`, as std::function).
  Function(std::nullptr_t) noexcept {}  // NOLINT(google-explicit-constructor): as std::function

  /// Holds a copy of `f` (moved in when it is an rvalue). A null function
  /// pointer or an empty std::function gives an empty Function.
  /// @param f the callable: a lambda, a function pointer, a std::function.
  /// @code
  /// sockkit::Function<bool()> done = [&] { return count == 3; };
  /// @endcode
  template <class F>
  requires detail::StorableAs<F, Function, R, Args...> Function(
      F&& f) {  // NOLINT(google-explicit-constructor): as std::function
    using D = std::decay_t<F>;
    if constexpr ((std::is_pointer_v<D> ||
                   std::is_member_pointer_v<D>)&&!std::is_function_v<std::remove_reference_t<F>>) {
      if (f == nullptr) return;
    } else if constexpr (detail::IsNullable<D>::value) {
      if (!f) return;
    }
    if constexpr (kInline<D>) {
      ::new (static_cast<void*>(storage_.bytes)) D(std::forward<F>(f));
    } else {
      storage_.heap = new D(std::forward<F>(f));
    }
    invoke_ = &call<D>;
    if constexpr (!kTrivial<D>) manage_ = &manage<D>;
  }

  /// A copy of what `other` holds.
  /// @param other the Function copied.
  Function(const Function& other) { copy_from(other); }
  /// Takes what `other` holds; `other` is left empty.
  /// @param other the Function taken from.
  Function(Function&& other) noexcept { move_from(other); }
  /// Destroys what it holds.
  ~Function() { reset(); }

  /// Holds a copy of what `other` holds.
  /// @param other the Function copied. @return this Function.
  Function& operator=(const Function& other) {
    if (this != &other) {
      Function copy(other);
      reset();
      move_from(copy);
    }
    return *this;
  }
  /// Takes what `other` holds; `other` is left empty.
  /// @param other the Function taken from. @return this Function.
  Function& operator=(Function&& other) noexcept {
    if (this != &other) {
      reset();
      move_from(other);
    }
    return *this;
  }
  /// Becomes empty.
  /// @return this Function.
  Function& operator=(std::nullptr_t) noexcept {
    reset();
    return *this;
  }
  /// Holds `f` instead.
  /// @param f the callable. @return this Function.
  template <class F>
  requires detail::StorableAs<F, Function, R, Args...> Function& operator=(F&& f) {
    Function next(std::forward<F>(f));
    reset();
    move_from(next);
    return *this;
  }

  /// Whether it holds a callable.
  /// @return true unless empty.
  explicit operator bool() const noexcept { return invoke_ != nullptr; }

  /// Calls what it holds, which must not be empty.
  /// @param args passed on to the callable. @return what the callable returns.
  R operator()(Args... args) const { return invoke_(storage_, std::forward<Args>(args)...); }

 private:
  // Two pointers, aligned for a 64-bit capture on a 32-bit device too (8, not
  // max_align_t's 16 on x86-64, which would pad the structures holding one).
  union Storage {
    void* heap;
    alignas(8) unsigned char bytes[2 * sizeof(void*)];
  };
  enum class Op { copy, move, destroy };
  using Invoke = R (*)(Storage&, Args&&...);
  using Manage = void (*)(Op, Storage& self, Storage* other);

  template <class D>
  static constexpr bool kInline =
      sizeof(D) <= sizeof(Storage) &&
      alignof(Storage) % alignof(D) == 0 && std::is_nothrow_move_constructible_v<D>;
  // Copied and moved as bytes, destroyed by doing nothing: no manager at all.
  template <class D>
  static constexpr bool kTrivial = kInline<D>&& std::is_trivially_copyable_v<D>;

  template <class D>
  static D& held(Storage& s) noexcept {
    if constexpr (kInline<D>) {
      return *std::launder(reinterpret_cast<D*>(s.bytes));
    } else {
      return *static_cast<D*>(s.heap);
    }
  }
  template <class D>
  static R call(Storage& s, Args&&... args) {
    return std::invoke(held<D>(s), std::forward<Args>(args)...);
  }
  template <class D>
  static void manage(Op op, Storage& self, Storage* other) {
    if constexpr (kInline<D>) {
      switch (op) {
        case Op::copy:
          ::new (static_cast<void*>(self.bytes)) D(held<D>(*other));
          break;
        case Op::move:
          ::new (static_cast<void*>(self.bytes)) D(std::move(held<D>(*other)));
          held<D>(*other).~D();
          break;
        case Op::destroy:
          held<D>(self).~D();
          break;
      }
    } else {
      switch (op) {
        case Op::copy:
          self.heap = new D(held<D>(*other));
          break;
        case Op::move:
          self.heap = other->heap;
          break;
        case Op::destroy:
          delete static_cast<D*>(self.heap);
          break;
      }
    }
  }

  void reset() noexcept {
    if (manage_ != nullptr) manage_(Op::destroy, storage_, nullptr);
    invoke_ = nullptr;
    manage_ = nullptr;
  }
  // Copies or moves what `other` holds into this empty one.
  void take(const Function& other, Op op) {
    if (other.manage_ != nullptr) {
      other.manage_(op, storage_, &other.storage_);
    } else {
      storage_ = other.storage_;
    }
    invoke_ = other.invoke_;
    manage_ = other.manage_;
  }
  void move_from(Function& other) noexcept {
    take(other, Op::move);
    other.invoke_ = nullptr;
    other.manage_ = nullptr;
  }
  void copy_from(const Function& other) { take(other, Op::copy); }

  // Mutable: a const Function calls a mutable lambda, as std::function does.
  mutable Storage storage_{};
  Invoke invoke_ = nullptr;
  Manage manage_ = nullptr;
};

}  // namespace sockkit
