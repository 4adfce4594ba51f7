// `vivarium new NAME --template c|rust|assemblyscript|wat`: a project from
// the SDK's templates (sdk/templates/KIND, found as sdk_root() says: the
// source tree's sdk/ for a build tree, PREFIX/share/vivarium/sdk when
// installed, or $VIVARIUM_SDK). Every file is copied with "{{name}}"
// replaced by the project's deployment name and "{{sdk}}" by the SDK's
// absolute path (the Rust template's path dependency on sdk/rust).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/parse_args.h"
#include "cli/project.h"

namespace vivarium::cli {
namespace fs = std::filesystem;
namespace {

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

Result<void> copy_template(const fs::path& from, const fs::path& to, const std::string& name,
                           const std::string& sdk) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(from, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    fs::path rel = fs::relative(it->path(), from, ec);
    // Build output in a template directory of a source tree is not part of it.
    std::string first = rel.begin()->string();
    if (first == "build" || first == "target" || first == "node_modules") {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    fs::path dest = to / rel;
    if (it->is_directory()) {
      fs::create_directories(dest, ec);
    } else {
      std::ifstream in(it->path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      std::ofstream out(dest, std::ios::binary);
      out << replace_all(replace_all(text.str(), "{{name}}", name), "{{sdk}}", sdk);
      if (!in || !out) return Error(ErrorCode::Io, "cannot copy " + it->path().string() + " to " + dest.string());
    }
    if (ec) break;
  }
  if (ec) return Error(ErrorCode::Io, "cannot copy the template " + from.string() + ": " + ec.message());
  return {};
}

}  // namespace

int cmd_new(int argc, char** argv) {
  CLI::App app{"Create a guest project from a template", "vivarium new"};
  std::string dir, kind_text = "c";
  app.add_option("NAME", dir, "the project's directory (its name is the deployment name)")->required();
  app.add_option("-t,--template", kind_text, "c, rust, assemblyscript or wat")->capture_default_str();
  if (auto status = parse_args(app, argc, argv)) return *status;

  auto kind = parse_kind(kind_text);
  if (!kind) {
    std::fprintf(stderr, "vivarium new: unknown template '%s' (c, rust, assemblyscript, wat)\n", kind_text.c_str());
    return kExitUsage;
  }
  auto sdk = sdk_root();
  if (!sdk.ok()) {
    std::fprintf(stderr, "vivarium new: %s\n", sdk.error().to_string().c_str());
    return 1;
  }
  fs::path from = sdk.value() / "templates" / kind_name(*kind);
  std::error_code ec;
  if (!fs::is_directory(from, ec)) {
    std::fprintf(stderr, "vivarium new: the %s template is missing (%s)\n", kind_name(*kind), from.c_str());
    return 1;
  }
  fs::path to = fs::absolute(dir, ec).lexically_normal();
  if (!to.has_filename()) to = to.parent_path();
  if (fs::exists(to, ec) && !fs::is_empty(to, ec)) {
    std::fprintf(stderr, "vivarium new: %s already exists and is not empty\n", to.c_str());
    return 1;
  }
  fs::create_directories(to, ec);
  if (ec) {
    std::fprintf(stderr, "vivarium new: cannot create %s: %s\n", to.c_str(), ec.message().c_str());
    return 1;
  }
  std::string name = deployment_name(to.filename().string());
  if (auto r = copy_template(from, to, name, fs::absolute(sdk.value(), ec).lexically_normal().string()); !r.ok()) {
    std::fprintf(stderr, "vivarium new: %s\n", r.error().to_string().c_str());
    return 1;
  }
  std::printf("created %s (a %s project, deployment name %s)\n"
              "  cd %s\n"
              "  vivarium build    # build/%s.wasm\n"
              "  vivarium test     # tests/requests.txt against a local server\n"
              "  vivarium dev      # serve at http://%s.localhost:8080/, rebuilding on change\n",
              to.c_str(), kind_name(*kind), name.c_str(), dir.c_str(), name.c_str(), name.c_str());
  return 0;
}

}  // namespace vivarium::cli
