// A compiled module: decoded, validated and lowered to the interpreter's
// internal form once. Immutable after creation; share it freely across threads
// and instantiate it as often as you like (that is the cheap operation).
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vivarium/error.h"
#include "vivarium/types.h"

namespace vivarium {

namespace detail { struct ModuleImpl; }

struct ImportDesc {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  FuncType func;      // kind == Func
  TableType table;    // kind == Table
  MemoryType memory;  // kind == Memory
  GlobalType global;  // kind == Global
};

struct ExportDesc {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;  // in the module's index space of that kind
  FuncType func;       // kind == Func
  TableType table;
  MemoryType memory;
  GlobalType global;
};

// Which tier runs a module's functions. Native needs a build with the LLVM
// tier (VIVARIUM_NATIVE); Module::native_tier_available() says. Auto starts
// in the interpreter at once and switches each function to native code at
// its next call once a background thread has compiled the module (at once
// when the code cache has it); without the native tier it is the interpreter.
enum class ExecutionTier : uint8_t { Interpreter, Native, Auto };

struct CompileOptions {
  std::string file;  // path used in error locations
  ExecutionTier tier = ExecutionTier::Interpreter;
  // Native tier: folder of the compiled-code cache (empty: no cache). A
  // module compiled before on this machine by this build loads from it.
  std::string cache_dir;
};

class Module {
 public:
  // Decode + validate + lower. Errors carry phase, message and byte offset.
  static Result<Module> compile(std::span<const uint8_t> wasm, const CompileOptions& opts = {});
  // The same, taking over the buffer instead of copying it.
  static Result<Module> compile(std::vector<uint8_t>&& wasm, const CompileOptions& opts = {});
  // Parse the text format (a single module) and compile it; errors carry line:column.
  static Result<Module> from_text(std::string_view wat, const CompileOptions& opts = {});
  // The binary encoding of a module file: a ".wasm" file is always binary
  // (so an empty or corrupt one gets a binary-format error), a ".wat" file is
  // always text; any other name is binary when it starts with "\0asm" and
  // text otherwise. Text errors carry file:line:column.
  static Result<std::vector<uint8_t>> read_file(const std::string& path);
  // read_file + compile.
  static Result<Module> load_file(const std::string& path, CompileOptions opts = {});  // opts.file = path
  // Decode and validate only (no lowering): what `vivarium validate` runs.
  // Whether this process has the native tier (ExecutionTier::Native): true
  // once enable_native_tier() has run.
  static bool native_tier_available();
  // Makes the LLVM tier available to compile() in this process. Defined only
  // in builds with the native tier (VIVARIUM_NATIVE), in engine/compiler: a
  // program that never calls it links none of LLVM (the static `vivarium`
  // CLI, whose start-up LLVM's static constructors would triple; it execs
  // `vivarium-native` for --tier native and `compile`).
  static void enable_native_tier();
  // The compiled-code cache's usual folder: $VIVARIUM_CACHE_DIR, else
  // $XDG_CACHE_HOME/vivarium, else $HOME/.cache/vivarium ("" if none is known).
  static std::string default_cache_dir();
  static Result<void> validate(std::span<const uint8_t> wasm, const CompileOptions& opts = {});

  const std::vector<ImportDesc>& imports() const;
  const std::vector<ExportDesc>& exports() const;
  const std::vector<SectionInfo>& sections() const;
  std::span<const uint8_t> bytes() const;
  // What runs this module's functions now: "interpreter", "native", or
  // "compiling" (ExecutionTier::Auto: the interpreter, until native code is ready).
  const char* tier_status() const;
  // Name of a function from the name section, or "" if it has none.
  std::string_view function_name(uint32_t func_index) const;

  const detail::ModuleImpl& impl() const { return *impl_; }
  explicit Module(std::shared_ptr<const detail::ModuleImpl> impl) : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<const detail::ModuleImpl> impl_;
};

}  // namespace vivarium
