// TypeRegistry (engine/runtime/type_registry.h) and the per-engine id tables
// of a module's types.
#include "engine/runtime/type_registry.h"

#include "engine/runtime/module_impl.h"

namespace vivarium::detail {

size_t TypeRegistry::Hash::operator()(const FuncType& t) const {
  size_t h = t.params.size() * 31 + t.results.size();
  for (ValType v : t.params) h = h * 131 + static_cast<size_t>(v);
  h = h * 7 + 1;
  for (ValType v : t.results) h = h * 131 + static_cast<size_t>(v);
  return h;
}

uint32_t TypeRegistry::intern(const FuncType& t) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = ids_.try_emplace(t, static_cast<uint32_t>(ids_.size()));
  return it->second;
}

size_t TypeRegistry::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ids_.size();
}

std::shared_ptr<const std::vector<uint32_t>> ModuleImpl::type_ids_in(const std::shared_ptr<TypeRegistry>& reg) const {
  std::lock_guard<std::mutex> lock(type_ids_mu);
  for (const auto& [weak, ids] : type_ids_by_engine) {
    if (weak.lock() == reg) return ids;
  }
  // A registry that died may have left its address to `reg`: drop dead entries first.
  std::erase_if(type_ids_by_engine, [](const auto& e) { return e.first.expired(); });
  auto ids = std::make_shared<std::vector<uint32_t>>();
  ids->reserve(ir->types.size());
  for (const FuncType& t : ir->types) ids->push_back(reg->intern(t));
  type_ids_by_engine.emplace_back(reg, ids);
  return ids;
}

}  // namespace vivarium::detail
