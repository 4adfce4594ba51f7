// args_get, args_sizes_get, environ_get, environ_sizes_get.
#include <cstring>

#include "host/wasi/abi.h"
#include "host/wasi/guest_memory.h"

namespace vivarium::wasi {
namespace {

uint64_t buf_size(const std::vector<std::string>& v) {
  uint64_t n = 0;
  for (const auto& s : v) n += s.size() + 1;  // each NUL-terminated
  return n;
}

// Writes the pointer array and the packed NUL-terminated strings; bounds are
// checked for both regions first, so a bad pointer changes nothing.
uint32_t write_strings(const MemoryView& mem, const std::vector<std::string>& v, uint32_t ptrs, uint32_t buf) {
  if (!mem.in_bounds(ptrs, uint64_t{v.size()} * 4) || !mem.in_bounds(buf, buf_size(v))) return ret(Errno::Fault);
  uint64_t off = buf;
  for (size_t i = 0; i < v.size(); ++i) {
    (void)mem.store<uint32_t>(ptrs + 4 * i, static_cast<uint32_t>(off));
    auto dst = mem.bytes(off, v[i].size() + 1);
    std::memcpy(dst->data(), v[i].data(), v[i].size());
    (*dst)[v[i].size()] = 0;
    off += v[i].size() + 1;
  }
  return ret(Errno::Success);
}

uint32_t write_sizes(const MemoryView& mem, const std::vector<std::string>& v, uint32_t count_ptr, uint32_t size_ptr) {
  if (!mem.in_bounds(count_ptr, 4) || !mem.in_bounds(size_ptr, 4)) return ret(Errno::Fault);
  (void)mem.store<uint32_t>(count_ptr, static_cast<uint32_t>(v.size()));
  (void)mem.store<uint32_t>(size_ptr, static_cast<uint32_t>(buf_size(v)));
  return ret(Errno::Success);
}

}  // namespace

void add_args_env(Linker& l, WasiCtx& ctx) {
  WasiCtx* c = &ctx;
  l.func(kModule, "args_get", [c](Caller& caller, uint32_t argv, uint32_t buf) -> uint32_t {
    return write_strings(caller.memory(), c->args(), argv, buf);
  });
  l.func(kModule, "args_sizes_get", [c](Caller& caller, uint32_t argc, uint32_t size) -> uint32_t {
    return write_sizes(caller.memory(), c->args(), argc, size);
  });
  l.func(kModule, "environ_get", [c](Caller& caller, uint32_t env, uint32_t buf) -> uint32_t {
    return write_strings(caller.memory(), c->env(), env, buf);
  });
  l.func(kModule, "environ_sizes_get", [c](Caller& caller, uint32_t count, uint32_t size) -> uint32_t {
    return write_sizes(caller.memory(), c->env(), count, size);
  });
}

}  // namespace vivarium::wasi
