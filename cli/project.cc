// Finding a project, its kind and the SDK, and building it (see project.h).
#include "cli/project.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "cli/input.h"
#include "cli/subprocess.h"

namespace vivarium::cli {
namespace fs = std::filesystem;

namespace {

Error usage(std::string message) { return Error(ErrorCode::Usage, std::move(message)); }

bool has_file_with(const fs::path& dir, std::string_view ext) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ext) return true;
  return false;
}

std::vector<fs::path> files_with(const fs::path& dir, std::string_view ext) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ext) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// Runs a toolchain command, printing it first when verbose.
Result<void> run_tool(const std::vector<std::string>& argv, const fs::path& cwd, bool verbose,
                      const std::string& missing_hint) {
  if (verbose) {
    std::string line;
    for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
    std::fprintf(stderr, "+ %s\n", line.c_str());
  }
  int rc = run_process(argv, cwd.string());
  if (rc < 0) {
    return Error(ErrorCode::NotFound,
                 argv[0] + " could not be run (" + std::strerror(errno) + "): " + missing_hint);
  }
  if (rc != 0) return Error(ErrorCode::Io, argv[0] + " failed (exit status " + std::to_string(rc) + ")");
  return {};
}

Result<void> build_c(const Project& p, const BuildOptions& o) {
  const std::string hint = "install the Debian packages clang-19, lld-19, wasi-libc and libclang-rt-19-dev-wasm32";
  if (find_program("clang-19").empty()) return Error(ErrorCode::NotFound, "clang-19 not found on PATH: " + hint);
  if (!o.freestanding && !fs::exists("/usr/include/wasm32-wasi/stdlib.h"))
    return Error(ErrorCode::NotFound, "wasi-libc not found (/usr/include/wasm32-wasi): " + hint +
                                          ", or build with --freestanding");
  VIV_TRY_ASSIGN(fs::path sdk, sdk_root());
  std::vector<std::string> argv = {"clang-19", o.freestanding ? "--target=wasm32" : "--target=wasm32-wasi"};
  if (o.freestanding) argv.push_back("-nostdlib");
  for (const char* f : {"-O2", "-Wall", "-Wextra", "-nostartfiles", "-Wl,--no-entry", "-Wl,--gc-sections",
                        "-Wl,--strip-debug",
                        "-Wl,--export-if-defined=run"})  // Terrarium-style guests mark run visibility("default") only
    argv.push_back(f);
  argv.push_back("-I" + (sdk / "c").string());
  argv.push_back("-I" + (p.dir / "src").string());
  auto sources = files_with(p.dir / "src", ".c");
  for (const auto& s : sources) argv.push_back(s.string());
  argv.push_back((sdk / "c" / "src" / "guest.c").string());
  // wasi-libc's stdio, time() and exit() on hostcalls instead of WASI imports.
  argv.push_back((sdk / "c" / "src" / (o.freestanding ? "freestanding.c" : "wasi_shim.c")).string());
  argv.push_back("-o");
  argv.push_back(p.module().string());
  return run_tool(argv, p.dir, o.verbose, hint);
}

// name = "..." in Cargo.toml's [package] table.
std::string crate_name(const fs::path& cargo_toml) {
  std::ifstream in(cargo_toml);
  std::string line;
  bool package = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') package = line.rfind("[package]", 0) == 0;
    if (!package || line.rfind("name", 0) != 0) continue;
    size_t q1 = line.find('"'), q2 = line.rfind('"');
    if (q1 != std::string::npos && q2 > q1) return line.substr(q1 + 1, q2 - q1 - 1);
  }
  return {};
}

Result<void> build_rust(const Project& p, const BuildOptions& o) {
  // Debian's toolchain, never a rustup one that happens to be on PATH.
  const std::string cargo = "/usr/bin/cargo";
  const std::string hint = "install the Debian packages rustc, cargo and libstd-rust-dev-wasm32";
  if (find_program(cargo).empty()) return Error(ErrorCode::NotFound, cargo + " not found: " + hint);
  VIV_TRY(run_tool({cargo, "build", "--release", "--target", "wasm32-unknown-unknown"}, p.dir, o.verbose, hint));
  std::string crate = crate_name(p.dir / "Cargo.toml");
  std::replace(crate.begin(), crate.end(), '-', '_');
  fs::path out = p.dir / "target" / "wasm32-unknown-unknown" / "release" / (crate + ".wasm");
  std::error_code ec;
  fs::copy_file(out, p.module(), fs::copy_options::overwrite_existing, ec);
  if (ec) return Error(ErrorCode::Io, "cannot copy " + out.string() + " to " + p.module().string() + ": " + ec.message());
  return {};
}

Result<void> build_assemblyscript(const Project& p, const BuildOptions& o) {
  VIV_TRY_ASSIGN(fs::path sdk, sdk_root());
  fs::path as_sdk = sdk / "assemblyscript";
  fs::path asc = p.dir / "node_modules" / ".bin" / "asc";
  if (!fs::exists(asc)) asc = as_sdk / "node_modules" / ".bin" / "asc";
  const std::string hint = "install the npm package assemblyscript: run `npm ci` in " + as_sdk.string() +
                           " (scripts/setup.sh does; Debian package npm for npm itself)";
  if (!fs::exists(asc)) return Error(ErrorCode::NotFound, "asc (AssemblyScript compiler) not found: " + hint);
  if (find_program("node").empty())
    return Error(ErrorCode::NotFound, "node not found on PATH: install the Debian package nodejs");
  // --exportTable: the host calls malloc/free through table 0, which binaryen
  // would otherwise drop (nothing in the module uses it); --runtime stub: one
  // instance per request needs no collector; abort: our handler, not an env.abort import.
  return run_tool({asc.string(), "assembly/index.ts", "--path", as_sdk.string(), "--runtime", "stub",
                   "--optimizeLevel", "3", "--shrinkLevel", "1", "--noAssert", "--exportTable",
                   "--use", "abort=~lib/vivarium/index/viv_abort", "--outFile", p.module().string()},
                  p.dir, o.verbose, hint);
}

