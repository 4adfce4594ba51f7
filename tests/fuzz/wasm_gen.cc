#include "tests/fuzz/wasm_gen.h"

#include <cmath>
#include <cstdio>
#include <limits>

namespace vivarium::engine::fuzz {

uint32_t Entropy::below(uint32_t n) {
  if (n <= 1) return 0;
  uint32_t v = byte();
  if (n > 256) v = (v << 8) | byte();
  if (n > 65536) v = (v << 16) | byte() << 8 | byte();
  return v % n;
}

uint64_t Entropy::u64() {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | byte();
  return v;
}

namespace {

// Value types as one letter: i32 'i', i64 'I', f32 'f', f64 'F'.
constexpr char kTypes[] = {'i', 'I', 'f', 'F'};
const char* name(char t) { return t == 'i' ? "i32" : t == 'I' ? "i64" : t == 'f' ? "f32" : "f64"; }
bool is_int(char t) { return t == 'i' || t == 'I'; }

constexpr int kMaxFuncs = 5;
constexpr int kNodesPerFunc = 90;
constexpr int kMaxLoopNesting = 3;

class Gen {
 public:
  explicit Gen(Entropy& e) : e_(e) {}
  GeneratedModule run();

 private:
  struct Fn {
    std::string params;
    char result = 0;  // 0: none
  };
  char any_type() { return kTypes[e_.below(4)]; }
  std::string konst(char t);
  std::string leaf(char t);
  std::string expr(char t, int d);
  std::string int_expr(char t, int d);
  std::string float_expr(char t, int d);
  std::string shared_expr(char t, int d, bool& done);
  std::string stmt(int d);
  std::string stmts(int d, int n);
  std::string addr(int d);
  std::string canon(char t, const std::string& x);
  std::string call_args(const Fn& f, int d);
  std::string func(size_t i);
  bool spend() { return ++nodes_ <= kNodesPerFunc; }

