#include "convert.h"

#include <cmath>

#include "instance_state.h"
#include "ref_values.h"
#include "runtime.h"

namespace vivarium::node {
namespace {

Napi::Array types_to_js(Napi::Env env, const std::vector<ValType>& ts) {
  Napi::Array a = Napi::Array::New(env, ts.size());
  for (size_t i = 0; i < ts.size(); ++i) a.Set(static_cast<uint32_t>(i), Napi::String::New(env, to_string(ts[i])));
  return a;
}

Napi::Object limits_to_js(Napi::Env env, const Limits& l) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("min", Napi::Number::New(env, l.min));
  o.Set("max", l.has_max ? Napi::Number::New(env, l.max) : env.Null());
  return o;
}

// {kind, type} of one extern, shared by imports and exports.
void extern_to_js(Napi::Object o, ExternKind kind, const FuncType& f, const TableType& t, const MemoryType& m,
                  const GlobalType& g) {
  Napi::Env env = o.Env();
  o.Set("kind", Napi::String::New(env, to_string(kind)));
  switch (kind) {
    case ExternKind::Func: o.Set("type", type_to_js(env, f)); break;
    case ExternKind::Memory: o.Set("type", limits_to_js(env, m.limits)); break;
    case ExternKind::Table: {
      Napi::Object t_js = limits_to_js(env, t.limits);
      t_js.Set("element", Napi::String::New(env, to_string(t.elem)));
      o.Set("type", t_js);
      break;
    }
    case ExternKind::Global: {
      Napi::Object g_js = Napi::Object::New(env);
      g_js.Set("value", Napi::String::New(env, to_string(g.type)));
      g_js.Set("mutable", Napi::Boolean::New(env, g.mut));
      o.Set("type", g_js);
      break;
    }
  }
}

Error usage(const std::string& what, const std::string& expected) {
  return Error(ErrorCode::Usage, what + ": expected " + expected);
}

Result<Value> v128_from_js(Napi::Value v, const std::string& what) {
  V128 out;
  if (v.IsTypedArray() || v.IsDataView()) {
    napi_value raw = v;
    void* data = nullptr;
    size_t length = 0;
    if (v.IsTypedArray()) {
      auto ta = v.As<Napi::TypedArray>();
      length = ta.ByteLength();
      data = static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
    } else {
      napi_value ab;
      size_t offset = 0;
      napi_get_dataview_info(v.Env(), raw, &length, &data, &ab, &offset);
    }
    if (length != 16) return usage(what, "16 bytes (v128), got " + std::to_string(length));
    std::memcpy(out.bytes, data, 16);
    return Value::v128(out);
  }
  if (v.IsBigInt()) {
    int sign = 0;
    size_t count = 3;
    uint64_t words[3] = {};
    v.As<Napi::BigInt>().ToWords(&sign, &count, words);
    const bool fits = count <= 2 || (count == 3 && words[2] == 0);
    // Negative: down to -2^127; positive: below 2^128.
    if (!fits || (sign && (words[1] >> 63) && (words[1] != (uint64_t{1} << 63) || words[0] != 0))) {
      return usage(what, "a BigInt in the 128-bit range (v128)");
    }
    if (sign) {  // two's complement of the magnitude
      words[0] = ~words[0] + 1;
      words[1] = ~words[1] + (words[0] == 0 ? 1 : 0);
    }
    std::memcpy(out.bytes, words, 16);
    return Value::v128(out);
  }
  return usage(what, "16 bytes or a BigInt (v128)");
}

}  // namespace

Napi::Value type_to_js(Napi::Env env, const FuncType& t) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("params", types_to_js(env, t.params));
  o.Set("results", types_to_js(env, t.results));
  return o;
}

Napi::Object import_to_js(Napi::Env env, const ImportDesc& d) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("module", Napi::String::New(env, d.module));
  o.Set("name", Napi::String::New(env, d.name));
  extern_to_js(o, d.kind, d.func, d.table, d.memory, d.global);
  return o;
}

Napi::Object export_to_js(Napi::Env env, const ExportDesc& d) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", Napi::String::New(env, d.name));
  extern_to_js(o, d.kind, d.func, d.table, d.memory, d.global);
  return o;
}

