// Import matching (spec 4.5.3, "external typing" and "import subtyping"): an
// extern provided for an import must have the kind and a compatible type.
// Mismatches are IncompatibleImport errors that name module, field and both
// types, e.g. "incompatible import type for env.foo: expected func (i32) -> (),
// found func () -> ()".
#pragma once
#include <string>

#include "vivarium/instance.h"
#include "vivarium/module.h"

namespace vivarium::detail {

// "func (i32) -> ()", "table funcref {min 1, max 10}", "memory {min 1}", "global (mut i32)".
std::string describe(const FuncType& t);
std::string describe(const TableType& t);
std::string describe(const MemoryType& t);
std::string describe(const GlobalType& t);
std::string describe_import_type(const ImportDesc& d);
// The type an extern has now (tables and memories report their current size as min).
std::string describe_extern(const Extern& e);

// Spec 4.5.3 limits subtyping: actual.min >= expected.min and, when
// expected has a max, actual has one no larger.
bool limits_match(const Limits& actual, const Limits& expected);

// Checks `found` against the import `want` (whose function type, if any, is
// interned as `want_type_id`).
Result<void> check_import(const ImportDesc& want, uint32_t want_type_id, const Extern& found);

}  // namespace vivarium::detail
