// Function handles: typed calls from the host into wasm (or host) functions.
#include <array>
#include <string>

#include "engine/api/ref_check.h"
#include "engine/api/value_slots.h"
#include "engine/runtime/call.h"
#include "engine/runtime/objects.h"
#include "vivarium/instance.h"
#include "vivarium/store.h"

namespace vivarium {
namespace {

std::string type_list(const std::vector<ValType>& ts) {
  std::string s = "(";
  for (size_t i = 0; i < ts.size(); ++i) s += (i ? ", " : "") + std::string(to_string(ts[i]));
  return s + ")";
}

// Signature checks happen here, once, so the interpreter can trust slot layouts.
Result<void> check_args(const FuncType& t, std::span<const Value> args) {
  if (args.size() != t.params.size()) {
    return Error(ErrorCode::Usage, "expected " + std::to_string(t.params.size()) + " argument" +
                                       (t.params.size() == 1 ? "" : "s") + " " + type_list(t.params) + ", got " +
                                       std::to_string(args.size()));
  }
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].type() != t.params[i]) {
      return Error(ErrorCode::Usage, "argument " + std::to_string(i + 1) + ": expected " + to_string(t.params[i]) +
                                         ", got " + to_string(args[i].type()));
    }
  }
  return {};
}

uint32_t slot_count(const std::vector<ValType>& ts) {
  uint32_t n = 0;
  for (ValType t : ts) n += detail::slots_of(t);
  return n;
}

}  // namespace

const FuncType& Function::type() const {
  static const FuncType kNone;  // an empty handle has no type: () -> ()
  return f_ ? *f_->type : kNone;
}

Result<std::vector<Value>> Function::call(std::span<const Value> args) const {
  if (f_ == nullptr || store_ == nullptr) return Error(ErrorCode::Usage, "call of an empty Function handle");
  const FuncType& t = *f_->type;
  VIV_TRY(check_args(t, args));
  for (size_t i = 0; i < args.size(); ++i) {
    VIV_TRY(detail::check_ref_store(*store_, args[i], "argument " + std::to_string(i + 1)));
  }

  // Small signatures (nearly all) use the stack; no allocation per call.
  constexpr uint32_t kInline = 16;
  uint32_t nargs = slot_count(t.params), nres = slot_count(t.results);
  std::array<RawSlot, kInline> arg_buf{}, res_buf{};
  std::vector<RawSlot> arg_heap, res_heap;
  RawSlot* a = arg_buf.data();
  RawSlot* r = res_buf.data();
  if (nargs > kInline) {
    arg_heap.resize(nargs);
    a = arg_heap.data();
  }
  if (nres > kInline) {
    res_heap.resize(nres);
    r = res_heap.data();
  }
  for (size_t i = 0, s = 0; i < args.size(); s += detail::slots_of(t.params[i]), ++i) detail::to_slots(args[i], a + s);

  VIV_TRY(detail::call_function(store_->impl(), *f_, a, r));

  std::vector<Value> out;
  out.reserve(t.results.size());
  for (size_t i = 0, s = 0; i < t.results.size(); s += detail::slots_of(t.results[i]), ++i) {
    out.push_back(detail::from_slots(t.results[i], r + s));
  }
  return out;
}

std::optional<Function> Function::from_ref(Store& s, Ref r) {
  if (r.is_null()) return std::nullopt;
  auto* f = static_cast<detail::FuncInst*>(r.ptr);
  if (!detail::store_owns(s.impl(), f)) return std::nullopt;  // another store's function
  return Function(&s, f);
}

}  // namespace vivarium
