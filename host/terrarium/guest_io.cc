#include "host/terrarium/guest_io.h"

#include <cstring>

#include "host/terrarium/http_fields.h"

namespace vivarium::terrarium {
namespace {

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string range(uint64_t ptr, uint64_t len) {
  return "[" + hex(ptr) + ", " + hex(ptr + len) + ")";
}

}  // namespace

Error hostcall_trap(std::string_view hostcall, std::string_view why) {
  return Error(ErrorCode::HostTrap, "hostcall_" + std::string(hostcall) + ": " + std::string(why));
}

Result<std::string> GuestIo::read(uint32_t ptr, uint32_t len, std::string_view what) const {
  if (len == 0) return std::string();
  const MemoryView mem = memory();
  auto s = mem.string(ptr, len);
  if (!s) {
    return trap(std::string(what) + " " + range(ptr, len) + " is out of bounds of memory (" +
                std::to_string(mem.size()) + " bytes)");
  }
  return std::string(*s);
}

Result<std::vector<std::string>> GuestIo::read_slices(uint32_t ptr, uint32_t count,
                                                       std::string_view what) const {
  const MemoryView mem = memory();
  if (!mem.in_bounds_array<uint64_t>(ptr, count)) {
    return trap(std::string(what) + ": " + std::to_string(count) + " GuestSlices at " + hex(ptr) +
                " are out of bounds of memory (" + std::to_string(mem.size()) + " bytes)");
  }
  std::vector<std::string> out;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t p = *mem.load<uint32_t>(uint64_t{ptr} + 8ull * i);
    const uint32_t l = *mem.load<uint32_t>(uint64_t{ptr} + 8ull * i + 4);
    VIV_TRY_ASSIGN(std::string s, read(p, l, std::string(what) + "[" + std::to_string(i) + "]"));
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::optional<HeaderField>> GuestIo::read_header_field(uint32_t name_ptr, uint32_t name_len,
                                                              uint32_t values_ptr, uint32_t count) const {
  constexpr uint32_t kMaxHeaderValues = 1024;
  VIV_TRY_ASSIGN(std::string name, read(name_ptr, name_len, "header name"));
  if (count > kMaxHeaderValues || !is_token(name)) return std::optional<HeaderField>();
  VIV_TRY_ASSIGN(std::vector<std::string> values, read_slices(values_ptr, count, "header values"));
  for (const auto& v : values) {
    if (!is_field_value(v)) return std::optional<HeaderField>();
  }
  return std::optional<HeaderField>(HeaderField{std::move(name), std::move(values)});
}

Result<void> GuestIo::check_out(uint32_t out_ptr, uint32_t out_len) const {
  const MemoryView mem = memory();
  if (!mem.in_bounds(out_ptr, 4)) return trap("out-parameter (pointer) at " + hex(out_ptr) + " is out of bounds of memory (" + std::to_string(mem.size()) + " bytes)");
  if (!mem.in_bounds(out_len, 4)) return trap("out-parameter (length) at " + hex(out_len) + " is out of bounds of memory (" + std::to_string(mem.size()) + " bytes)");
  return {};
}

Result<void> GuestIo::write_out(uint32_t out_ptr, uint32_t out_len, uint32_t ptr, uint32_t len) const {
  VIV_TRY(check_out(out_ptr, out_len));
  const MemoryView mem = memory();
  mem.store<uint32_t>(out_ptr, ptr);
  mem.store<uint32_t>(out_len, len);
  return {};
}

Result<void> GuestIo::write_u32(uint32_t ptr, uint32_t value, std::string_view what) const {
  const MemoryView mem = memory();
  if (!mem.store<uint32_t>(ptr, value)) {
    return trap(std::string(what) + " at " + hex(ptr) + " is out of bounds of memory (" + std::to_string(mem.size()) + " bytes)");
  }
  return {};
}

Result<uint32_t> GuestIo::malloc(uint64_t n) const {
  if (!st_.mm_ready) {
    return trap("the host has data for the guest but the guest never called hostcall_init_mm "
                "(call it early in run, with the table indices of malloc and free)");
  }
  if (n > UINT32_MAX) return trap("result of " + std::to_string(n) + " bytes does not fit in a wasm32 memory");
  const Instance inst = caller_.instance();
  auto table = inst.table(0u);
  if (!table) return trap("init_mm registered malloc as table index " + std::to_string(st_.malloc_index) + " but the instance has no table 0");
  auto slot = table->get(st_.malloc_index);
  if (!slot.ok()) return trap("init_mm's malloc index " + std::to_string(st_.malloc_index) + " is outside table 0 (size " + std::to_string(table->size()) + ")");
  if (slot->type() != ValType::FuncRef) return trap("table 0 does not hold functions");
  auto fn = Function::from_ref(caller_.store(), slot->ref());
  if (!fn) return trap("table 0 has no function at init_mm's malloc index " + std::to_string(st_.malloc_index));
  const FuncType want{{ValType::I32}, {ValType::I32}};
  if (!(fn->type() == want)) {
    return trap("the malloc registered by init_mm (table 0, index " + std::to_string(st_.malloc_index) + ") has type " + fn->type().to_string() + ", not (i32) -> (i32)");
  }
  const Value arg = Value::i32(static_cast<int32_t>(n));
  auto r = fn->call(std::span<const Value>(&arg, 1));
  if (!r.ok()) return std::move(r).error();  // the guest's own trap (or exhaustion), as is
  const uint32_t p = static_cast<uint32_t>((*r)[0].i32());
  if (p == 0) return trap("the guest's malloc(" + std::to_string(n) + ") returned NULL");
  const MemoryView mem = memory();  // malloc may have grown memory
  if (!mem.in_bounds(p, n)) {
    return trap("the guest's malloc(" + std::to_string(n) + ") returned " + range(p, n) + ", out of bounds of memory (" + std::to_string(mem.size()) + " bytes)");
  }
  return p;
}

Result<uint32_t> GuestIo::copy_in(std::string_view data) const {
  VIV_TRY_ASSIGN(uint32_t p, malloc(uint64_t{data.size()} + 1));
  auto dst = memory().bytes(p, data.size() + 1);  // checked by malloc()
  if (!data.empty()) std::memcpy(dst->data(), data.data(), data.size());
  (*dst)[data.size()] = 0;
  return p;
}

Result<void> GuestIo::return_bytes(uint32_t out_ptr, uint32_t out_len, std::string_view data,
                                   bool nonnull_when_empty) const {
  VIV_TRY(check_out(out_ptr, out_len));
  if (data.empty() && !nonnull_when_empty) return write_out(out_ptr, out_len, 0, 0);
  if (data.size() >= UINT32_MAX) return trap("result of " + std::to_string(data.size()) + " bytes does not fit in a wasm32 memory");
  VIV_TRY_ASSIGN(uint32_t p, copy_in(data));
  return write_out(out_ptr, out_len, p, static_cast<uint32_t>(data.size()));
}

Result<void> GuestIo::return_list(uint32_t out_ptr, uint32_t out_len, const std::vector<std::string>& items,
                                  bool nonnull_when_empty) const {
  VIV_TRY(check_out(out_ptr, out_len));
  if (items.empty() && !nonnull_when_empty) return write_out(out_ptr, out_len, 0, 0);
  // Each element first, then the array: no pointer into guest memory is
  // held across a malloc.
  std::vector<uint32_t> ptrs;
  ptrs.reserve(items.size());
  for (const auto& item : items) {
    if (item.size() >= UINT32_MAX) return trap("a list element does not fit in a wasm32 memory");
    VIV_TRY_ASSIGN(uint32_t p, copy_in(item));
    ptrs.push_back(p);
  }
  const uint64_t array_bytes = items.empty() ? 1 : 8ull * items.size();
  VIV_TRY_ASSIGN(uint32_t arr, malloc(array_bytes));
  const MemoryView mem = memory();
  for (size_t i = 0; i < items.size(); ++i) {
    mem.store<uint32_t>(arr + 8ull * i, ptrs[i]);
    mem.store<uint32_t>(arr + 8ull * i + 4, static_cast<uint32_t>(items[i].size()));
  }
  if (items.empty()) mem.store<uint8_t>(arr, 0);
  return write_out(out_ptr, out_len, arr, static_cast<uint32_t>(items.size()));
}

}  // namespace vivarium::terrarium