  Entropy& e_;
  std::vector<Fn> fns_;
  size_t cur_ = 0;
  std::string locals_;  // parameters and random locals, by index
  int loops_ = 0;       // loop nesting (its counter local is $c<loops_>)
  int nodes_ = 0;
};

std::string fmt_float(double v, bool f32) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", f32 ? static_cast<double>(static_cast<float>(v)) : v);
  return buf;
}

std::string Gen::konst(char t) {
  static constexpr int64_t kInts[] = {0, 1, -1, 2, 7, 31, 32, 63, 64, 255, 65535, 65536, 65532,
                                      0x7fffffff, -0x7fffffff - 1, 0x80000000LL, INT64_MAX, INT64_MIN};
  static constexpr double kFloats[] = {0.0, -0.0, 1.0, -1.5, 0.5, 1e30, -1e-30, 2147483648.0, -2147483649.0,
                                       4294967296.0, 9223372036854775808.0, 1.8446744073709552e19,
                                       std::numeric_limits<double>::infinity(),
                                       -std::numeric_limits<double>::infinity(),
                                       std::numeric_limits<double>::quiet_NaN(), 3.75, -0.49999};
  std::string s = std::string("(") + name(t) + ".const ";
  if (is_int(t)) {
    int64_t v = e_.chance(70) ? kInts[e_.below(std::size(kInts))] : static_cast<int64_t>(e_.u64());
    if (t == 'i') v = static_cast<int32_t>(v);
    return s + std::to_string(v) + ")";
  }
  double v = e_.chance(80) ? kFloats[e_.below(std::size(kFloats))]
                           : static_cast<double>(static_cast<int64_t>(e_.u64() % 2000001) - 1000000) / 64.0;
  return s + fmt_float(v, t == 'f') + ")";
}

std::string Gen::leaf(char t) {
  std::vector<size_t> ok;
  for (size_t k = 0; k < locals_.size(); ++k)
    if (locals_[k] == t) ok.push_back(k);
  const uint32_t c = e_.below(3);
  if (c == 0 && !ok.empty()) return "(local.get " + std::to_string(ok[e_.below(ok.size())]) + ")";
  if (c == 1) return std::string("(global.get $g") + t + ")";
  return konst(t);
}

// NaN -> 0, through a scratch local so `x` is evaluated once.
std::string Gen::canon(char t, const std::string& x) {
  const std::string s = std::string("$s") + t, n = name(t);
  return "(select (local.tee " + s + " " + x + ") (" + n + ".const 0) (" + n + ".eq (local.get " + s +
         ") (local.get " + s + ")))";
}

std::string Gen::addr(int d) {
  switch (e_.below(6)) {
    case 0: return "(i32.const " + std::to_string(65520 + e_.below(24)) + ")";  // around the end of page 0
    case 1: return expr('i', d - 1);                                            // anywhere: mostly out of bounds
    case 2: return "(i32.const " + std::to_string(e_.below(256)) + ")";
    default: return "(i32.and " + expr('i', d - 1) + " (i32.const 0xfff8))";
  }
}

std::string Gen::call_args(const Fn& f, int d) {
  std::string s;
  for (char p : f.params) s += " " + expr(p, d - 1);
  return s;
}

// Forms every type has: loads, select, if, block, calls, local.tee.
std::string Gen::shared_expr(char t, int d, bool& done) {
  done = true;
  const std::string n = name(t);
  switch (e_.below(8)) {
    case 0: {
      static const char* kI32[] = {"load", "load8_s", "load8_u", "load16_s", "load16_u"};
      static const char* kI64[] = {"load", "load8_s", "load8_u", "load16_s", "load16_u", "load32_s", "load32_u"};
      std::string op = t == 'i' ? kI32[e_.below(5)] : t == 'I' ? kI64[e_.below(7)] : "load";
      static constexpr uint32_t kOffsets[] = {0, 0, 0, 1, 3, 8, 100, 65535};
      const uint32_t off = kOffsets[e_.below(8)];
      return "(" + n + "." + op + (off ? " offset=" + std::to_string(off) : "") + " " + addr(d) + ")";
    }
    case 1: return "(select " + expr(t, d - 1) + " " + expr(t, d - 1) + " " + expr('i', d - 1) + ")";
    case 2:
      return "(if (result " + n + ") " + expr('i', d - 1) + " (then " + stmts(d - 1, 1) + " " + expr(t, d - 1) +
             ") (else " + expr(t, d - 1) + "))";
    case 3:
      return "(block (result " + n + ") (drop (br_if 0 " + expr(t, d - 1) + " " + expr('i', d - 1) + ")) " +
             stmts(d - 1, 1) + " " + expr(t, d - 1) + ")";
    case 4:
    case 5: {
      std::vector<size_t> callees;
      for (size_t j = cur_ + 1; j < fns_.size(); ++j)
        if (fns_[j].result == t) callees.push_back(j);
      if (callees.empty()) break;
      const size_t j = callees[e_.below(callees.size())];
      if (e_.chance(70)) return "(call $f" + std::to_string(j) + call_args(fns_[j], d) + ")";
      // Any table slot: a wrong signature or an empty slot traps alike in both tiers.
      return "(call_indirect (type $t" + std::to_string(j) + ")" + call_args(fns_[j], d) + " (i32.and " +
             expr('i', d - 1) + " (i32.const 7)))";
    }
    case 6: {
      std::vector<size_t> ok;
      for (size_t k = 0; k < locals_.size(); ++k)
        if (locals_[k] == t) ok.push_back(k);
      if (ok.empty()) break;
      return "(local.tee " + std::to_string(ok[e_.below(ok.size())]) + " " + expr(t, d - 1) + ")";
    }
    default: break;
  }
  done = false;
  return {};
}

std::string Gen::int_expr(char t, int d) {
  const std::string n = name(t);
  switch (e_.below(6)) {
    case 0: {
      static const char* kOps[] = {"add", "sub", "mul", "and", "or", "xor", "shl", "shr_s", "shr_u",
                                   "rotl", "rotr", "div_s", "div_u", "rem_s", "rem_u"};
      return "(" + n + "." + kOps[e_.below(15)] + " " + expr(t, d - 1) + " " + expr(t, d - 1) + ")";
    }
    case 1: {
      static const char* kOps[] = {"clz", "ctz", "popcnt", "extend8_s", "extend16_s", "extend32_s"};
      return "(" + n + "." + kOps[e_.below(t == 'I' ? 6 : 5)] + " " + expr(t, d - 1) + ")";
    }
    case 2: {
      const char u = any_type();
      std::string c;
      if (is_int(u)) {
        static const char* kOps[] = {"eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"};
        c = e_.chance(15) ? std::string("(") + name(u) + ".eqz " + expr(u, d - 1) + ")"
                          : std::string("(") + name(u) + "." + kOps[e_.below(10)] + " " + expr(u, d - 1) + " " +
                                expr(u, d - 1) + ")";
      } else {
        static const char* kOps[] = {"eq", "ne", "lt", "gt", "le", "ge"};
        c = std::string("(") + name(u) + "." + kOps[e_.below(6)] + " " + expr(u, d - 1) + " " + expr(u, d - 1) + ")";
      }
      return t == 'i' ? c : "(i64.extend_i32_u " + c + ")";
    }
    case 3: {
      const char f = e_.chance(50) ? 'f' : 'F';
      static const char* kTrunc[] = {"trunc", "trunc_sat"};
      const std::string op = std::string(kTrunc[e_.below(2)]) + "_" + name(f) + (e_.chance(50) ? "_s" : "_u");
      switch (e_.below(3)) {
        case 0: return t == 'i' ? "(i32.wrap_i64 " + expr('I', d - 1) + ")"
                                : std::string("(i64.extend_i32_") + (e_.chance(50) ? "s " : "u ") + expr('i', d - 1) + ")";
        case 1: return "(" + n + "." + op + " " + expr(f, d - 1) + ")";
        default: {
          const char from = t == 'i' ? 'f' : 'F';
          return "(" + n + ".reinterpret_" + name(from) + " " + canon(from, expr(from, d - 1)) + ")";
        }
      }
    }
    case 4:
      if (t == 'i' && e_.chance(30)) {
        return e_.chance(50) ? std::string("(memory.size)") : "(memory.grow (i32.and " + expr('i', d - 1) + " (i32.const 1)))";
      }
      [[fallthrough]];
    default: {
      bool done = false;
      std::string s = shared_expr(t, d, done);
      return done ? s : leaf(t);
    }
  }
}

std::string Gen::float_expr(char t, int d) {
  const std::string n = name(t);
  switch (e_.below(5)) {
    case 0: {
      static const char* kOps[] = {"add", "sub", "mul", "div", "min", "max", "copysign"};
      const uint32_t k = e_.below(7);
      std::string rhs = expr(t, d - 1);
      if (k == 6) rhs = canon(t, rhs);
      return "(" + n + "." + kOps[k] + " " + expr(t, d - 1) + " " + rhs + ")";
    }
    case 1: {
      static const char* kOps[] = {"abs", "neg", "sqrt", "ceil", "floor", "trunc", "nearest"};
      return "(" + n + "." + kOps[e_.below(7)] + " " + expr(t, d - 1) + ")";
    }
    case 2: {
      const char from = e_.chance(50) ? 'i' : 'I';
      switch (e_.below(3)) {
        case 0: return "(" + n + ".convert_" + name(from) + (e_.chance(50) ? "_s " : "_u ") + expr(from, d - 1) + ")";
        case 1: return t == 'f' ? "(f32.demote_f64 " + expr('F', d - 1) + ")" : "(f64.promote_f32 " + expr('f', d - 1) + ")";
        default: return "(" + n + ".reinterpret_" + (t == 'f' ? "i32 " : "i64 ") + expr(t == 'f' ? 'i' : 'I', d - 1) + ")";
      }
    }
    default: {
      bool done = false;
      std::string s = shared_expr(t, d, done);
      return done ? s : leaf(t);
    }
  }
}

std::string Gen::expr(char t, int d) {
  if (d <= 0 || !spend()) return leaf(t);
  if (e_.chance(20)) return leaf(t);
  return is_int(t) ? int_expr(t, d) : float_expr(t, d);
}

std::string Gen::stmt(int d) {
  if (d <= 0 || !spend()) return "(nop)";
  switch (e_.below(10)) {
    case 0:
      if (!locals_.empty()) {
        const size_t k = e_.below(locals_.size());
        return "(local.set " + std::to_string(k) + " " + expr(locals_[k], d - 1) + ")";
      }
      [[fallthrough]];
    case 1: {
      const char t = any_type();
      return std::string("(global.set $g") + t + " " + expr(t, d - 1) + ")";
    }
    case 2:
    case 3: {
      const char t = any_type();
      static const char* kI32[] = {"store", "store8", "store16"};
      static const char* kI64[] = {"store", "store8", "store16", "store32"};
      const std::string op = t == 'i' ? kI32[e_.below(3)] : t == 'I' ? kI64[e_.below(4)] : "store";
      static constexpr uint32_t kOffsets[] = {0, 0, 0, 2, 8, 100, 65535};
      const uint32_t off = kOffsets[e_.below(7)];
      std::string v = expr(t, d - 1);
      if (!is_int(t)) v = canon(t, v);
      return std::string("(") + name(t) + "." + op + (off ? " offset=" + std::to_string(off) : "") + " " + addr(d) +
             " " + v + ")";
    }
    case 4: return "(if " + expr('i', d - 1) + " (then " + stmts(d - 1, 2) + ") (else " + stmts(d - 1, 2) + "))";
    case 5: {
      if (loops_ >= kMaxLoopNesting) return "(drop " + expr('I', d - 1) + ")";
      const std::string c = "$c" + std::to_string(loops_), l = "$l" + std::to_string(loops_);
      ++loops_;
      std::string body = stmts(d - 1, 3);
      --loops_;
      return "(local.set " + c + " (i32.const " + std::to_string(1 + e_.below(12)) + ")) (loop " + l + " " + body +
             " (br_if " + l + " (local.tee " + c + " (i32.sub (local.get " + c + ") (i32.const 1)))))";
    }
    case 6: return "(drop " + expr(any_type(), d - 1) + ")";
    case 7: {
      std::vector<size_t> callees;
      for (size_t j = cur_ + 1; j < fns_.size(); ++j)
        if (fns_[j].result == 0) callees.push_back(j);
      if (callees.empty()) return "(drop " + expr('i', d - 1) + ")";
      const size_t j = callees[e_.below(callees.size())];
      return "(call $f" + std::to_string(j) + call_args(fns_[j], d) + ")";
    }
    case 8:
      if (e_.chance(50)) {
        return "(memory.fill " + addr(d) + " " + expr('i', d - 1) + " (i32.and " + expr('i', d - 1) +
               " (i32.const 63)))";
      }
      return "(memory.copy " + addr(d) + " " + addr(d) + " (i32.and " + expr('i', d - 1) + " (i32.const 63)))";
    default:
      if (fns_[cur_].result != 0 && e_.chance(20)) return "(return " + expr(fns_[cur_].result, d - 1) + ")";
      return "(block " + stmts(d - 1, 2) + " (br_if 0 " + expr('i', d - 1) + ") " + stmts(d - 1, 2) + ")";
  }
}

std::string Gen::stmts(int d, int n) {
  std::string s;
  const int k = static_cast<int>(e_.below(static_cast<uint32_t>(n) + 1));
  for (int i = 0; i < k; ++i) s += (i ? " " : "") + stmt(d);
  return s.empty() ? "(nop)" : s;
}

std::string Gen::func(size_t i) {
  cur_ = i;
  nodes_ = 0;
  loops_ = 0;
  locals_ = fns_[i].params;
  std::string decl;
  const uint32_t extra = e_.below(4);
  for (uint32_t k = 0; k < extra; ++k) {
    const char t = any_type();
    locals_ += t;
    decl += std::string(" (local ") + name(t) + ")";
  }
  decl += " (local $sf f32) (local $sF f64)";
  for (int k = 0; k < kMaxLoopNesting; ++k) decl += " (local $c" + std::to_string(k) + " i32)";
  std::string body = stmts(4, 4);
  if (fns_[i].result) body += " " + expr(fns_[i].result, 5);
  return "  (func $f" + std::to_string(i) + " (export \"f" + std::to_string(i) + "\") (type $t" + std::to_string(i) +
         ")" + decl + "\n    " + body + ")\n";
}

GeneratedModule Gen::run() {
  const uint32_t nf = 1 + e_.below(kMaxFuncs);
  for (uint32_t i = 0; i < nf; ++i) {
    Fn f;
    const uint32_t np = e_.below(4);
    for (uint32_t k = 0; k < np; ++k) f.params += any_type();
    const uint32_t r = e_.below(5);
    f.result = r < 4 ? kTypes[r] : 0;
    fns_.push_back(f);
  }
  std::string m = "(module\n";
  for (uint32_t i = 0; i < nf; ++i) {
    m += "  (type $t" + std::to_string(i) + " (func";
    for (char p : fns_[i].params) m += std::string(" (param ") + name(p) + ")";
    if (fns_[i].result) m += std::string(" (result ") + name(fns_[i].result) + ")";
    m += "))\n";
  }
  // No maximum: compiled code leaves bounds checks to the guard pages; a
  // maximum below 4 GiB: it checks explicitly.
  m += e_.chance(60) ? "  (memory (export \"mem\") 1)\n" : "  (memory (export \"mem\") 1 3)\n";
  m += "  (table 8 funcref)\n  (elem (i32.const 0)";
  for (uint32_t i = 0; i < nf; ++i) m += " $f" + std::to_string(i);
  m += ")\n";
  for (char t : kTypes) {
    m += std::string("  (global $g") + t + " (export \"g" + t + "\") (mut " + name(t) + ") " + konst(t) + ")\n";
  }
  m += "  (data (i32.const 0) \"";
  for (int k = 0; k < 64; ++k) {
    char b[8];
    std::snprintf(b, sizeof b, "\\%02x", e_.below(256));
    m += b;
  }
  m += "\")\n  (data (i32.const 65504) \"\\01\\02\\03\\04\\05\\06\\07\\08\\ff\\fe\\fd\\fc\")\n";
  for (uint32_t i = 0; i < nf; ++i) m += func(i);
  m += ")\n";
  GeneratedModule out;
  out.wat = std::move(m);
  for (const Fn& f : fns_) out.params.push_back(f.params);
  return out;
}

}  // namespace

GeneratedModule generate_module(Entropy& e) { return Gen(e).run(); }

}  // namespace vivarium::engine::fuzz
