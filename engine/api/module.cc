// vivarium::Module: compile (decode -> validate module -> lower each body),
// text and file entry points, and read-only accessors.
#include "vivarium/module.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/decoder/decoder.h"
#include "engine/interp/interp_tier.h"
#include "engine/runtime/module_builder.h"
#include "engine/text/wat.h"
#include "engine/tier/native_slot.h"
#include "engine/validator/validator.h"

namespace vivarium {
namespace {

Error with_file(Error e, const std::string& file) {
  if (e.where().file.empty()) e.where().file = file;
  return e;
}

Result<std::unique_ptr<vivarium::engine::ModuleIR>> decode_and_validate(std::vector<uint8_t>&& wasm, const CompileOptions& opts,
                                                           bool bodies) {
  auto ir = vivarium::engine::decode(std::move(wasm));
  if (!ir) return with_file(std::move(ir).error(), opts.file);
  if (auto ok = vivarium::engine::validate_module(**ir, bodies); !ok) return with_file(std::move(ok).error(), opts.file);
  return std::move(ir).value();
}

Result<const detail::Tier*> tier_for(const CompileOptions& opts) {
  if (opts.tier == ExecutionTier::Auto) {
    if (auto factory = detail::native_tier_factory()) return &factory(opts.cache_dir, true);
  } else if (opts.tier == ExecutionTier::Native) {
    if (auto factory = detail::native_tier_factory()) return &factory(opts.cache_dir, false);
#if VIVARIUM_NATIVE
    return Error(ErrorCode::Unsupported,
                 "this program has not enabled the native tier (Module::enable_native_tier)",
                 Location{.file = opts.file});
#else
    return Error(ErrorCode::Unsupported, "this build has no native tier (built without LLVM)",
                 Location{.file = opts.file});
#endif
  }
  return &vivarium::engine::interpreter_tier();
}

}  // namespace

bool Module::native_tier_available() { return detail::native_tier_factory() != nullptr; }

std::string Module::default_cache_dir() {
  if (const char* d = std::getenv("VIVARIUM_CACHE_DIR"); d && *d) return d;
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return std::string(d) + "/vivarium";
  if (const char* d = std::getenv("HOME"); d && *d) return std::string(d) + "/.cache/vivarium";
  return "";
}

Result<Module> Module::compile(std::span<const uint8_t> wasm, const CompileOptions& opts) {
  try {
    return compile(std::vector<uint8_t>(wasm.begin(), wasm.end()), opts);
  } catch (const std::bad_alloc&) {
    return Error(ErrorCode::LimitExceeded, "out of host memory while compiling", Location{.file = opts.file});
  }
}

Result<Module> Module::compile(std::vector<uint8_t>&& wasm, const CompileOptions& opts) {
  auto body = [&]() -> Result<Module> {
    VIV_TRY_ASSIGN(const detail::Tier* tier, tier_for(opts));
    VIV_TRY_ASSIGN(auto ir, decode_and_validate(std::move(wasm), opts, /*bodies=*/false));
    // Bodies are validated while they are lowered: one pass per function.
    VIV_TRY_ASSIGN(auto impl, detail::build_module(std::move(ir), opts.file, *tier));
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
  VIV_TRY(decode_and_validate(std::vector<uint8_t>(wasm.begin(), wasm.end()), opts, /*bodies=*/true));
  return {};
}

Result<Module> Module::from_text(std::string_view wat, const CompileOptions& opts) {
  auto bin = vivarium::engine::wat_to_binary(wat, opts.file);
  if (!bin) return with_file(std::move(bin).error(), opts.file);
  return compile(std::move(bin).value(), opts);
}

namespace {

// Reads a whole file with one fstat and large read()s: the byte-at-a-time
// stream iterator showed up in `vivarium run` start-up profiles.
Result<std::vector<uint8_t>> read_bytes(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    return Error(err == ENOENT ? ErrorCode::NotFound : ErrorCode::Io,
                 std::string("cannot open file: ") + std::strerror(err), Location{.file = path});
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Error(ErrorCode::Io, std::string("cannot stat file: ") + std::strerror(errno), Location{.file = path});
  if (S_ISDIR(st.st_mode)) return Error(ErrorCode::Io, "cannot read file: is a directory", Location{.file = path});
  std::vector<uint8_t> bytes;
  // Regular files: read exactly their size (growing if the file grew); pipes
  // and other streams: read in chunks until EOF.
  // One byte more than the size, so the first read() already sees EOF
  // instead of filling the buffer and making it double.
  bytes.resize(S_ISREG(st.st_mode) && st.st_size > 0 ? static_cast<size_t>(st.st_size) + 1 : 65536);
  size_t used = 0;
  for (;;) {
    if (used == bytes.size()) bytes.resize(bytes.size() * 2);
    const ssize_t n = ::read(fd, bytes.data() + used, bytes.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error(ErrorCode::Io, std::string("cannot read file: ") + std::strerror(errno), Location{.file = path});
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  bytes.resize(used);
  return bytes;
}

}  // namespace

Result<std::vector<uint8_t>> Module::read_file(const std::string& path) {
  VIV_TRY_ASSIGN(std::vector<uint8_t> bytes, read_bytes(path));
  static constexpr uint8_t kMagic[4] = {0x00, 0x61, 0x73, 0x6d};
  auto ends_with = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  const bool binary = ends_with(".wasm") ||
                      (!ends_with(".wat") && bytes.size() >= 4 && std::equal(kMagic, kMagic + 4, bytes.begin()));
  if (binary) return bytes;
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  auto bin = vivarium::engine::wat_to_binary(text, path);
  if (!bin) return with_file(std::move(bin).error(), path);
  return std::move(bin).value();
}

Result<Module> Module::load_file(const std::string& path, CompileOptions opts) {
  VIV_TRY_ASSIGN(std::vector<uint8_t> bytes, read_file(path));
  opts.file = path;
  return compile(std::move(bytes), opts);
}

const std::vector<ImportDesc>& Module::imports() const { return impl_->imports; }
const std::vector<ExportDesc>& Module::exports() const { return impl_->exports; }
const std::vector<SectionInfo>& Module::sections() const { return impl_->ir->sections; }
std::span<const uint8_t> Module::bytes() const { return impl_->ir->bytes; }

const char* Module::tier_status() const { return impl_->artifact->status(); }

std::string_view Module::function_name(uint32_t func_index) const {
  const auto& names = impl_->ir->func_names;
  auto it = names.find(func_index);
  return it == names.end() ? std::string_view() : std::string_view(it->second);
}

}  // namespace vivarium
