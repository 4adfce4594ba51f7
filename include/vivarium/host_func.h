// Host functions typed from their C++ signature.
//
//   int32_t add(int32_t, int32_t)                       -> (i32, i32) -> i32
//   Result<uint32_t> fd_write(Caller&, int32_t, ...)    -> a WASI-style function;
//                                                          an Error return traps
//   std::tuple<int64_t, float> two()                    -> () -> (i64, f32)
//
// Parameter types: int32_t/uint32_t (i32), int64_t/uint64_t (i64), float, double,
// V128, FuncRefArg / ExternRefArg (references). An optional first parameter
// `Caller&` gives access to the calling instance and its memory.
#pragma once
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "vivarium/error.h"
#include "vivarium/instance.h"
#include "vivarium/memory_view.h"
#include "vivarium/types.h"

namespace vivarium {

class Store;

// What a host function sees of its caller.
class Caller {
 public:
  Caller(Store& store, detail::InstanceImpl* instance) : store_(store), instance_(instance) {}
  Store& store() const { return store_; }
  // The calling wasm instance; invalid when called directly from the host.
  Instance instance() const { return Instance(&store_, instance_); }
  // The caller's memory 0 (exported or not): WASI and hostcalls use this.
  // Empty view when the caller has no memory.
  MemoryView memory() const;
  // An exported memory of the caller by name.
  std::optional<Memory> exported_memory(std::string_view name) const;

