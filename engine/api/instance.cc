// Instance handles: exports by name (through the module's precomputed index)
// and calling exported functions.
#include "engine/runtime/module_impl.h"
#include "engine/runtime/objects.h"
#include "engine/runtime/store_extras.h"
#include "vivarium/instance.h"
#include "vivarium/store.h"

namespace vivarium {

std::optional<Extern> Instance::get_export(std::string_view name) const {
  if (i_ == nullptr) return std::nullopt;
  const auto& index = i_->module->export_index;
  auto it = index.find(name);
  if (it == index.end()) return std::nullopt;
  return i_->exports[it->second].second;
}

namespace {
template <class T>
std::optional<T> export_as(const Instance& inst, std::string_view name) {
  auto e = inst.get_export(name);
  if (!e || !std::holds_alternative<T>(*e)) return std::nullopt;
  return std::get<T>(*e);
}
}  // namespace

std::optional<Function> Instance::func(std::string_view name) const { return export_as<Function>(*this, name); }
std::optional<Memory> Instance::memory(std::string_view name) const { return export_as<Memory>(*this, name); }
std::optional<Table> Instance::table(std::string_view name) const { return export_as<Table>(*this, name); }
std::optional<Global> Instance::global(std::string_view name) const { return export_as<Global>(*this, name); }

std::optional<Memory> Instance::memory(uint32_t index) const {
  if (i_ == nullptr || index >= i_->memories.size()) return std::nullopt;
  return Memory(store_, i_->memories[index]);
}

std::optional<Table> Instance::table(uint32_t index) const {
  if (i_ == nullptr || index >= i_->tables.size()) return std::nullopt;
  return Table(store_, i_->tables[index]);
}

std::vector<std::pair<std::string, Extern>> Instance::exports() const {
  if (i_ == nullptr) return {};
  return i_->exports;
}

Result<std::vector<Value>> Instance::call(std::string_view name, std::span<const Value> args) const {
  auto e = get_export(name);
  if (!e) return Error(ErrorCode::NotFound, "no export named \"" + std::string(name) + "\"");
  if (!std::holds_alternative<Function>(*e)) {
    return Error(ErrorCode::NotFound, "export \"" + std::string(name) + "\" is a " + to_string(kind_of(*e)) +
                                          ", not a function");
  }
  return std::get<Function>(*e).call(args);
}

// Handles are created on demand and cached per store, so instantiation
// itself never pays for them.
const Module& Instance::module() const {
  auto& modules = detail::extras_of(store_->impl()).modules;
  return modules.try_emplace(i_->module.get(), Module(i_->module)).first->second;
}

}  // namespace vivarium
