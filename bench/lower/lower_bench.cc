// Lowering-time and internal-form-size measurement (issue 5: "turning a
// 0.5 MB code section into internal form takes under 20 ms; the internal form
// is at most 3x the size of the code section").
//
// Times each phase of Module::compile separately, median over REPS runs:
//   decode            engine/decoder: sections, bodies as byte ranges
//   module-validate   validate_module(bodies=false): everything but bodies
//   lower             lower_function per body (validates it in the same pass)
//   compile           Module::compile end to end (what `vivarium run` pays)
//   validate-full     Module::validate: decode + validate with bodies, no
//                     lowering -- so compile - validate-full is the cost the
//                     internal form adds over validation alone
// and sums compiled_size() over all functions against the code section's size.
//
//   lower_bench [--reps N] [--json] MODULE.wasm
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "engine/decoder/decoder.h"
#include "engine/interp/compiled.h"
#include "engine/interp/interp.h"
#include "engine/runtime/module_impl.h"
#include "engine/validator/validator.h"
#include "vivarium/module.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int fail(const std::string& what) {
  std::fprintf(stderr, "lower_bench: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 15;
  bool json = false;
  std::string path;
  for (int i = 1; i < argc; i++) {
    if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) reps = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--json")) json = true;
    else if (argv[i][0] == '-') return fail(std::string("unknown option ") + argv[i] + "\nusage: lower_bench [--reps N] [--json] MODULE.wasm");
    else path = argv[i];
  }
  if (path.empty()) return fail("usage: lower_bench [--reps N] [--json] MODULE.wasm");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot open " + path);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  std::vector<double> t_decode, t_modval, t_lower, t_compile, t_validate;
  size_t code_section = 0, internal = 0, funcs = 0, code_bytes = 0, offset_bytes = 0;
  for (int r = 0; r < reps; r++) {
    auto t0 = Clock::now();
    auto ir = vivarium::engine::decode(bytes);
    if (!ir) return fail("decode: " + ir.error().to_string());
    t_decode.push_back(ms_since(t0));
    t0 = Clock::now();
    if (auto ok = vivarium::engine::validate_module(**ir, /*bodies=*/false); !ok) return fail("validate: " + ok.error().to_string());
    t_modval.push_back(ms_since(t0));
    std::vector<vivarium::engine::CompiledFuncPtr> code;
    code.reserve((*ir)->funcs.size());
    t0 = Clock::now();
    for (uint32_t i = 0; i < (*ir)->funcs.size(); i++) {
      auto f = vivarium::engine::lower_function(**ir, i);
      if (!f) return fail("lower: " + f.error().to_string());
      code.push_back(std::move(f).value());
    }
    t_lower.push_back(ms_since(t0));
    if (r == 0) {
      funcs = code.size();
      for (const auto& f : code) {
        internal += vivarium::engine::compiled_size(*f);
        code_bytes += f->code_words * sizeof(vivarium::engine::interp::Word);
        offset_bytes += f->offset_table_bytes;
      }
      for (const auto& s : (*ir)->sections)
        if (s.id == 10) code_section = s.size;
    }
    code.clear();

    t0 = Clock::now();
    auto m = vivarium::Module::compile(bytes);
    if (!m) return fail("compile: " + m.error().to_string());
    t_compile.push_back(ms_since(t0));
    t0 = Clock::now();
    if (auto ok = vivarium::Module::validate(bytes); !ok) return fail("validate: " + ok.error().to_string());
    t_validate.push_back(ms_since(t0));
  }
  double dec = median(t_decode), mv = median(t_modval), low = median(t_lower), comp = median(t_compile),
         val = median(t_validate);
  double ratio = code_section ? double(internal) / double(code_section) : 0;
  if (json) {
    std::printf(
        "{\"module\": \"%s\", \"functions\": %zu, \"code_section_bytes\": %zu, \"internal_bytes\": %zu, "
        "\"size_ratio\": %.3f, \"reps\": %d, \"decode_ms\": %.3f, \"module_validate_ms\": %.3f, \"lower_ms\": %.3f, "
        "\"compile_ms\": %.3f, \"compile_min_ms\": %.3f, \"compile_max_ms\": %.3f, \"validate_full_ms\": %.3f}\n",
        path.c_str(), funcs, code_section, internal, ratio, reps, dec, mv, low, comp,
        *std::min_element(t_compile.begin(), t_compile.end()), *std::max_element(t_compile.begin(), t_compile.end()),
        val);
  } else {
    std::printf("%s: %zu functions, code section %zu bytes, internal form %zu bytes (%.2fx)\n", path.c_str(), funcs,
                code_section, internal, ratio);
    std::printf("internal form: instructions %zu bytes, trap-offset table %zu bytes, per-function headers %zu bytes\n",
                code_bytes, offset_bytes, internal - code_bytes - offset_bytes);
    std::printf("median of %d: decode %.2f ms, module validation %.2f ms, lowering+body validation %.2f ms\n", reps,
                dec, mv, low);
    std::printf("Module::compile %.2f ms (min %.2f, max %.2f); Module::validate (no lowering) %.2f ms\n", comp,
                *std::min_element(t_compile.begin(), t_compile.end()),
                *std::max_element(t_compile.begin(), t_compile.end()), val);
  }
  return 0;
}
