// A guest project on disk, as `vivarium new` creates it and `vivarium
// build|dev|test` use it: its kind is found from its files (Cargo.toml:
// rust; package.json with assembly/: assemblyscript; src/*.c: c; a *.wat in
// src/ or the top: wat), its name is its directory's name, and its module
// is build/NAME.wasm. Its requests for `vivarium test` are tests/requests.txt.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vivarium/error.h"

namespace vivarium::cli {

enum class ProjectKind { C, Rust, AssemblyScript, Wat };

const char* kind_name(ProjectKind kind);
std::optional<ProjectKind> parse_kind(std::string_view name);

struct Project {
  std::filesystem::path dir;
  std::string name;  // a deployment name: the directory's name as a DNS label
  ProjectKind kind;

  std::filesystem::path module() const { return dir / "build" / (name + ".wasm"); }
  std::filesystem::path requests() const { return dir / "tests" / "requests.txt"; }
};

// The project in dir (or an error saying which files were looked for).
Result<Project> find_project(const std::filesystem::path& dir);

// The directory name as a deployment name: lower case, [a-z0-9-], at most 63.
std::string deployment_name(std::string_view dir_name);

// The SDK (sdk/ of the source tree: c/, assemblyscript/, templates/), first
// found of: $VIVARIUM_SDK; PREFIX/share/vivarium/sdk for an installed
// PREFIX/bin/vivarium; an sdk/ beside a directory above the executable (a
// build directory inside the source tree, as build/vivarium is).
Result<std::filesystem::path> sdk_root();

struct BuildOptions {
  bool freestanding = false;  // C: --target=wasm32 -nostdlib with the SDK's allocator
  bool verbose = false;       // print the toolchain's command lines
};

// Compiles the project into project.module(). A missing toolchain is an
// error naming the Debian or npm package that provides it.
Result<void> build_project(const Project& project, const BuildOptions& options);

// The directories whose change calls for a rebuild (`vivarium dev`): src/
// and assembly/ with their subdirectories, and the project's own.
std::vector<std::filesystem::path> watched_paths(const Project& project);

}  // namespace vivarium::cli
