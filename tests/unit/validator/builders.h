// Hand-built modules and instruction sequences for validator tests, so the
// validator is tested on its own, independently of the decoder.
#pragma once
#include <initializer_list>
#include <string>
#include <vector>

#include "engine/validator/validator.h"

namespace vivarium::engine::test {

constexpr ValType i32 = ValType::I32, i64 = ValType::I64, f32 = ValType::F32, f64 = ValType::F64,
                  v128 = ValType::V128, funcref = ValType::FuncRef, externref = ValType::ExternRef;

inline uint32_t add_type(ModuleIR& m, std::vector<ValType> params, std::vector<ValType> results) {
  m.types.push_back(FuncType{std::move(params), std::move(results)});
  return static_cast<uint32_t>(m.types.size() - 1);
}

// Adds a defined function of type `type_index` with the given local groups.
inline uint32_t add_func(ModuleIR& m, uint32_t type_index, std::vector<std::pair<uint32_t, ValType>> locals = {}) {
  FuncDef f;
  f.type_index = type_index;
  for (auto& [n, t] : locals) f.num_locals += n;
  f.local_groups = std::move(locals);
  m.funcs.push_back(std::move(f));
  return static_cast<uint32_t>(m.funcs.size() - 1);
}

// Instruction builders: I(op) then chain setters.
struct I {
  Instr in;
  explicit I(Op op) { in.op = op; }
  I& idx(uint32_t i) { in.index = i; return *this; }
  I& idx2(uint32_t i) { in.index2 = i; return *this; }
  I& lane(uint8_t l) { in.lane = l; return *this; }
  I& align(uint32_t a) { in.mem.align = a; return *this; }
  I& ref(ValType t) { in.ref_type = t; return *this; }
  I& bt(ValType t) { in.block.kind = BlockType::Value; in.block.value = t; return *this; }
  I& bt_index(uint32_t ti) { in.block.kind = BlockType::TypeIndex; in.block.type_index = ti; return *this; }
  operator Instr() const { return in; }
};

// Runs `code` through a FuncValidator for defined function `f`; instruction k
// gets offset 100 + k so errors can be traced to the instruction.
inline Result<void> run(const ModuleIR& m, uint32_t f, const std::vector<Instr>& code) {
  FuncValidator v(m, f);
  for (size_t k = 0; k < code.size(); ++k) {
    Instr in = code[k];
    in.offset = 100 + k;
    auto r = v.step(in);
    if (!r.ok()) return r;
  }
  return v.finish();
}

}  // namespace vivarium::engine::test
