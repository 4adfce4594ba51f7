#include "tests/fuzz/differential.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "tests/fuzz/wasm_gen.h"
#include "vivarium/vivarium.h"

namespace vivarium::engine::fuzz {
namespace {

constexpr uint64_t kFuelPerCall = 300000;

// The memory limit stays at 4 GiB: below it, the runtime would not give a
// memory the guard reservation and compiled code without bounds checks would
// run in the interpreter (generated code grows memory by at most a page).
StoreLimits limits() {
  StoreLimits l;
  l.max_call_depth = 400;
  return l;
}

// Any NaN prints as "nan": wasm leaves its sign and payload open.
std::string show(const Value& v) {
  char buf[64];
  switch (v.type()) {
    case ValType::I32: std::snprintf(buf, sizeof buf, "i32:%d", v.i32()); break;
    case ValType::I64: std::snprintf(buf, sizeof buf, "i64:%lld", static_cast<long long>(v.i64())); break;
    case ValType::F32:
      if (std::isnan(v.f32())) return "f32:nan";
      std::snprintf(buf, sizeof buf, "f32:0x%08x", v.f32_bits());
      break;
    case ValType::F64:
      if (std::isnan(v.f64())) return "f64:nan";
      std::snprintf(buf, sizeof buf, "f64:0x%016llx", static_cast<unsigned long long>(v.f64_bits()));
      break;
    default: return v.to_string();
  }
  return buf;
}

struct Observed {
  std::vector<std::string> calls;  // per call: results or the trap's message
  std::vector<uint8_t> memory;
  std::string globals;
  bool trapped = false;
};

std::vector<Value> make_args(Entropy& e, const std::string& params) {
  static constexpr int64_t kInts[] = {0, 1, -1, 3, 65535, 65536, 65533, 0x7fffffff, INT64_MIN};
  std::vector<Value> args;
  for (char p : params) {
    const int64_t i = e.chance(70) ? kInts[e.below(std::size(kInts))] : static_cast<int64_t>(e.u64());
    switch (p) {
      case 'i': args.push_back(Value::i32(static_cast<int32_t>(i))); break;
      case 'I': args.push_back(Value::i64(i)); break;
      case 'f': args.push_back(Value::f32(static_cast<float>(i % 100000) / 8.0f)); break;
      default: args.push_back(Value::f64(static_cast<double>(i) / 1024.0)); break;
    }
  }
  return args;
}

Result<Observed> observe(const GeneratedModule& g, const std::vector<std::vector<Value>>& args, ExecutionTier tier) {
  CompileOptions o;
  o.tier = tier;
  VIV_TRY_ASSIGN(Module m, Module::from_text(g.wat, o));
  Store store(limits());
  Linker linker;
  VIV_TRY_ASSIGN(Instance inst, linker.instantiate(store, m));
  Observed out;
  for (size_t i = 0; i < g.params.size(); ++i) {
    store.set_fuel(kFuelPerCall);
    auto r = inst.call("f" + std::to_string(i), args[i]);
    std::string s;
    if (!r) {
      // The trap's message, function and offset: both tiers report the same,
      // except for a guard-page fault, which compiled code locates only from
      // its line table: best effort (and, where it has no row, in the function
      // holding the code, not the one inlined there), not compared.
      const Location& w = r.error().where();
      s = "trap: " + r.error().message();
      if (r.error().message() != "out of bounds memory access") s += " in " + w.function + " at " + std::to_string(w.offset);
      out.trapped = true;
    } else {
      for (const Value& v : r.value()) s += show(v) + " ";
    }
    out.calls.push_back(s);
    if (std::getenv("VIVARIUM_DIFF_VERBOSE")) {  // a disagreement's replay, call by call
      std::string a;
      for (const Value& v : args[i]) a += show(v) + " ";
      std::fprintf(stderr, "%s f%zu(%s) -> %s\n", tier == ExecutionTier::Native ? "native" : "interp", i, a.c_str(),
                   s.c_str());
    }
  }
  if (auto mem = inst.memory("mem")) {
    MemoryView v = mem->view();
    if (auto b = v.bytes(0, v.size())) out.memory.assign(b->begin(), b->end());
  }
  for (const char* gname : {"gi", "gI", "gf", "gF"}) {
    if (auto gl = inst.global(gname)) out.globals += show(gl->get()) + " ";
  }
  return out;
}

}  // namespace

DifferentialResult run_differential(std::span<const uint8_t> bytes) {
  static const bool enabled = (Module::enable_native_tier(), true);
  (void)enabled;
  Entropy e(bytes);
  DifferentialResult res;
  const GeneratedModule g = generate_module(e);
  res.wat = g.wat;
  std::vector<std::vector<Value>> args;
  for (const std::string& p : g.params) args.push_back(make_args(e, p));
  auto interp = observe(g, args, ExecutionTier::Interpreter);
  auto native = observe(g, args, ExecutionTier::Native);
  if (!interp || !native) {
    // Both must refuse alike (e.g. a data segment out of range at instantiation).
    const std::string a = interp ? "accepted" : interp.error().message();
    const std::string b = native ? "accepted" : native.error().message();
    if (a != b) res.mismatch = "setup: interpreter " + a + ", native " + b;
    return res;
  }
  res.native = true;
  res.trapped = interp->trapped;
  for (size_t i = 0; i < interp->calls.size(); ++i) {
    if (interp->calls[i] != native->calls[i]) {
      res.mismatch += "f" + std::to_string(i) + ": interpreter " + interp->calls[i] + "| native " + native->calls[i] + "\n";
    }
  }
  if (interp->memory != native->memory) {
    size_t at = 0;
    while (at < interp->memory.size() && at < native->memory.size() && interp->memory[at] == native->memory[at]) ++at;
    res.mismatch += "memory differs (sizes " + std::to_string(interp->memory.size()) + " and " +
                    std::to_string(native->memory.size()) + "), first at byte " + std::to_string(at) + "\n";
  }
  if (interp->globals != native->globals) {
    res.mismatch += "globals: interpreter " + interp->globals + "| native " + native->globals + "\n";
  }
  return res;
}

}  // namespace vivarium::engine::fuzz