Result<void> build_wat(const Project& p, const BuildOptions&) {
  auto wats = files_with(p.dir / "src", ".wat");
  if (wats.empty()) wats = files_with(p.dir, ".wat");
  if (wats.size() != 1)
    return usage("a WAT project has exactly one .wat file in src/ (found " + std::to_string(wats.size()) + ")");
  VIV_TRY_ASSIGN(auto bytes, read_module_binary(wats[0].string()));
  std::ofstream out(p.module(), std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) return Error(ErrorCode::Io, "cannot write " + p.module().string());
  return {};
}

}  // namespace

const char* kind_name(ProjectKind kind) {
  switch (kind) {
    case ProjectKind::C: return "c";
    case ProjectKind::Rust: return "rust";
    case ProjectKind::AssemblyScript: return "assemblyscript";
    case ProjectKind::Wat: return "wat";
  }
  return "?";
}

std::optional<ProjectKind> parse_kind(std::string_view name) {
  for (auto k : {ProjectKind::C, ProjectKind::Rust, ProjectKind::AssemblyScript, ProjectKind::Wat})
    if (name == kind_name(k)) return k;
  if (name == "as") return ProjectKind::AssemblyScript;
  return std::nullopt;
}

std::string deployment_name(std::string_view dir_name) {
  std::string out;
  for (char c : dir_name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (ok || (!out.empty() && out.back() != '-')) out += ok ? c : '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.size() > 63) out.resize(63);
  return out.empty() ? "app" : out;
}

Result<Project> find_project(const fs::path& dir_in) {
  std::error_code ec;
  fs::path dir = fs::absolute(dir_in, ec).lexically_normal();
  if (dir.has_filename() == false) dir = dir.parent_path();
  if (!fs::is_directory(dir, ec)) return usage(dir.string() + ": not a directory");
  Project p{dir, deployment_name(dir.filename().string()), ProjectKind::C};
  if (fs::exists(dir / "Cargo.toml")) {
    p.kind = ProjectKind::Rust;
  } else if (fs::exists(dir / "package.json") && fs::is_directory(dir / "assembly")) {
    p.kind = ProjectKind::AssemblyScript;
  } else if (has_file_with(dir / "src", ".c")) {
    p.kind = ProjectKind::C;
  } else if (has_file_with(dir / "src", ".wat") || has_file_with(dir, ".wat")) {
    p.kind = ProjectKind::Wat;
  } else {
    return usage(dir.string() +
                 ": not a Vivarium project (looked for Cargo.toml, package.json with assembly/, src/*.c, "
                 "src/*.wat); create one with `vivarium new NAME --template c|rust|assemblyscript|wat`");
  }
  return p;
}

Result<fs::path> sdk_root() {
  auto is_sdk = [](const fs::path& d) { return fs::exists(d / "c" / "terrarium.h") && fs::is_directory(d / "templates"); };
  if (const char* env = std::getenv("VIVARIUM_SDK"); env && *env) {
    if (is_sdk(env)) return fs::path(env);
    return Error(ErrorCode::NotFound, std::string("VIVARIUM_SDK=") + env + " holds no c/terrarium.h and templates/");
  }
  fs::path bin = self_dir();
  if (is_sdk(bin.parent_path() / "share" / "vivarium" / "sdk")) return bin.parent_path() / "share" / "vivarium" / "sdk";
  for (fs::path d = bin; !d.empty() && d != d.root_path(); d = d.parent_path()) {
    if (is_sdk(d / "sdk")) return d / "sdk";
  }
  return Error(ErrorCode::NotFound, "the Vivarium SDK was not found (looked at $VIVARIUM_SDK, " +
                                        (bin.parent_path() / "share/vivarium/sdk").string() +
                                        " and sdk/ in the directories above " + bin.string() +
                                        "): set VIVARIUM_SDK to the source tree's sdk/ directory");
}

Result<void> build_project(const Project& project, const BuildOptions& options) {
  std::error_code ec;
  fs::create_directories(project.dir / "build", ec);
  if (ec) return Error(ErrorCode::Io, "cannot create " + (project.dir / "build").string() + ": " + ec.message());
  switch (project.kind) {
    case ProjectKind::C: return build_c(project, options);
    case ProjectKind::Rust: return build_rust(project, options);
    case ProjectKind::AssemblyScript: return build_assemblyscript(project, options);
    case ProjectKind::Wat: return build_wat(project, options);
  }
  return {};
}

std::vector<fs::path> watched_paths(const Project& project) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const char* d : {"src", "assembly"}) {
    if (!fs::is_directory(project.dir / d, ec)) continue;
    out.push_back(project.dir / d);
    for (auto it = fs::recursive_directory_iterator(project.dir / d, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
      if (it->is_directory(ec)) out.push_back(it->path());
  }
  out.push_back(project.dir);  // Cargo.toml, package.json, a top-level .wat
  return out;
}

}  // namespace vivarium::cli
