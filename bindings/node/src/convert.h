// JavaScript <-> Vivarium: value types, values (i64 as BigInt), the types
// of imports and exports, and errors as VivariumError objects. Main thread.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

#include "vivarium/vivarium.h"

namespace vivarium::node {

Napi::Value type_to_js(Napi::Env env, const FuncType& t);
Napi::Object import_to_js(Napi::Env env, const ImportDesc& d);
Napi::Object export_to_js(Napi::Env env, const ExportDesc& d);

class InstanceState;

// A JavaScript value as a wasm value of type `t`: i32 from a Number, i64
// from a BigInt (or a safe-integer Number), f32/f64 from a Number, v128
// from 16 bytes (any ArrayBufferView, memory order: lane 0 first) or a
// BigInt (the 128-bit integer, two's complement when negative), externref
// from any value (null is the null reference), funcref from a FuncRef of
// `s` or null (ref_values.h). References need the instance `s` they enter.
// A Usage error names `what` otherwise.
Result<Value> value_from_js(Napi::Value v, ValType t, const std::string& what, InstanceState* s = nullptr);
// v128 comes out as a 16-byte Uint8Array; references as the JavaScript
// value given (externref) or a FuncRef of `s` (funcref), null for null.
Napi::Value value_to_js(Napi::Env env, const Value& v, InstanceState* s = nullptr);
// Results as JavaScript: undefined, one value, or an array of them.
Napi::Value results_to_js(Napi::Env env, const std::vector<Value>& results, InstanceState* s = nullptr);
// The type list "i32", "i64", ... of a JavaScript array of names.
Result<std::vector<ValType>> types_from_js(Napi::Value v, const std::string& what);

// A VivariumError (lib/index.js) carrying phase, code, location, backtrace
// and, for proc_exit, the exit code.
Napi::Value error_to_js(Napi::Env env, const Error& e);

}  // namespace vivarium::node
