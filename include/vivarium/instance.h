// Handles to things that live in a Store: functions, memories, tables,
// globals and instances. A handle is two pointers; it is valid as long as its
// Store lives and must only be used with that Store. A default-constructed
// handle is empty (valid() is false): its methods return a Usage error or an
// empty value, never touch memory.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vivarium/error.h"
#include "vivarium/memory_view.h"
#include "vivarium/module.h"
#include "vivarium/types.h"

namespace vivarium {

class Store;
namespace detail {
struct FuncInst;
struct MemoryInst;
struct TableInst;
struct GlobalInst;
struct InstanceImpl;
}  // namespace detail

class Function {
 public:
  Function() = default;
  Function(Store* s, detail::FuncInst* f) : store_(s), f_(f) {}
  const FuncType& type() const;
  // Checks argument count and types, runs the function, returns its results.
  // A trap comes back as an Error (phase Trap or Exhaustion) with a backtrace.
  Result<std::vector<Value>> call(std::span<const Value> args) const;
  Ref as_ref() const { return Ref{f_}; }
  // A funcref value (e.g. read from a table) as a Function of this store.
  static std::optional<Function> from_ref(Store& s, Ref r);
  detail::FuncInst* raw() const { return f_; }
  Store* store() const { return store_; }
  bool valid() const { return f_ != nullptr; }

 private:
  Store* store_ = nullptr;
  detail::FuncInst* f_ = nullptr;
};

class Memory {
 public:
  Memory() = default;
  Memory(Store* s, detail::MemoryInst* m) : store_(s), m_(m) {}
  MemoryType type() const;
  uint32_t pages() const;
  MemoryView view() const;  // valid until the memory grows
  // Returns the previous size in pages, or an error (LimitExceeded) when it cannot grow.
  Result<uint32_t> grow(uint32_t delta_pages) const;
  detail::MemoryInst* raw() const { return m_; }
  bool valid() const { return m_ != nullptr; }
  Store* store() const { return store_; }

 private:
  Store* store_ = nullptr;
  detail::MemoryInst* m_ = nullptr;
};

class Table {
 public:
  Table() = default;
  Table(Store* s, detail::TableInst* t) : store_(s), t_(t) {}
  TableType type() const;
  uint32_t size() const;
  Result<Value> get(uint32_t index) const;
  Result<void> set(uint32_t index, const Value& v) const;
  Result<uint32_t> grow(uint32_t delta, const Value& init) const;
  detail::TableInst* raw() const { return t_; }
  bool valid() const { return t_ != nullptr; }
  Store* store() const { return store_; }

 private:
  Store* store_ = nullptr;
  detail::TableInst* t_ = nullptr;
};

class Global {
 public:
  Global() = default;
  Global(Store* s, detail::GlobalInst* g) : store_(s), g_(g) {}
  GlobalType type() const;
  Value get() const;
  Result<void> set(const Value& v) const;  // error if immutable or wrong type
  detail::GlobalInst* raw() const { return g_; }
  bool valid() const { return g_ != nullptr; }
  Store* store() const { return store_; }

 private:
  Store* store_ = nullptr;
  detail::GlobalInst* g_ = nullptr;
};

using Extern = std::variant<Function, Table, Memory, Global>;
ExternKind kind_of(const Extern& e);

// Create standalone host-side objects in a store (e.g. the spectest module's
// memory and table, or a memory shared by several instances).
Result<Memory> new_memory(Store& s, const MemoryType& t);
Result<Table> new_table(Store& s, const TableType& t, const Value& init);
Result<Global> new_global(Store& s, const GlobalType& t, const Value& v);

class Instance {
 public:
  Instance() = default;
  Instance(Store* s, detail::InstanceImpl* i) : store_(s), i_(i) {}

  std::optional<Extern> get_export(std::string_view name) const;
  std::optional<Function> func(std::string_view name) const;
  std::optional<Memory> memory(std::string_view name) const;
  std::optional<Table> table(std::string_view name) const;
  std::optional<Global> global(std::string_view name) const;
  // A memory or table by its index in the module's index space (imports
  // first), exported or not: an embedder reaches memory 0 and table 0 of a
  // guest that exports neither (the Terrarium ABI needs both).
  std::optional<Memory> memory(uint32_t index) const;
  std::optional<Table> table(uint32_t index) const;
  // All exports in definition order.
  std::vector<std::pair<std::string, Extern>> exports() const;
  // Shorthand: look up an exported function and call it (NotFound if absent).
  Result<std::vector<Value>> call(std::string_view name, std::span<const Value> args) const;
  const Module& module() const;

  detail::InstanceImpl* raw() const { return i_; }
  Store* store() const { return store_; }
  bool valid() const { return i_ != nullptr; }

 private:
  Store* store_ = nullptr;
  detail::InstanceImpl* i_ = nullptr;
};

}  // namespace vivarium
