// `vivarium inspect FILE`: what a module contains — sections with offsets and
// sizes, imports and exports with their types, function count and code size.
// It reads the decoder's output directly (not a compiled Module) so that a
// module that fails validation can still be inspected. --disasm prints each
// function with the text printer (engine/text/printer.h); --lowered prints
// its internal form, as the interpreter lowers it (engine/interp/disasm.h).
#include <CLI/CLI.hpp>
#include <cinttypes>
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/parse_args.h"
#include "cli/input.h"
#include "engine/decoder/decoder.h"
#include "engine/interp/disasm.h"
#include "engine/text/printer.h"

namespace vivarium::cli {
namespace {

std::string limits_str(const Limits& l) {
  std::string s = std::to_string(l.min);
  if (l.has_max) s += ".." + std::to_string(l.max);
  return s;
}

std::string global_str(const GlobalType& g) {
  return g.mut ? std::string("(mut ") + to_string(g.type) + ")" : std::string(to_string(g.type));
}

std::string type_of(const vivarium::engine::ModuleIR& m, ExternKind kind, uint32_t index) {
  switch (kind) {
    case ExternKind::Func:
      return index < m.total_funcs() ? m.func_type(index).to_string() : "<bad index>";
    case ExternKind::Table:
      if (index >= m.total_tables()) return "<bad index>";
      return std::string(to_string(m.table_type(index).elem)) + " " + limits_str(m.table_type(index).limits);
    case ExternKind::Memory:
      if (index >= m.total_memories()) return "<bad index>";
      return "pages " + limits_str(m.memory_type(index).limits);
    case ExternKind::Global:
      return index < m.total_globals() ? global_str(m.global_type(index)) : "<bad index>";
  }
  return "";
}

std::string import_type(const vivarium::engine::ModuleIR& m, const vivarium::engine::Import& im) {
  switch (im.kind) {
    case ExternKind::Func:
      return im.type_index < m.types.size() ? m.types[im.type_index].to_string() : "<bad type index>";
    case ExternKind::Table: return std::string(to_string(im.table.elem)) + " " + limits_str(im.table.limits);
    case ExternKind::Memory: return "pages " + limits_str(im.memory.limits);
    case ExternKind::Global: return global_str(im.global);
  }
  return "";
}

}  // namespace

int cmd_inspect(int argc, char** argv) {
  CLI::App app{"Show a module's sections, imports, exports and sizes", "vivarium inspect"};
  std::string path;
  bool disasm = false;
  app.add_option("FILE", path, "module file (binary or text)")->required();
  app.add_flag("-d,--disasm", disasm, "also print every defined function in the text format");
  bool lowered = false;
  int64_t only = -1;
  app.add_flag("--lowered", lowered, "also print every defined function's internal form (the interpreter's)");
  app.add_option("--func", only, "with --disasm or --lowered: only defined function N")->check(CLI::NonNegativeNumber);
  if (auto status = parse_args(app, argc, argv)) return *status;

  auto bytes = read_module_binary(path);
  if (!bytes.ok()) {
    std::fprintf(stderr, "%s\n", bytes.error().to_string().c_str());
    return 1;
  }
  auto decoded = vivarium::engine::decode(bytes.value());
  if (!decoded.ok()) {
    Error e = decoded.error();
    if (e.where().file.empty()) e.where().file = path;
    std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return 1;
  }
  const vivarium::engine::ModuleIR& m = *decoded.value();

  std::printf("%s: %zu bytes\n", path.c_str(), bytes.value().size());
  if (!m.module_name.empty()) std::printf("module name: $%s\n", m.module_name.c_str());

  std::printf("\nsections (%zu):\n", m.sections.size());
  std::printf("  %-20s %4s %10s %10s\n", "name", "id", "offset", "size");
  for (const SectionInfo& s : m.sections) {
    std::printf("  %-20s %4u %#10" PRIx64 " %10" PRIu64 "\n", s.name.c_str(), s.id, s.offset, s.size);
  }

  std::printf("\nimports (%zu):\n", m.imports.size());
  for (const vivarium::engine::Import& im : m.imports) {
    std::printf("  %-6s %s.%s: %s\n", to_string(im.kind), im.module.c_str(), im.name.c_str(),
                import_type(m, im).c_str());
  }

  std::printf("\nexports (%zu):\n", m.exports.size());
  for (const vivarium::engine::Export& ex : m.exports) {
    std::string shown = ex.kind == ExternKind::Func ? m.func_display_name(ex.index)
                                                    : std::string(to_string(ex.kind)) + "[" + std::to_string(ex.index) + "]";
    std::printf("  %-6s \"%s\" = %s: %s\n", to_string(ex.kind), ex.name.c_str(), shown.c_str(),
                type_of(m, ex.kind, ex.index).c_str());
  }

  uint64_t code_bytes = 0;
  for (const vivarium::engine::FuncDef& f : m.funcs) code_bytes += f.whole.size();
  std::printf("\nfunctions: %u (%u imported, %zu defined), code size %" PRIu64 " bytes\n", m.total_funcs(),
              m.num_imported_funcs, m.funcs.size(), code_bytes);
  std::printf("tables: %u, memories: %u, globals: %u, element segments: %zu, data segments: %zu\n",
              m.total_tables(), m.total_memories(), m.total_globals(), m.elems.size(), m.datas.size());
  if (m.start) std::printf("start: %s\n", m.func_display_name(*m.start).c_str());
  int status = 0;
  for (uint32_t i = 0; i < m.funcs.size(); ++i) {
    if (only >= 0 && i != only) continue;
    if (disasm) {
      std::string text = vivarium::engine::print_function(m, i);
      if (!text.ends_with('\n')) text += '\n';
      std::printf("\n%s", text.c_str());
    }
    if (!lowered) continue;
    auto text = vivarium::engine::interp::lowered_text(m, i);
    if (text.ok()) std::printf("\n%s", text->c_str());
    else std::fprintf(stderr, "%s\n", text.error().to_string().c_str()), status = 1;
  }
  return status;
}

}  // namespace vivarium::cli
