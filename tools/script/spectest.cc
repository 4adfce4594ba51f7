#include "tools/script/spectest.h"

#include <cinttypes>

namespace vivarium::engine::script {

using namespace vivarium;

namespace {

void print_value(std::FILE* out, const Value& v) {
  if (!out) return;
  switch (v.type()) {
    case ValType::I32: std::fprintf(out, "%" PRId32 " : i32\n", v.i32()); break;
    case ValType::I64: std::fprintf(out, "%" PRId64 " : i64\n", v.i64()); break;
    case ValType::F32: std::fprintf(out, "%g : f32\n", static_cast<double>(v.f32())); break;
    case ValType::F64: std::fprintf(out, "%g : f64\n", v.f64()); break;
    default: std::fprintf(out, "%s\n", v.to_string().c_str()); break;
  }
}

}  // namespace

Result<void> define_spectest(Linker& linker, Store& store, std::FILE* out) {
  const std::string m = "spectest";
  linker.func(m, "print", [out]() {
    if (out) std::fflush(out);
  });
  linker.func(m, "print_i32", [out](int32_t a) { print_value(out, Value::i32(a)); });
  linker.func(m, "print_i64", [out](int64_t a) { print_value(out, Value::i64(a)); });
  linker.func(m, "print_f32", [out](float a) { print_value(out, Value::f32(a)); });
  linker.func(m, "print_f64", [out](double a) { print_value(out, Value::f64(a)); });
  linker.func(m, "print_i32_f32", [out](int32_t a, float b) {
    print_value(out, Value::i32(a));
    print_value(out, Value::f32(b));
  });
  linker.func(m, "print_f64_f64", [out](double a, double b) {
    print_value(out, Value::f64(a));
    print_value(out, Value::f64(b));
  });

  // Values fixed by the spec suite's conventions (see its imports.wast).
  struct GlobalDef {
    const char* name;
    Value value;
  };
  const GlobalDef globals[] = {
      {"global_i32", Value::i32(666)},
      {"global_i64", Value::i64(666)},
      {"global_f32", Value::f32(666.6f)},
      {"global_f64", Value::f64(666.6)},
  };
  for (const GlobalDef& g : globals) {
    VIV_TRY_ASSIGN(Global gl, new_global(store, GlobalType{g.value.type(), false}, g.value));
    linker.define(m, g.name, Extern(gl));
  }

  TableType tt;
  tt.elem = ValType::FuncRef;
  tt.limits = Limits{10, true, 20};
  VIV_TRY_ASSIGN(Table table, new_table(store, tt, Value::null_of(ValType::FuncRef)));
  linker.define(m, "table", Extern(table));

  MemoryType mt;
  mt.limits = Limits{1, true, 2};
  VIV_TRY_ASSIGN(Memory memory, new_memory(store, mt));
  linker.define(m, "memory", Extern(memory));
  return {};
}

}  // namespace vivarium::engine::script
