// Funcrefs the host hands in (call arguments, table and global writes) must
// belong to the store they are written into: a function of another store
// would dangle once that store is destroyed.
#pragma once
#include <string>

#include "engine/runtime/store_extras.h"
#include "vivarium/store.h"

namespace vivarium::detail {

inline Result<void> check_ref_store(Store& s, const Value& v, const std::string& what) {
  if (v.type() != ValType::FuncRef || v.ref().is_null()) return {};
  if (store_owns(s.impl(), static_cast<const FuncInst*>(v.ref().ptr))) return {};
  return Error(ErrorCode::Usage, what + ": the funcref belongs to another store");
}

}  // namespace vivarium::detail
