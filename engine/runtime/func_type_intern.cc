// Process-wide function type interning: call_indirect compares one integer,
// and types that are structurally equal get the same id in every module
// (spec 4.4.7: the dynamic check is structural). Called at compile time and
// when a host function is defined, never on hot paths, so a mutex suffices.
#include <mutex>
#include <unordered_map>

#include "engine/runtime/objects.h"

namespace vivarium::detail {
namespace {

struct FuncTypeHash {
  size_t operator()(const FuncType& t) const {
    size_t h = t.params.size() * 31 + t.results.size();
    for (ValType v : t.params) h = h * 131 + static_cast<size_t>(v);
    h = h * 7 + 1;
    for (ValType v : t.results) h = h * 131 + static_cast<size_t>(v);
    return h;
  }
};

}  // namespace

uint32_t intern_func_type(const FuncType& t) {
  static std::mutex mu;
  // Leaked on purpose: ids must outlive every static Module destroyed at exit.
  static auto* ids = new std::unordered_map<FuncType, uint32_t, FuncTypeHash>();
  std::lock_guard<std::mutex> lock(mu);
  auto [it, inserted] = ids->try_emplace(t, static_cast<uint32_t>(ids->size()));
  return it->second;
}

}  // namespace vivarium::detail
