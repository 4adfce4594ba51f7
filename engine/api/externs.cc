// Memory, Table and Global handles, and creating them from the host.
#include <string>

#include "engine/api/ref_check.h"
#include "engine/api/value_slots.h"
#include "engine/memory/linear_memory.h"
#include "engine/runtime/objects.h"
#include "engine/runtime/resource_limiter.h"
#include "vivarium/instance.h"
#include "vivarium/store.h"

namespace vivarium {
namespace {

Error table_oob() { return Error(ErrorCode::TableOutOfBounds, "out of bounds table access"); }

// Handles are two pointers; a default-constructed one refers to nothing.
// Every method answers it with an error or an empty value instead of a crash.
Error empty_handle(const char* what) { return Error(ErrorCode::Usage, std::string("use of an empty ") + what + " handle"); }

Result<void> check_ref_type(ValType want, const Value& v, const char* what) {
  if (v.type() == want) return {};
  return Error(ErrorCode::Usage, std::string(what) + ": expected " + to_string(want) + ", got " + to_string(v.type()));
}

}  // namespace

ExternKind kind_of(const Extern& e) { return static_cast<ExternKind>(e.index()); }

// ---- Memory -----------------------------------------------------------------

MemoryType Memory::type() const {
  if (m_ == nullptr) return {};
  MemoryType t = m_->type;
  t.limits.min = m_->pages;  // an instance's type reflects its current size
  return t;
}
uint32_t Memory::pages() const { return m_ ? m_->pages : 0; }
MemoryView Memory::view() const { return m_ ? MemoryView(m_->base, m_->size) : MemoryView(); }

Result<uint32_t> Memory::grow(uint32_t delta_pages) const {
  if (m_ == nullptr) return empty_handle("Memory");
  int64_t old = m_->grow(delta_pages);
  if (old >= 0) return static_cast<uint32_t>(old);
  const uint64_t pages_after = uint64_t{m_->pages} + delta_pages;
  if (pages_after <= m_->max_pages && m_->budget != nullptr &&
      !m_->budget->fits((pages_after - m_->pages) * detail::kWasmPageSize)) {
    return Error(ErrorCode::LimitExceeded, "memory cannot grow from " + std::to_string(m_->pages) + " by " +
                                               std::to_string(delta_pages) + " pages: the store's memories and tables"
                                               " would pass StoreLimits::max_total_bytes (" +
                                               std::to_string(m_->budget->limit()) + " bytes)");
  }
  bool by_type = m_->type.limits.has_max && m_->type.limits.max == m_->max_pages;
  return Error(ErrorCode::LimitExceeded, "memory cannot grow from " + std::to_string(m_->pages) + " by " +
                                             std::to_string(delta_pages) + " pages: the maximum is " +
                                             std::to_string(m_->max_pages) + " pages (" +
                                             (by_type ? "memory type" : "StoreLimits::max_memory_pages") + ")");
}

// ---- Table ------------------------------------------------------------------

TableType Table::type() const {
  if (t_ == nullptr) return {};
  TableType t = t_->type;
  t.limits.min = static_cast<uint32_t>(t_->elems.size());
  return t;
}
uint32_t Table::size() const { return t_ ? static_cast<uint32_t>(t_->elems.size()) : 0; }

Result<Value> Table::get(uint32_t index) const {
  if (t_ == nullptr) return empty_handle("Table");
  if (index >= t_->elems.size()) return table_oob();
  // Table elements are references; build the Value directly (the generic slot
  // decoder would read a v128's two slots, which g++ flags on one slot).
  const Ref r{t_->elems[index]};
  return t_->type.elem == ValType::ExternRef ? Value::externref(r) : Value::funcref(r);
}

Result<void> Table::set(uint32_t index, const Value& v) const {
  if (t_ == nullptr || store_ == nullptr) return empty_handle("Table");
  VIV_TRY(check_ref_type(t_->type.elem, v, "table element"));
  VIV_TRY(detail::check_ref_store(*store_, v, "table element"));
  if (index >= t_->elems.size()) return table_oob();
  t_->elems[index] = detail::ref_ptr(v);
  return {};
}

Result<uint32_t> Table::grow(uint32_t delta, const Value& init) const {
  if (t_ == nullptr || store_ == nullptr) return empty_handle("Table");
  VIV_TRY(check_ref_type(t_->type.elem, init, "table grow value"));
  VIV_TRY(detail::check_ref_store(*store_, init, "table grow value"));
  int64_t old = t_->grow(delta, detail::ref_ptr(init));
  if (old >= 0) return static_cast<uint32_t>(old);
  return Error(ErrorCode::LimitExceeded, "table cannot grow from " + std::to_string(t_->elems.size()) + " by " +
                                             std::to_string(delta) + " elements: the maximum is " +
                                             std::to_string(t_->max_elems) +
                                             " (table type or StoreLimits::max_table_elements)");
}

// ---- Global -----------------------------------------------------------------

GlobalType Global::type() const { return g_ ? g_->type : GlobalType{}; }
Value Global::get() const { return g_ ? detail::from_slots(g_->type.type, g_->slots) : Value(); }

Result<void> Global::set(const Value& v) const {
  if (g_ == nullptr || store_ == nullptr) return empty_handle("Global");
  if (!g_->type.mut) return Error(ErrorCode::Usage, "global is immutable");
  if (v.type() != g_->type.type) {
    return Error(ErrorCode::Usage, std::string("global value: expected ") + to_string(g_->type.type) + ", got " +
                                       to_string(v.type()));
  }
  VIV_TRY(detail::check_ref_store(*store_, v, "global value"));
  detail::to_slots(v, g_->slots);
  return {};
}

// ---- host-created objects -----------------------------------------------------

Result<Memory> new_memory(Store& s, const MemoryType& t) {
  const Limits& l = t.limits;
  if (l.min > detail::kMaxWasmPages || (l.has_max && (l.max > detail::kMaxWasmPages || l.max < l.min))) {
    return Error(ErrorCode::Usage, "invalid memory type {min " + std::to_string(l.min) +
                                       (l.has_max ? ", max " + std::to_string(l.max) : std::string()) + "}");
  }
  detail::StoreImpl& st = s.impl();
  const uint64_t bytes = uint64_t{l.min} * detail::kWasmPageSize;
  VIV_TRY(detail::admit(st, {.memories = 1, .tables = 0, .bytes = bytes, .memory_pages = l.min, .table_elements = 0}));
  VIV_TRY_ASSIGN(auto mem, detail::create_memory(t, st.limits.max_memory_pages, &st.allocator->memory_pages()));
  mem->budget = &st.budget;
  st.budget.take(bytes);
  detail::MemoryInst* raw = mem.get();
  st.memories.push_back(std::move(mem));
  return Memory(&s, raw);
}

Result<Table> new_table(Store& s, const TableType& t, const Value& init) {
  if (!is_ref(t.elem)) return Error(ErrorCode::Usage, "table element type must be a reference type");
  VIV_TRY(check_ref_type(t.elem, init, "table init value"));
  VIV_TRY(detail::check_ref_store(s, init, "table init value"));
  const Limits& l = t.limits;
  if (l.has_max && l.max < l.min) {
    return Error(ErrorCode::Usage, "invalid table type: min " + std::to_string(l.min) + " > max " + std::to_string(l.max));
  }
  detail::StoreImpl& st = s.impl();
  if (l.min > st.limits.max_table_elements) {
    return Error(ErrorCode::LimitExceeded, "table minimum of " + std::to_string(l.min) +
                                               " elements exceeds the limit of " +
                                               std::to_string(st.limits.max_table_elements) +
                                               " elements (StoreLimits::max_table_elements)");
  }
  const uint64_t bytes = uint64_t{l.min} * detail::kTableElemBytes;
  VIV_TRY(detail::admit(st, {.memories = 0, .tables = 1, .bytes = bytes, .memory_pages = 0, .table_elements = l.min}));
  auto tab = std::make_unique<detail::TableInst>();
  tab->type = t;
  tab->max_elems = l.has_max ? std::min(l.max, st.limits.max_table_elements) : st.limits.max_table_elements;
  tab->budget = &st.budget;
  tab->elems.assign(l.min, detail::ref_ptr(init));
  st.budget.take(bytes);
  detail::TableInst* raw = tab.get();
  st.tables.push_back(std::move(tab));
  return Table(&s, raw);
}

Result<Global> new_global(Store& s, const GlobalType& t, const Value& v) {
  if (v.type() != t.type) {
    return Error(ErrorCode::Usage, std::string("global value: expected ") + to_string(t.type) + ", got " +
                                       to_string(v.type()));
  }
  VIV_TRY(detail::check_ref_store(s, v, "global value"));
  auto g = std::make_unique<detail::GlobalInst>();
  g->type = t;
  detail::to_slots(v, g->slots);
  detail::GlobalInst* raw = g.get();
  s.impl().globals.push_back(std::move(g));
  return Global(&s, raw);
}

}  // namespace vivarium
