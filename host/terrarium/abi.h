// The Terrarium guest ABI's import list (../shared/terrarium/ABI.md): every
// env.hostcall_* with its exact wasm type. One table serves deploy-time
// checking (GuestProgram::prepare), the tests and the hostcall fuzzer.
#pragma once
#include <span>
#include <string_view>

#include "vivarium/types.h"

namespace vivarium::terrarium {

struct HostcallSig {
  std::string_view name;     // without the "hostcall_" prefix: "req_get_body"
  std::string_view params;   // one letter per parameter: 'i' = i32, 'I' = i64
  std::string_view results;  // same letters
  FuncType type() const;
};

inline constexpr std::string_view kHostcallModule = "env";
inline constexpr std::string_view kHostcallPrefix = "hostcall_";

// Every hostcall, in the ABI document's order.
std::span<const HostcallSig> hostcall_abi();
// The hostcall named `name` (without the prefix), or null.
const HostcallSig* find_hostcall(std::string_view name);

}  // namespace vivarium::terrarium