Result<Value> value_from_js(Napi::Value v, ValType t, const std::string& what, InstanceState* s) {
  switch (t) {
    case ValType::I32: {
      if (!v.IsNumber()) return usage(what, "a Number (i32)");
      double d = v.As<Napi::Number>().DoubleValue();
      if (!std::isfinite(d) || d != std::trunc(d) || d < -2147483648.0 || d > 4294967295.0) {
        return usage(what, "an integer in the i32 range");
      }
      return Value::i32(static_cast<int32_t>(static_cast<uint32_t>(static_cast<int64_t>(d))));
    }
    case ValType::I64: {
      if (v.IsBigInt()) {
        bool lossless = true;
        int64_t x = v.As<Napi::BigInt>().Int64Value(&lossless);
        if (!lossless) {
          uint64_t u = v.As<Napi::BigInt>().Uint64Value(&lossless);
          if (!lossless) return usage(what, "a BigInt in the i64 range");
          x = static_cast<int64_t>(u);
        }
        return Value::i64(x);
      }
      if (v.IsNumber()) {
        double d = v.As<Napi::Number>().DoubleValue();
        if (d == std::trunc(d) && std::fabs(d) <= 9007199254740991.0) return Value::i64(static_cast<int64_t>(d));
      }
      return usage(what, "a BigInt (i64)");
    }
    case ValType::F32:
      if (!v.IsNumber()) return usage(what, "a Number (f32)");
      return Value::f32(static_cast<float>(v.As<Napi::Number>().DoubleValue()));
    case ValType::F64:
      if (!v.IsNumber()) return usage(what, "a Number (f64)");
      return Value::f64(v.As<Napi::Number>().DoubleValue());
    case ValType::V128:
      return v128_from_js(v, what);
    case ValType::ExternRef:
      if (v.IsNull()) return Value::null_of(t);
      if (s == nullptr) return usage(what, "null (no instance to hold the reference)");
      return Value::externref(s->externs.from_js(v));
    case ValType::FuncRef: {
      if (v.IsNull() || v.IsUndefined()) return Value::null_of(t);
      if (s == nullptr) return usage(what, "null (no instance to hold the reference)");
      VIV_TRY_ASSIGN(Ref r, FuncRefWrap::unwrap(v, *s, what));
      return Value::funcref(r);
    }
  }
  return usage(what, "a value of a known type");
}

Napi::Value value_to_js(Napi::Env env, const Value& v, InstanceState* s) {
  switch (v.type()) {
    case ValType::I32: return Napi::Number::New(env, v.i32());
    case ValType::I64: return Napi::BigInt::New(env, v.i64());
    case ValType::F32: return Napi::Number::New(env, v.f32());
    case ValType::F64: return Napi::Number::New(env, v.f64());
    case ValType::V128: {
      Napi::Uint8Array a = Napi::Uint8Array::New(env, 16);
      std::memcpy(a.Data(), v.v128().bytes, 16);
      return a;
    }
    case ValType::ExternRef:
      if (v.ref().is_null() || s == nullptr) return env.Null();
      return s->externs.to_js(env, v.ref());
    case ValType::FuncRef:
      if (v.ref().is_null() || s == nullptr) return env.Null();
      return FuncRefWrap::wrap(env, s->shared_from_this(), v.ref());
  }
  return env.Undefined();
}

Napi::Value results_to_js(Napi::Env env, const std::vector<Value>& results, InstanceState* s) {
  if (results.empty()) return env.Undefined();
  if (results.size() == 1) return value_to_js(env, results[0], s);
  Napi::Array a = Napi::Array::New(env, results.size());
  for (size_t i = 0; i < results.size(); ++i) a.Set(static_cast<uint32_t>(i), value_to_js(env, results[i], s));
  return a;
}

Result<std::vector<ValType>> types_from_js(Napi::Value v, const std::string& what) {
  if (!v.IsArray()) return usage(what, "an array of value types");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<ValType> out;
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value t = a.Get(i);
    std::string s = t.IsString() ? t.As<Napi::String>().Utf8Value() : "";
    if (s == "i32") out.push_back(ValType::I32);
    else if (s == "i64") out.push_back(ValType::I64);
    else if (s == "f32") out.push_back(ValType::F32);
    else if (s == "f64") out.push_back(ValType::F64);
    else if (s == "v128") out.push_back(ValType::V128);
    else if (s == "funcref") out.push_back(ValType::FuncRef);
    else if (s == "externref") out.push_back(ValType::ExternRef);
    else return usage(what + "[" + std::to_string(i) + "]", "'i32', 'i64', 'f32', 'f64', 'v128', 'funcref' or 'externref'");
  }
  return out;
}

Napi::Value error_to_js(Napi::Env env, const Error& e) {
  Napi::Object details = Napi::Object::New(env);
  details.Set("phase", Napi::String::New(env, vivarium::phase_name(e.phase())));
  details.Set("code", Napi::String::New(env, vivarium::code_name(e.code())));
  Napi::Object loc = Napi::Object::New(env);
  const Location& w = e.where();
  if (!w.file.empty()) loc.Set("file", Napi::String::New(env, w.file));
  if (w.offset != Location::kNone) loc.Set("offset", Napi::Number::New(env, static_cast<double>(w.offset)));
  if (w.line) loc.Set("line", Napi::Number::New(env, w.line));
  if (w.column) loc.Set("column", Napi::Number::New(env, w.column));
  if (!w.section.empty()) loc.Set("section", Napi::String::New(env, w.section));
  if (!w.function.empty()) loc.Set("function", Napi::String::New(env, w.function));
  details.Set("location", loc);
  details.Set("backtrace", Napi::String::New(env, e.backtrace()));
  if (e.code() == ErrorCode::Exit) details.Set("exitCode", Napi::Number::New(env, static_cast<double>(e.value())));
  details.Set("detail", Napi::String::New(env, e.to_string()));
  Runtime& rt = Runtime::of(env);
  if (rt.error_class.IsEmpty()) {
    Napi::Error err = Napi::Error::New(env, e.message());
    err.Set("details", details);
    return err.Value();
  }
  return rt.error_class.New({Napi::String::New(env, e.message()), details});
}

}  // namespace vivarium::node
