// GuestProgram's insides: the checked module, its deployment's configuration
// and a Linker holding every hostcall (shared by all of its requests; the
// Linker caches import resolution per module).
#pragma once
#include <memory>

#include "host/terrarium/guest_runner.h"
#include "vivarium/linker.h"

namespace vivarium::terrarium {

struct GuestProgram::Impl {
  std::shared_ptr<const Module> module;
  GuestConfig config;
  Linker linker;
  mutable GuestCost cost;
};

// Checks a module against the ABI: `run: [] -> []` exported, and every import
// an env.hostcall_* function of the ABI with its exact type.
Result<void> check_guest_module(const Module& module);

}  // namespace vivarium::terrarium
