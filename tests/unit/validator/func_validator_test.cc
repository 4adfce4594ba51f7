#include <gtest/gtest.h>

#include "tests/unit/validator/builders.h"

namespace vivarium::engine::test {
namespace {

// Expects `r` to fail with `code` and a message containing `text`.
void expect_error(const Result<void>& r, ErrorCode code, const std::string& text) {
  ASSERT_FALSE(r.ok()) << "expected failure: " << text;
  EXPECT_EQ(r.error().code(), code) << r.error().to_string();
  EXPECT_NE(r.error().message().find(text), std::string::npos) << r.error().to_string();
}

struct FuncValidatorTest : ::testing::Test {
  ModuleIR m;
  uint32_t v_v = 0;  // [] -> []
  void SetUp() override { v_v = add_type(m, {}, {}); }
  // A single function of type params -> results with `locals`.
  uint32_t func(std::vector<ValType> params, std::vector<ValType> results,
                std::vector<std::pair<uint32_t, ValType>> locals = {}) {
    return add_func(m, add_type(m, std::move(params), std::move(results)), std::move(locals));
  }
};

TEST_F(FuncValidatorTest, AddsTwoParams) {
  uint32_t f = func({i32, i32}, {i32});
  EXPECT_TRUE(run(m, f, {I(Op::local_get).idx(0), I(Op::local_get).idx(1), I(Op::i32_add), I(Op::end)}).ok());
}

TEST_F(FuncValidatorTest, OperandTypeMismatchNamesOffsetAndFunction) {
  uint32_t f = func({i32, i64}, {i32});
  auto r = run(m, f, {I(Op::local_get).idx(0), I(Op::local_get).idx(1), I(Op::i32_add), I(Op::end)});
  expect_error(r, ErrorCode::TypeMismatch, "type mismatch");
  EXPECT_EQ(r.error().where().offset, 102u);
  EXPECT_FALSE(r.error().where().function.empty());
}

TEST_F(FuncValidatorTest, MissingResultIsTypeMismatch) {
  uint32_t f = func({}, {i32});
  expect_error(run(m, f, {I(Op::end)}), ErrorCode::TypeMismatch, "type mismatch");
}

TEST_F(FuncValidatorTest, ExtraValueAtEndIsTypeMismatch) {
  uint32_t f = func({}, {});
  expect_error(run(m, f, {I(Op::i32_const), I(Op::end)}), ErrorCode::TypeMismatch, "type mismatch");
}

TEST_F(FuncValidatorTest, UnknownLocalGlobalFunctionTypeLabel) {
  uint32_t f = func({i32}, {}, {{2, i64}});
  expect_error(run(m, f, {I(Op::local_get).idx(3), I(Op::drop), I(Op::end)}), ErrorCode::UnknownIndex,
               "unknown local 3");
  EXPECT_TRUE(run(m, f, {I(Op::local_get).idx(2), I(Op::drop), I(Op::end)}).ok());
  expect_error(run(m, f, {I(Op::global_get).idx(0), I(Op::drop), I(Op::end)}), ErrorCode::UnknownIndex,
               "unknown global 0");
  expect_error(run(m, f, {I(Op::call).idx(9), I(Op::end)}), ErrorCode::UnknownIndex, "unknown function 9");
  expect_error(run(m, f, {I(Op::block).bt_index(77), I(Op::end), I(Op::end)}), ErrorCode::UnknownIndex,
               "unknown type");
  expect_error(run(m, f, {I(Op::br).idx(1), I(Op::end)}), ErrorCode::UnknownIndex, "unknown label");
  EXPECT_TRUE(run(m, f, {I(Op::br).idx(0), I(Op::end)}).ok());
}

TEST_F(FuncValidatorTest, UnreachableMakesStackPolymorphic) {
  uint32_t f = func({}, {i32});
  EXPECT_TRUE(run(m, f, {I(Op::unreachable), I(Op::i32_add), I(Op::end)}).ok());
  EXPECT_TRUE(run(m, f, {I(Op::unreachable), I(Op::end)}).ok());
  // Known operands are still checked above the polymorphic bottom.
  expect_error(run(m, f, {I(Op::unreachable), I(Op::i64_const), I(Op::i32_add), I(Op::end)}),
               ErrorCode::TypeMismatch, "type mismatch");
  // Polymorphism ends with its block.
  expect_error(run(m, f, {I(Op::block), I(Op::unreachable), I(Op::end), I(Op::end)}), ErrorCode::TypeMismatch,
               "type mismatch");
}

TEST_F(FuncValidatorTest, MultiValueBlockWithParams) {
  uint32_t pair = add_type(m, {i32, i64}, {i64, i32});
  uint32_t f = func({}, {i64, i32});
  EXPECT_TRUE(run(m, f, {I(Op::i32_const), I(Op::i64_const), I(Op::block).bt_index(pair), I(Op::local_set).idx(1),
                         I(Op::local_set).idx(0), I(Op::local_get).idx(1), I(Op::local_get).idx(0), I(Op::end),
                         I(Op::end)})
                  .ok() == false);  // f has no locals: the sets are unknown
  uint32_t g = func({}, {i64, i32}, {{1, i32}, {1, i64}});
  EXPECT_TRUE(run(m, g, {I(Op::i32_const), I(Op::i64_const), I(Op::block).bt_index(pair), I(Op::local_set).idx(1),
                         I(Op::local_set).idx(0), I(Op::local_get).idx(1), I(Op::local_get).idx(0), I(Op::end),
                         I(Op::end)})
                  .ok());
  // Params are popped from the enclosing frame and must be there.
  expect_error(run(m, g, {I(Op::i64_const), I(Op::block).bt_index(pair), I(Op::unreachable), I(Op::end), I(Op::end)}),
               ErrorCode::TypeMismatch, "type mismatch");
}

TEST_F(FuncValidatorTest, LoopLabelCarriesParams) {
  uint32_t t = add_type(m, {i32}, {i64});
  uint32_t f = func({}, {i64});
  // br 0 inside the loop needs the loop's param (i32), not its result (i64).
  EXPECT_TRUE(run(m, f, {I(Op::i32_const), I(Op::loop).bt_index(t), I(Op::br).idx(0), I(Op::end), I(Op::end)}).ok());
  expect_error(run(m, f, {I(Op::i32_const), I(Op::loop).bt_index(t), I(Op::drop), I(Op::i64_const), I(Op::br).idx(0),
                          I(Op::end), I(Op::end)}),
               ErrorCode::TypeMismatch, "type mismatch");
}

TEST_F(FuncValidatorTest, IfElseRules) {
  uint32_t f = func({i32}, {i32});
  EXPECT_TRUE(run(m, f, {I(Op::local_get).idx(0), I(Op::if_).bt(i32), I(Op::i32_const), I(Op::else_),
                         I(Op::i32_const), I(Op::end), I(Op::end)})
                  .ok());
  // Without else, an if with a result has no value on the false path.
  expect_error(run(m, f, {I(Op::local_get).idx(0), I(Op::if_).bt(i32), I(Op::i32_const), I(Op::end), I(Op::end)}),
               ErrorCode::TypeMismatch, "type mismatch");
  // ... unless its params already are its results.
  uint32_t same = add_type(m, {i32}, {i32});
  EXPECT_TRUE(run(m, f, {I(Op::local_get).idx(0), I(Op::local_get).idx(0), I(Op::if_).bt_index(same), I(Op::end),
                         I(Op::end)})
                  .ok());
  // The condition must be i32.
  expect_error(run(m, f, {I(Op::i64_const), I(Op::if_), I(Op::end), I(Op::i32_const), I(Op::end)}),
               ErrorCode::TypeMismatch, "type mismatch");
  // else outside if is malformed.
  expect_error(run(m, f, {I(Op::else_), I(Op::end)}), ErrorCode::Malformed, "else");
}

TEST_F(FuncValidatorTest, BrIfKeepsLabelValues) {
  uint32_t f = func({}, {i32});
  EXPECT_TRUE(run(m, f, {I(Op::block).bt(i32), I(Op::i32_const), I(Op::i32_const), I(Op::br_if).idx(0), I(Op::end),
                         I(Op::end)})
                  .ok());
  expect_error(run(m, f, {I(Op::block).bt(i32), I(Op::i64_const), I(Op::i32_const), I(Op::br_if).idx(0), I(Op::end),
                          I(Op::end)}),
               ErrorCode::TypeMismatch, "type mismatch");
}

TEST_F(FuncValidatorTest, BrTableArityAndTypes) {
  uint32_t f = func({}, {});
  static const uint32_t depth01[] = {0, 1};
  // Outer block yields i32, inner block yields nothing: arities differ.
  I bt(Op::br_table);
  bt.in.br_targets = depth01;
  expect_error(run(m, f, {I(Op::block).bt(i32), I(Op::block), I(Op::i32_const), I(Op::i32_const), bt, I(Op::end),
                          I(Op::i32_const), I(Op::end), I(Op::drop), I(Op::end)}),
               ErrorCode::TypeMismatch, "type mismatch");
  // Same arity, different types, with real operands: mismatch.
  expect_error(run(m, f, {I(Op::block).bt(i32), I(Op::block).bt(i64), I(Op::i32_const), I(Op::i32_const), bt,
                          I(Op::end), I(Op::drop), I(Op::i32_const), I(Op::end), I(Op::drop), I(Op::end)}),
               ErrorCode::TypeMismatch, "type mismatch");
  // Same arity, different types, polymorphic operand: valid.
  EXPECT_TRUE(run(m, f, {I(Op::block).bt(i32), I(Op::block).bt(i64), I(Op::unreachable), I(Op::i32_const), bt,
                         I(Op::end), I(Op::drop), I(Op::i32_const), I(Op::end), I(Op::drop), I(Op::end)})
                  .ok());
  // Matching labels.
  EXPECT_TRUE(run(m, f, {I(Op::block).bt(i32), I(Op::block).bt(i32), I(Op::i32_const), I(Op::i32_const), bt,
                         I(Op::end), I(Op::end), I(Op::drop), I(Op::end)})
                  .ok());
  static const uint32_t far[] = {0, 5};
  I bad(Op::br_table);
  bad.in.br_targets = far;
  expect_error(run(m, f, {I(Op::i32_const), bad, I(Op::end)}), ErrorCode::UnknownIndex, "unknown label");
}

TEST_F(FuncValidatorTest, BrTableRepeatedTargetsStillCheckEveryLabel) {
  uint32_t f = func({}, {});
  // Labels 0 and 1 are i32 blocks (one shared span), label 2 an i64 block;
  // a table that repeats the i32 labels must still reach the i64 one.
  static const uint32_t many[] = {0, 1, 0, 1, 0, 0, 2, 0};
  I bt(Op::br_table);
  bt.in.br_targets = many;
  std::vector<Instr> code = {I(Op::block).bt(i64), I(Op::block).bt(i32), I(Op::block).bt(i32), I(Op::i32_const),
                             I(Op::i32_const), bt, I(Op::end), I(Op::drop), I(Op::i32_const), I(Op::end),
                             I(Op::drop), I(Op::i64_const), I(Op::end), I(Op::drop), I(Op::end)};
  expect_error(run(m, f, code), ErrorCode::TypeMismatch, "type mismatch");
  static const uint32_t same[] = {0, 1, 0, 1, 0, 0, 1, 0};
  code[5].br_targets = same;
  EXPECT_TRUE(run(m, f, code).ok());
}

TEST_F(FuncValidatorTest, ReturnUsesFunctionResults) {
  uint32_t f = func({}, {f64});
  EXPECT_TRUE(run(m, f, {I(Op::block), I(Op::f64_const), I(Op::return_), I(Op::end), I(Op::f64_const), I(Op::end)})
                  .ok());
  expect_error(run(m, f, {I(Op::f32_const), I(Op::return_), I(Op::end)}), ErrorCode::TypeMismatch, "type mismatch");
}

TEST_F(FuncValidatorTest, SelectRules) {
  uint32_t f = func({}, {});
  EXPECT_TRUE(run(m, f, {I(Op::i64_const), I(Op::i64_const), I(Op::i32_const), I(Op::select), I(Op::drop),
                         I(Op::end)})
                  .ok());
  EXPECT_TRUE(run(m, f, {I(Op::v128_const), I(Op::v128_const), I(Op::i32_const), I(Op::select), I(Op::drop),
                         I(Op::end)})
                  .ok());
  expect_error(run(m, f, {I(Op::i64_const), I(Op::f64_const), I(Op::i32_const), I(Op::select), I(Op::drop),
                          I(Op::end)}),
               ErrorCode::TypeMismatch, "type mismatch");
  // References need the typed form.
  expect_error(run(m, f, {I(Op::ref_null).ref(funcref), I(Op::ref_null).ref(funcref), I(Op::i32_const),
                          I(Op::select), I(Op::drop), I(Op::end)}),
               ErrorCode::TypeMismatch, "type mismatch");
  expect_error(run(m, f, {I(Op::unreachable), I(Op::ref_null).ref(externref), I(Op::i32_const), I(Op::select),
                          I(Op::drop), I(Op::end)}),
               ErrorCode::TypeMismatch, "type mismatch");
  static const ValType one[] = {funcref};
  static const ValType two[] = {i32, i32};
  I sel1(Op::select_t), sel2(Op::select_t), sel0(Op::select_t);
  sel1.in.select_types = one;
  sel2.in.select_types = two;
  EXPECT_TRUE(run(m, f, {I(Op::ref_null).ref(funcref), I(Op::ref_null).ref(funcref), I(Op::i32_const), sel1,
                         I(Op::drop), I(Op::end)})
                  .ok());
  expect_error(run(m, f, {I(Op::i32_const), I(Op::i32_const), I(Op::i32_const), sel2, I(Op::drop), I(Op::end)}),
               ErrorCode::Invalid, "invalid result arity");
  expect_error(run(m, f, {I(Op::i32_const), I(Op::i32_const), I(Op::i32_const), sel0, I(Op::end)}),
               ErrorCode::Invalid, "invalid result arity");
  // Unknown select in unreachable code yields an operand usable as anything.
  EXPECT_TRUE(run(m, f, {I(Op::unreachable), I(Op::select), I(Op::v128_any_true), I(Op::drop), I(Op::end)}).ok());
}

TEST_F(FuncValidatorTest, Globals) {
  m.globals.push_back(Global{GlobalType{i32, false}, {}});
  m.globals.push_back(Global{GlobalType{f32, true}, {}});
  uint32_t f = func({}, {});
  EXPECT_TRUE(run(m, f, {I(Op::f32_const), I(Op::global_set).idx(1), I(Op::end)}).ok());
  expect_error(run(m, f, {I(Op::i32_const), I(Op::global_set).idx(0), I(Op::end)}), ErrorCode::Invalid,
               "global is immutable");
  expect_error(run(m, f, {I(Op::i32_const), I(Op::global_set).idx(1), I(Op::end)}), ErrorCode::TypeMismatch,
               "type mismatch");
}

TEST_F(FuncValidatorTest, MemoryPresenceAndAlignment) {
  uint32_t f = func({}, {});
  expect_error(run(m, f, {I(Op::i32_const), I(Op::i32_load), I(Op::drop), I(Op::end)}), ErrorCode::UnknownIndex,
               "unknown memory 0");
  expect_error(run(m, f, {I(Op::memory_size), I(Op::drop), I(Op::end)}), ErrorCode::UnknownIndex,
               "unknown memory 0");
  m.memories.push_back(MemoryType{});
  EXPECT_TRUE(run(m, f, {I(Op::i32_const), I(Op::i32_load).align(2), I(Op::drop), I(Op::end)}).ok());
  expect_error(run(m, f, {I(Op::i32_const), I(Op::i32_load).align(3), I(Op::drop), I(Op::end)}), ErrorCode::Invalid,
               "alignment must not be larger than natural");
  expect_error(run(m, f, {I(Op::i32_const), I(Op::i32_load8_u).align(1), I(Op::drop), I(Op::end)}),
               ErrorCode::Invalid, "alignment must not be larger than natural");
  EXPECT_TRUE(run(m, f, {I(Op::i32_const), I(Op::v128_load).align(4), I(Op::drop), I(Op::end)}).ok());
  expect_error(run(m, f, {I(Op::i32_const), I(Op::v128_load).align(5), I(Op::drop), I(Op::end)}), ErrorCode::Invalid,
               "alignment must not be larger than natural");
}

TEST_F(FuncValidatorTest, BulkMemoryNeedsDataCount) {
  m.memories.push_back(MemoryType{});
  uint32_t f = func({}, {});
  std::vector<Instr> init = {I(Op::i32_const), I(Op::i32_const), I(Op::i32_const), I(Op::memory_init).idx(1),
                             I(Op::end)};
  expect_error(run(m, f, init), ErrorCode::Malformed, "data count section required");
  m.data_count = 1;
  expect_error(run(m, f, init), ErrorCode::UnknownIndex, "unknown data segment 1");
  m.data_count = 2;
  EXPECT_TRUE(run(m, f, init).ok());
  expect_error(run(m, f, {I(Op::data_drop).idx(2), I(Op::end)}), ErrorCode::UnknownIndex, "unknown data segment");
}

TEST_F(FuncValidatorTest, TablesAndElems) {
  m.tables.push_back(TableType{funcref, {}});
  m.tables.push_back(TableType{externref, {}});
  ElemSegment seg;
  seg.type = funcref;
  m.elems.push_back(seg);
  uint32_t f = func({}, {});
  EXPECT_TRUE(run(m, f, {I(Op::i32_const), I(Op::table_get).idx(1), I(Op::drop), I(Op::end)}).ok());
  expect_error(run(m, f, {I(Op::i32_const), I(Op::table_get).idx(2), I(Op::drop), I(Op::end)}),
               ErrorCode::UnknownIndex, "unknown table 2");
  expect_error(run(m, f, {I(Op::i32_const), I(Op::ref_null).ref(funcref), I(Op::table_set).idx(1), I(Op::end)}),
               ErrorCode::TypeMismatch, "type mismatch");
  std::vector<Instr> three = {I(Op::i32_const), I(Op::i32_const), I(Op::i32_const)};
  auto with = [&](Instr in) {
    std::vector<Instr> c = three;
    c.push_back(in);
    c.push_back(I(Op::end));
    return c;
  };
  EXPECT_TRUE(run(m, f, with(I(Op::table_copy).idx(0).idx2(0))).ok());
  expect_error(run(m, f, with(I(Op::table_copy).idx(0).idx2(1))), ErrorCode::TypeMismatch, "type mismatch");
  EXPECT_TRUE(run(m, f, with(I(Op::table_init).idx(0).idx2(0))).ok());
  expect_error(run(m, f, with(I(Op::table_init).idx(0).idx2(1))), ErrorCode::TypeMismatch, "type mismatch");
  expect_error(run(m, f, with(I(Op::table_init).idx(1).idx2(0))), ErrorCode::UnknownIndex, "unknown elem segment 1");
  expect_error(run(m, f, {I(Op::elem_drop).idx(4), I(Op::end)}), ErrorCode::UnknownIndex, "unknown elem segment 4");
  // call_indirect needs a funcref table.
  EXPECT_TRUE(run(m, f, {I(Op::i32_const), I(Op::call_indirect).idx(v_v).idx2(0), I(Op::end)}).ok());
  expect_error(run(m, f, {I(Op::i32_const), I(Op::call_indirect).idx(v_v).idx2(1), I(Op::end)}),
               ErrorCode::TypeMismatch, "type mismatch");
  expect_error(run(m, f, {I(Op::i32_const), I(Op::call_indirect).idx(v_v).idx2(3), I(Op::end)}),
               ErrorCode::UnknownIndex, "unknown table");
  EXPECT_TRUE(run(m, f, {I(Op::ref_null).ref(externref), I(Op::i32_const), I(Op::table_grow).idx(1), I(Op::drop),
                         I(Op::end)})
                  .ok());
}

TEST_F(FuncValidatorTest, RefFuncNeedsDeclaration) {
  uint32_t f = func({}, {});
  add_func(m, v_v);
  std::vector<Instr> code = {I(Op::ref_func).idx(1), I(Op::drop), I(Op::end)};
  expect_error(run(m, f, code), ErrorCode::Invalid, "undeclared function reference");
  m.exports.push_back(Export{"g", ExternKind::Func, 1});
  EXPECT_TRUE(run(m, f, code).ok());
  m.exports.clear();
  ElemSegment seg;
  seg.mode = ElemSegment::Declarative;
  seg.func_indices = {1};
  m.elems.push_back(seg);
  EXPECT_TRUE(run(m, f, code).ok());
  expect_error(run(m, f, {I(Op::ref_func).idx(2), I(Op::drop), I(Op::end)}), ErrorCode::UnknownIndex,
               "unknown function 2");
}

TEST_F(FuncValidatorTest, RefFuncUsesTheModulesDeclaredSet) {
  uint32_t f = func({}, {});
  add_func(m, v_v);
  std::vector<Instr> code = {I(Op::ref_func).idx(1), I(Op::drop), I(Op::end)};
  // validate_module() computes C.refs once into the module; bodies validated
  // afterwards read it rather than rescanning the segments.
  m.funcs[0].body = m.funcs[1].body = Span{0, 0};
  ASSERT_TRUE(validate_module(m, false).ok());
  ASSERT_EQ(m.declared_funcs.size(), 2u);
  expect_error(run(m, f, code), ErrorCode::Invalid, "undeclared function reference");
  m.declared_funcs[1] = 1;
  EXPECT_TRUE(run(m, f, code).ok());
}

TEST_F(FuncValidatorTest, RefIsNullNeedsReference) {
  uint32_t f = func({}, {i32});
  EXPECT_TRUE(run(m, f, {I(Op::ref_null).ref(externref), I(Op::ref_is_null), I(Op::end)}).ok());
  expect_error(run(m, f, {I(Op::i32_const), I(Op::ref_is_null), I(Op::end)}), ErrorCode::TypeMismatch,
               "type mismatch");
}

TEST_F(FuncValidatorTest, SimdLanesAndSignatures) {
  uint32_t f = func({v128}, {i32});
  EXPECT_TRUE(run(m, f, {I(Op::local_get).idx(0), I(Op::i8x16_extract_lane_s).lane(15), I(Op::end)}).ok());
  expect_error(run(m, f, {I(Op::local_get).idx(0), I(Op::i8x16_extract_lane_s).lane(16), I(Op::end)}),
               ErrorCode::Invalid, "invalid lane index");
  expect_error(run(m, f, {I(Op::local_get).idx(0), I(Op::i32x4_extract_lane).lane(4), I(Op::end)}), ErrorCode::Invalid,
               "invalid lane index");
  I shuf(Op::i8x16_shuffle);
  shuf.in.v128.bytes[3] = 31;
  EXPECT_TRUE(run(m, f, {I(Op::local_get).idx(0), I(Op::local_get).idx(0), shuf, I(Op::i8x16_bitmask), I(Op::end)})
                  .ok());
  shuf.in.v128.bytes[3] = 32;
  expect_error(run(m, f, {I(Op::local_get).idx(0), I(Op::local_get).idx(0), shuf, I(Op::i8x16_bitmask), I(Op::end)}),
               ErrorCode::Invalid, "invalid lane index");
  expect_error(run(m, f, {I(Op::i32_const), I(Op::i8x16_bitmask), I(Op::end)}), ErrorCode::TypeMismatch,
               "type mismatch");
  m.memories.push_back(MemoryType{});
  uint32_t g = func({v128}, {});
  auto lane_store = [&](I in) {
    return run(m, g, {I(Op::i32_const), I(Op::local_get).idx(0), in, I(Op::end)});
  };
  EXPECT_TRUE(lane_store(I(Op::v128_store16_lane).align(1).lane(7)).ok());
  expect_error(lane_store(I(Op::v128_store16_lane).align(1).lane(8)), ErrorCode::Invalid, "invalid lane index");
  expect_error(lane_store(I(Op::v128_store16_lane).align(2).lane(0)), ErrorCode::Invalid,
               "alignment must not be larger than natural");
}

// The state a tier reads between steps: types and operand counts only (where
// a tier puts values, e.g. the interpreter's slots, is its own business).
TEST_F(FuncValidatorTest, StateBetweenSteps) {
  uint32_t f = func({i32, v128}, {}, {{2, i64}, {1, v128}});
  FuncValidator v(m, f);
  ASSERT_EQ(v.local_types().size(), 5u);
  EXPECT_EQ(v.local_types()[1], v128);
  EXPECT_EQ(v.local_types()[3], i64);
  EXPECT_EQ(v.local_types()[4], v128);
  EXPECT_EQ(v.control_depth(), 1u);
  EXPECT_EQ(v.frame(0).kind, FrameKind::Function);
  ASSERT_TRUE(v.step(I(Op::local_get).idx(1)).ok());
  ASSERT_TRUE(v.step(I(Op::i32_const)).ok());
  EXPECT_EQ(v.operand_count(), 2u);
  EXPECT_EQ(v.operand_type(0), i32);
  EXPECT_EQ(v.operand_type(1), v128);
  ASSERT_TRUE(v.step(I(Op::i8x16_replace_lane)).ok());
  EXPECT_EQ(v.operand_count(), 1u);
  ASSERT_TRUE(v.step(I(Op::block).bt(i32)).ok());
  EXPECT_EQ(v.frame(0).height, 1u);
  EXPECT_EQ(v.frame(0).label_types().size(), 1u);
  ASSERT_TRUE(v.step(I(Op::unreachable)).ok());
  EXPECT_FALSE(v.reachable());
  EXPECT_EQ(v.operand_count(), 1u);
  EXPECT_EQ(v.operand_type(1), kUnknownType);
  ASSERT_TRUE(v.step(I(Op::end)).ok());
  EXPECT_TRUE(v.reachable());
  EXPECT_EQ(v.operand_count(), 2u);
  ASSERT_TRUE(v.step(I(Op::drop)).ok());
  ASSERT_TRUE(v.step(I(Op::drop)).ok());
  ASSERT_TRUE(v.step(I(Op::end)).ok());
  EXPECT_TRUE(v.finish().ok());
}

TEST_F(FuncValidatorTest, BodyMustEndExactly) {
  uint32_t f = func({}, {});
  expect_error(run(m, f, {I(Op::nop)}), ErrorCode::Malformed, "END opcode expected");
  expect_error(run(m, f, {I(Op::block), I(Op::end)}), ErrorCode::Malformed, "END opcode expected");
  auto r = run(m, f, {I(Op::end), I(Op::nop)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where().offset, 101u);
}

TEST_F(FuncValidatorTest, TooManyLocals) {
  uint32_t f = func({i32}, {}, {{static_cast<uint32_t>(kMaxLocals), i32}});
  expect_error(run(m, f, {I(Op::end)}), ErrorCode::Invalid, "too many locals");
  uint32_t g = func({i32}, {}, {{static_cast<uint32_t>(kMaxLocals - 1), i32}});
  EXPECT_TRUE(run(m, g, {I(Op::end)}).ok());
}

TEST_F(FuncValidatorTest, EveryFixedSignatureOpcodeIsAccepted) {
  // Each non-special row, fed exactly its table signature, validates; fed
  // a wrong first operand, it fails. Catches an opcode table row the
  // validator would mistype.
  m.memories.push_back(MemoryType{});
  m.data_count = 1;
  m.elems.push_back(ElemSegment{});
  uint32_t f = func({}, {});
  int checked = 0;
  for (uint32_t o = 0; o < kOpCount; ++o) {
    Op op = static_cast<Op>(o);
    const OpInfo& oi = info(op);
    const SigTypes* s = sig_types(oi.sig);
    if (!s) continue;
    auto const_of = [](ValType t) {
      switch (t) {
        case ValType::I64: return Op::i64_const;
        case ValType::F32: return Op::f32_const;
        case ValType::F64: return Op::f64_const;
        case ValType::V128: return Op::v128_const;
        default: return Op::i32_const;
      }
    };
    std::vector<Instr> code;
    for (uint32_t i = 0; i < s->nparams; ++i) code.push_back(I(const_of(s->params[i])));
    code.push_back(I(op));
    if (s->nresults) code.push_back(I(Op::drop));
    code.push_back(I(Op::end));
    auto r = run(m, f, code);
    EXPECT_TRUE(r.ok()) << name(op) << ": " << r.error().to_string();
    if (s->nparams) {
      code[0] = I(s->params[0] == ValType::F64 ? Op::i32_const : Op::f64_const);
      EXPECT_FALSE(run(m, f, code).ok()) << name(op);
    }
    ++checked;
  }
  EXPECT_GT(checked, 400);
}

TEST_F(FuncValidatorTest, EverySpecialOpcodeHasARule) {
  // Rows marked `special` are typed by hand; each must reach a rule rather
  // than the validator's internal "no rule" error. Unreachable code makes
  // operand types irrelevant, so only entity indices can fail.
  m.memories.push_back(MemoryType{});
  m.tables.push_back(TableType{funcref, {}});
  m.globals.push_back(Global{GlobalType{i32, true}, {}});
  m.elems.push_back(ElemSegment{});
  m.exports.push_back(Export{"f", ExternKind::Func, 0});
  uint32_t f = func({}, {}, {{1, i32}});
  static const uint32_t targets[] = {0};
  static const ValType one[] = {i32};
  for (uint32_t o = 0; o < kOpCount; ++o) {
    Op op = static_cast<Op>(o);
    if (info(op).sig != Sig::special) continue;
    FuncValidator v(m, f);
    ASSERT_TRUE(v.step(I(Op::unreachable)).ok());
    I in(op);
    in.in.br_targets = targets;
    in.in.select_types = one;
    auto r = v.step(in);
    if (!r.ok()) {
      EXPECT_NE(r.error().code(), ErrorCode::Internal) << name(op) << ": " << r.error().to_string();
    }
  }
}

}  // namespace
}  // namespace vivarium::engine::test
