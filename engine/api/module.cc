// vivarium::Module: compile (decode -> validate module -> lower each body),
// text and file entry points, and read-only accessors.
#include "vivarium/module.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "engine/decoder/decoder.h"
#include "engine/runtime/module_builder.h"
#include "engine/text/wat.h"
#include "engine/validator/validator.h"

namespace vivarium {
namespace {

Error with_file(Error e, const std::string& file) {
  if (e.where().file.empty()) e.where().file = file;
  return e;
}

Result<std::unique_ptr<viv::ModuleIR>> decode_and_validate(std::span<const uint8_t> wasm, const CompileOptions& opts,
                                                           bool bodies) {
  auto ir = viv::decode(wasm);
  if (!ir) return with_file(std::move(ir).error(), opts.file);
  if (auto ok = viv::validate_module(**ir, bodies); !ok) return with_file(std::move(ok).error(), opts.file);
  return std::move(ir).value();
}

}  // namespace

Result<Module> Module::compile(std::span<const uint8_t> wasm, const CompileOptions& opts) {
  auto body = [&]() -> Result<Module> {
    VIV_TRY_ASSIGN(auto ir, decode_and_validate(wasm, opts, /*bodies=*/false));
    // Bodies are validated while they are lowered: one pass per function.
    VIV_TRY_ASSIGN(auto impl, detail::build_module(std::move(ir), opts.file));
    return Module(std::move(impl));
  };
  // Nothing throws across the API (the decoder bounds its allocations by the
  // input size, but the host may still run out).
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return Error(ErrorCode::LimitExceeded, "out of host memory while compiling", Location{.file = opts.file});
  }
}

Result<void> Module::validate(std::span<const uint8_t> wasm, const CompileOptions& opts) {
  VIV_TRY(decode_and_validate(wasm, opts, /*bodies=*/true));
  return {};
}

Result<Module> Module::from_text(std::string_view wat, const CompileOptions& opts) {
  auto bin = viv::wat_to_binary(wat, opts.file);
  if (!bin) return with_file(std::move(bin).error(), opts.file);
  return compile(*bin, opts);
}

Result<Module> Module::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    return Error(err == ENOENT ? ErrorCode::NotFound : ErrorCode::Io,
                 std::string("cannot open file: ") + std::strerror(err), Location{.file = path});
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Error(ErrorCode::Io, "cannot read file", Location{.file = path});
  CompileOptions opts;
  opts.file = path;
  static constexpr uint8_t kMagic[4] = {0x00, 0x61, 0x73, 0x6d};
  if (bytes.size() >= 4 && std::equal(kMagic, kMagic + 4, bytes.begin())) return compile(bytes, opts);
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return from_text(text, opts);
}

const std::vector<ImportDesc>& Module::imports() const { return impl_->imports; }
const std::vector<ExportDesc>& Module::exports() const { return impl_->exports; }
const std::vector<SectionInfo>& Module::sections() const { return impl_->ir->sections; }
std::span<const uint8_t> Module::bytes() const { return impl_->ir->bytes; }

std::string_view Module::function_name(uint32_t func_index) const {
  const auto& names = impl_->ir->func_names;
  auto it = names.find(func_index);
  return it == names.end() ? std::string_view() : std::string_view(it->second);
}

}  // namespace vivarium
