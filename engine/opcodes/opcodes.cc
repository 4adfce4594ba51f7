#include "engine/opcodes/opcodes.h"

#include <array>
#include <string>
#include <unordered_map>

namespace vivarium::engine {
namespace {

constexpr ValType i32 = ValType::I32, i64 = ValType::I64, f32 = ValType::F32, f64 = ValType::F64,
                  v128 = ValType::V128;

// Parses a signature name like "i32_i64__f32" at compile time.
constexpr ValType parse_type(std::string_view t) {
  return t == "i32" ? i32 : t == "i64" ? i64 : t == "f32" ? f32 : t == "f64" ? f64 : v128;
}
constexpr SigTypes parse_sig(std::string_view name) {
  SigTypes s{0, 0, {i32, i32, i32}, i32};
  size_t sep = name.find("__");
  std::string_view params = name.substr(0, sep), results = name.substr(sep + 2);
  while (!params.empty()) {
    size_t u = params.find('_');
    std::string_view t = params.substr(0, u);
    s.params[s.nparams++] = parse_type(t);
    params = u == std::string_view::npos ? std::string_view{} : params.substr(u + 1);
  }
  if (!results.empty()) {
    s.nresults = 1;
    s.result = parse_type(results);
  }
  return s;
}

constexpr std::array<SigTypes, 64> kSigs = [] {
  std::array<SigTypes, 64> a{};
  size_t i = 0;
#define VIV_SIG(n) a[i++] = std::string_view(#n) == "special" ? SigTypes{} : parse_sig(#n);
#include "engine/opcodes/sigs.def"
#undef VIV_SIG
  return a;
}();

// The names the traits, negate and mirror columns use (`_`: none).
namespace cols {
using enum Op;
constexpr OpTrait trap = OpTrait::Trap, comm = OpTrait::Commutes, lanes = OpTrait::Lanes;
struct None {
  constexpr operator OpTrait() const { return OpTrait::None; }
  constexpr operator Op() const { return Op::nop; }
};
constexpr None _{};
}  // namespace cols

const OpInfo kInfo[] = {
#define VIV_OP(id, prefix, code, text, imm, sig, aux, traits, negate, mirror) \
  {Op::id, prefix, code, text, ImmKind::imm, Sig::sig, aux, cols::traits, cols::negate, cols::mirror},
#include "engine/opcodes/opcodes.def"
#undef VIV_OP
};
static_assert(sizeof(kInfo) / sizeof(kInfo[0]) == kOpCount);

struct Tables {
  std::array<int16_t, 256> byte{};
  std::array<int16_t, 32> fc{};
  std::array<int16_t, 256> fd{};
  std::unordered_map<std::string_view, Op> text;
  Tables() {
    byte.fill(-1);
    fc.fill(-1);
    fd.fill(-1);
    for (const OpInfo& o : kInfo) {
      int16_t idx = static_cast<int16_t>(o.op);
      if (o.prefix == 0) byte[o.code] = idx;
      else if (o.prefix == 0xFC) fc[o.code] = idx;
      else fd[o.code] = idx;
      if (o.op != Op::select_t) text.emplace(o.text, o.op);
    }
  }
};
const Tables& tables() {
  static const Tables t;
  return t;
}

}  // namespace

const OpInfo& info(Op op) { return kInfo[static_cast<uint32_t>(op)]; }

const SigTypes* sig_types(Sig s) {
  if (s == Sig::special) return nullptr;
  return &kSigs[static_cast<uint32_t>(s)];
}

std::optional<Op> lookup_byte(uint8_t b) {
  int16_t i = tables().byte[b];
  if (i < 0) return std::nullopt;
  return static_cast<Op>(i);
}

std::optional<Op> lookup_prefixed(uint8_t prefix, uint32_t code) {
  const Tables& t = tables();
  int16_t i = -1;
  if (prefix == 0xFC && code < t.fc.size()) i = t.fc[code];
  if (prefix == 0xFD && code < t.fd.size()) i = t.fd[code];
  if (i < 0) return std::nullopt;
  return static_cast<Op>(i);
}

std::optional<Op> lookup_text(std::string_view mnemonic) {
  auto it = tables().text.find(mnemonic);
  if (it == tables().text.end()) return std::nullopt;
  return it->second;
}

}  // namespace vivarium::engine
