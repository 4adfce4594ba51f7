// ErrnoOr<T>: a value or the WASI errno explaining why there is none. Inside
// the WASI layer failures are guest-visible errno values, not vivarium::Error
// (those are reserved for traps such as proc_exit or a deadline).
#pragma once
#include <utility>
#include <variant>

#include "host/wasi/abi_types.h"

namespace vivarium::wasi {

template <class T>
class [[nodiscard]] ErrnoOr {
 public:
  ErrnoOr(T v) : v_(std::in_place_index<0>, std::move(v)) {}
  ErrnoOr(Errno e) : v_(std::in_place_index<1>, e) {}
  bool ok() const { return v_.index() == 0; }
  Errno error() const { return ok() ? Errno::Success : std::get<1>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  T operator*() && { return std::move(value()); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, Errno> v_;
};

}  // namespace vivarium::wasi

// Return the errno of a failed ErrnoOr / Errno expression from a function
// returning Errno (or ErrnoOr<U>).
#define WASI_TRY_ERRNO(expr)                                  \
  do {                                                        \
    ::vivarium::wasi::Errno wasi_e_ = (expr);                 \
    if (wasi_e_ != ::vivarium::wasi::Errno::Success) return wasi_e_; \
  } while (0)
#define WASI_TRY_ASSIGN(lhs, expr) WASI_TRY_ASSIGN_(VIV_WASI_CAT(wasi_t_, __LINE__), lhs, expr)
#define VIV_WASI_CAT_(a, b) a##b
#define VIV_WASI_CAT(a, b) VIV_WASI_CAT_(a, b)
#define WASI_TRY_ASSIGN_(tmp, lhs, expr)   \
  auto tmp = (expr);                       \
  if (!tmp.ok()) return tmp.error();       \
  lhs = std::move(tmp).value()
// In an ABI function returning the raw u32 errno.
#define WASI_TRY_ERRNO_RET(expr)                                            \
  do {                                                                      \
    ::vivarium::wasi::Errno wasi_e_ = (expr);                               \
    if (wasi_e_ != ::vivarium::wasi::Errno::Success) return ::vivarium::wasi::ret(wasi_e_); \
  } while (0)
#define WASI_TRY_ASSIGN_RET(lhs, expr) WASI_TRY_ASSIGN_RET_(VIV_WASI_CAT(wasi_r_, __LINE__), lhs, expr)
#define WASI_TRY_ASSIGN_RET_(tmp, lhs, expr)                   \
  auto tmp = (expr);                                           \
  if (!tmp.ok()) return ::vivarium::wasi::ret(tmp.error());    \
  lhs = std::move(tmp).value()