 private:
  Store& store_;
  detail::InstanceImpl* instance_;
};

// RawSlot (vivarium/types.h) is the raw calling convention.
using HostRawFn = std::function<Result<void>(Caller&, const RawSlot* args, RawSlot* results)>;

struct HostFuncDef {
  FuncType type;
  HostRawFn fn;
};

struct FuncRefArg { Ref ref; };
struct ExternRefArg { Ref ref; };

namespace host_detail {

template <class T> struct WasmType;
template <> struct WasmType<int32_t> { static constexpr ValType v = ValType::I32; static constexpr int slots = 1; };
template <> struct WasmType<uint32_t> { static constexpr ValType v = ValType::I32; static constexpr int slots = 1; };
template <> struct WasmType<int64_t> { static constexpr ValType v = ValType::I64; static constexpr int slots = 1; };
template <> struct WasmType<uint64_t> { static constexpr ValType v = ValType::I64; static constexpr int slots = 1; };
template <> struct WasmType<float> { static constexpr ValType v = ValType::F32; static constexpr int slots = 1; };
template <> struct WasmType<double> { static constexpr ValType v = ValType::F64; static constexpr int slots = 1; };
template <> struct WasmType<V128> { static constexpr ValType v = ValType::V128; static constexpr int slots = 2; };
template <> struct WasmType<FuncRefArg> { static constexpr ValType v = ValType::FuncRef; static constexpr int slots = 1; };
template <> struct WasmType<ExternRefArg> { static constexpr ValType v = ValType::ExternRef; static constexpr int slots = 1; };

template <class T>
T read_slot(const RawSlot* s) {
  if constexpr (std::is_same_v<T, V128>) {
    V128 v; std::memcpy(v.bytes, s, 16); return v;
  } else if constexpr (std::is_same_v<T, FuncRefArg> || std::is_same_v<T, ExternRefArg>) {
    return T{Ref{reinterpret_cast<void*>(static_cast<uintptr_t>(*s))}};
  } else {
    T v; std::memcpy(&v, s, sizeof(T)); return v;
  }
}
template <class T>
void write_slot(RawSlot* s, const T& v) {
  if constexpr (std::is_same_v<T, V128>) {
    std::memcpy(s, v.bytes, 16);
  } else if constexpr (std::is_same_v<T, FuncRefArg> || std::is_same_v<T, ExternRefArg>) {
    *s = static_cast<RawSlot>(reinterpret_cast<uintptr_t>(v.ref.ptr));
  } else {
    *s = 0; std::memcpy(s, &v, sizeof(T));
  }
}

template <class T> struct IsResult : std::false_type {};
template <class T> struct IsResult<Result<T>> : std::true_type { using inner = T; };
template <class T> struct IsTuple : std::false_type {};
template <class... Ts> struct IsTuple<std::tuple<Ts...>> : std::true_type {};

template <class R> struct Results { static void types(std::vector<ValType>& out) { out.push_back(WasmType<R>::v); } };
template <> struct Results<void> { static void types(std::vector<ValType>&) {} };
template <class... Ts> struct Results<std::tuple<Ts...>> {
  static void types(std::vector<ValType>& out) { (out.push_back(WasmType<Ts>::v), ...); }
};

template <class R>
void store_results(RawSlot* out, R&& r) {
  using D = std::decay_t<R>;
  if constexpr (IsTuple<D>::value) {
    int i = 0;
    std::apply([&](auto&&... xs) { ((write_slot(out + i, xs), i += WasmType<std::decay_t<decltype(xs)>>::slots), ...); }, r);
  } else {
    write_slot(out, r);
  }
}

template <class T> struct Unwrap { using type = T; };
template <class T> struct Unwrap<Result<T>> { using type = T; };

template <class F> struct CallableSig : CallableSig<decltype(&F::operator())> {};
template <class C, class R, class... A> struct CallableSig<R (C::*)(A...) const> { using type = R(A...); };
template <class C, class R, class... A> struct CallableSig<R (C::*)(A...)> { using type = R(A...); };
template <class R, class... A> struct CallableSig<R (*)(A...)> { using type = R(A...); };
template <class R, class... A> struct CallableSig<R(A...)> { using type = R(A...); };

// Reads the wasm arguments P... from raw slots (left to right) and calls f,
// passing the Caller first when WithCaller.
template <bool WithCaller, class R, class... P>
struct Binder {
  template <class F>
  static HostFuncDef make(F f) {
    HostFuncDef def;
    (def.type.params.push_back(WasmType<std::decay_t<P>>::v), ...);
    Results<typename Unwrap<R>::type>::types(def.type.results);
    def.fn = [f = std::move(f)](Caller& caller, const RawSlot* args, RawSlot* results) mutable -> Result<void> {
      const RawSlot* s = args;
      auto next = [&s]<class T>(std::type_identity<T>) {
        T v = read_slot<T>(s);
        s += WasmType<T>::slots;
        return v;
      };
      (void)next;
      // Braced initialization evaluates left to right.
      std::tuple<std::decay_t<P>...> vals{next(std::type_identity<std::decay_t<P>>{})...};
      auto call = [&]() -> R {
        if constexpr (WithCaller) {
          return std::apply([&](auto&... xs) -> R { return f(caller, xs...); }, vals);
        } else {
          return std::apply([&](auto&... xs) -> R { return f(xs...); }, vals);
        }
      };
      if constexpr (std::is_void_v<R>) {
        call();
        return {};
      } else if constexpr (IsResult<R>::value) {
        R r = call();
        if (!r.ok()) return std::move(r).error();
        if constexpr (!std::is_void_v<typename Unwrap<R>::type>) store_results(results, std::move(r).value());
        return {};
      } else {
        store_results(results, call());
        return {};
      }
    };
    return def;
  }
};

template <class Sig> struct Select;
template <class R, class... P> struct Select<R(Caller&, P...)> { using type = Binder<true, R, P...>; };
template <class R, class... P> struct Select<R(P...)> { using type = Binder<false, R, P...>; };

}  // namespace host_detail

// Build a HostFuncDef from any callable (lambda, function pointer, functor).
template <class F>
HostFuncDef host_func(F&& f) {
  using D = std::decay_t<F>;
  using Sig = typename host_detail::CallableSig<D>::type;
  return host_detail::Select<Sig>::type::make(D(std::forward<F>(f)));
}

}  // namespace vivarium
