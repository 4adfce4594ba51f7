// The ABI's memory protocol, for one hostcall: reading guest buffers through
// checked views of memory 0 and handing results back through the guest's own
// malloc (table 0, registered by init_mm), re-entrantly. Every failure is a
// trap whose message names the hostcall and what was wrong.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/terrarium/request_state.h"
#include "vivarium/host_func.h"

namespace vivarium::terrarium {

// A trap raised by a hostcall: "hostcall_<name>: <why>".
Error hostcall_trap(std::string_view hostcall, std::string_view why);

struct HeaderField {
  std::string name;
  std::vector<std::string> values;
};

class GuestIo {
 public:
  GuestIo(Caller& caller, std::string_view hostcall)
      : caller_(caller), st_(state_of(caller.store())), name_(hostcall) {}

  RequestState& state() const { return st_; }
  Error trap(std::string_view why) const { return hostcall_trap(name_, why); }

  // Memory 0 as it is now (re-read after every malloc: it may have grown).
  MemoryView memory() const { return caller_.memory(); }
  // A copy of [ptr, ptr+len); traps when out of bounds. `what` names the argument.
  Result<std::string> read(uint32_t ptr, uint32_t len, std::string_view what) const;
  // `count` GuestSlices at `ptr`, each read as above.
  Result<std::vector<std::string>> read_slices(uint32_t ptr, uint32_t count, std::string_view what) const;
  // A header name and its values (a GuestSlice array) for req/resp_set_header;
  // nullopt when they do not make a valid field (the hostcall returns 1).
  Result<std::optional<HeaderField>> read_header_field(uint32_t name_ptr, uint32_t name_len,
                                                       uint32_t values_ptr, uint32_t count) const;
  // Traps unless both out-parameters (u32 each) are inside memory.
  Result<void> check_out(uint32_t out_ptr, uint32_t out_len) const;
  Result<void> write_out(uint32_t out_ptr, uint32_t out_len, uint32_t ptr, uint32_t len) const;
  Result<void> write_u32(uint32_t ptr, uint32_t value, std::string_view what) const;

  // Returns a buffer: (0, 0) when empty unless `nonnull_when_empty`; else
  // malloc(len + 1), the data and a NUL. Checks the out-parameters first.
  Result<void> return_bytes(uint32_t out_ptr, uint32_t out_len, std::string_view data,
                            bool nonnull_when_empty = false) const;
  // Returns a list: a malloc'd array of GuestSlices, each its own buffer as above.
  Result<void> return_list(uint32_t out_ptr, uint32_t out_len, const std::vector<std::string>& items,
                           bool nonnull_when_empty = false) const;

 private:
  // Calls the guest's malloc(n) through table 0 and checks that [p, p+n) is
  // inside memory.
  Result<uint32_t> malloc(uint64_t n) const;
  Result<uint32_t> copy_in(std::string_view data) const;  // malloc(len+1), data, NUL

  Caller& caller_;
  RequestState& st_;
  std::string_view name_;
};

}  // namespace vivarium::terrarium
