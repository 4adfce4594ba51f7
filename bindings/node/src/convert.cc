#include "convert.h"

#include <cmath>

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

Result<Value> value_from_js(Napi::Value v, ValType t, const std::string& what) {
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
    case ValType::FuncRef:
    case ValType::ExternRef:
      if (!v.IsNull() && !v.IsUndefined()) return usage(what, "null (references cannot cross into JavaScript)");
      return Value::null_of(t);
    case ValType::V128:
      break;
  }
  return Error(ErrorCode::Unsupported, what + ": v128 values cannot be passed from JavaScript");
}

Napi::Value value_to_js(Napi::Env env, const Value& v) {
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
    case ValType::FuncRef:
    case ValType::ExternRef:
      // Only null crosses; a non-null reference is opaque to JavaScript.
      return v.ref().is_null() ? env.Null() : Napi::Value(Napi::String::New(env, to_string(v.type())));
  }
  return env.Undefined();
}

Napi::Value results_to_js(Napi::Env env, const std::vector<Value>& results) {
  if (results.empty()) return env.Undefined();
  if (results.size() == 1) return value_to_js(env, results[0]);
  Napi::Array a = Napi::Array::New(env, results.size());
  for (size_t i = 0; i < results.size(); ++i) a.Set(static_cast<uint32_t>(i), value_to_js(env, results[i]));
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
    else if (s == "funcref") out.push_back(ValType::FuncRef);
    else if (s == "externref") out.push_back(ValType::ExternRef);
    else return usage(what + "[" + std::to_string(i) + "]", "'i32', 'i64', 'f32', 'f64', 'funcref' or 'externref'");
  }
  return out;
}

const char* phase_name(Phase p) {
  switch (p) {
    case Phase::Malformed: return "malformed";
    case Phase::Invalid: return "invalid";
    case Phase::Unlinkable: return "unlinkable";
    case Phase::Trap: return "trap";
    case Phase::Exhaustion: return "exhaustion";
    case Phase::Host: return "host";
  }
  return "host";
}

const char* code_name(ErrorCode c) {
  switch (c) {
#define VIV_CODE(name) case ErrorCode::name: return #name;
    VIV_CODE(UnexpectedEnd) VIV_CODE(BadMagic) VIV_CODE(BadVersion) VIV_CODE(BadLeb) VIV_CODE(BadSection)
    VIV_CODE(BadUtf8) VIV_CODE(BadOpcode) VIV_CODE(BadType) VIV_CODE(Malformed) VIV_CODE(TextSyntax)
    VIV_CODE(TypeMismatch) VIV_CODE(UnknownIndex) VIV_CODE(Invalid) VIV_CODE(UnknownImport)
    VIV_CODE(IncompatibleImport) VIV_CODE(Unreachable) VIV_CODE(MemoryOutOfBounds) VIV_CODE(TableOutOfBounds)
    VIV_CODE(UndefinedElement) VIV_CODE(UninitializedElement) VIV_CODE(IndirectCallTypeMismatch)
    VIV_CODE(IntegerDivideByZero) VIV_CODE(IntegerOverflow) VIV_CODE(InvalidConversion) VIV_CODE(NullReference)
    VIV_CODE(HostTrap) VIV_CODE(Exit) VIV_CODE(CallStackExhausted) VIV_CODE(OutOfFuel) VIV_CODE(DeadlineExceeded)
    VIV_CODE(LimitExceeded) VIV_CODE(Io) VIV_CODE(Usage) VIV_CODE(NotFound) VIV_CODE(Unsupported) VIV_CODE(Internal)
#undef VIV_CODE
  }
  return "Internal";
}

Napi::Value error_to_js(Napi::Env env, const Error& e) {
  Napi::Object details = Napi::Object::New(env);
  details.Set("phase", Napi::String::New(env, phase_name(e.phase())));
  details.Set("code", Napi::String::New(env, code_name(e.code())));
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
