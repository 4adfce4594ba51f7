// Function-type interning, one registry per Engine (issue #11 item 3): a
// call_indirect compares one integer, and structurally equal types get the
// same id in every module instantiated in stores of that engine (spec 4.4.7:
// the dynamic check is structural). Owned by the Engine (shared with its
// stores and the instances' id tables), so its memory goes with them instead
// of living for the whole process. Modules are engine-neutral: their code
// names a type by module index, and an instance maps indices to its store's
// ids (ModuleImpl::type_ids_in), so a module may be instantiated in stores of
// any number of engines.
#pragma once
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "vivarium/types.h"

namespace vivarium::detail {

class TypeRegistry {
 public:
  // The id of `t`: equal for structurally equal types. Thread-safe; called
  // when an instance of a module is first made in an engine and when a host
  // function enters a store, never on hot paths, so a mutex suffices.
  uint32_t intern(const FuncType& t);
  size_t size() const;

 private:
  struct Hash {
    size_t operator()(const FuncType& t) const;
  };
  mutable std::mutex mu_;
  std::unordered_map<FuncType, uint32_t, Hash> ids_;
};

}  // namespace vivarium::detail
