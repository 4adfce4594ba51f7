// The directory-backed DeploymentStore (see deployment_store.h).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "server/deployment_store.h"
#include "server/manifest_json.h"

namespace vivarium::server {

namespace fs = std::filesystem;

namespace {

Error io_error(const std::string& what, const fs::path& path, int err) {
  return Error(ErrorCode::Io, what + " " + path.string() + ": " + std::strerror(err));
}

// Writes `data` to `path` atomically: a temporary file in the same directory,
// fsync, rename over the target, fsync of the directory.
Result<void> write_atomically(const fs::path& path, std::string_view data) {
  fs::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot create", tmp, errno);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return io_error("cannot write", tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return io_error("cannot sync", tmp, errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return io_error("cannot rename into", path, errno);
  int dfd = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

Result<std::string> read_whole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error("cannot open", path, errno);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return io_error("cannot read", path, errno);
  return ss.str();
}

class DirStore final : public DeploymentStore {
 public:
  explicit DirStore(fs::path dir) : dir_(std::move(dir)) {}

  Result<std::vector<Manifest>> list() override {
    std::vector<Manifest> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_, ec)) {
      if (entry.path().extension() != ".json") continue;
      auto text = read_whole(entry.path());
      auto m = text.ok() ? manifest_from_json(*text) : Result<Manifest>(text.error());
      if (!m.ok() || m->spec.name != entry.path().stem().string()) {
        spdlog::error("skipping deployment {}: {}", entry.path().string(),
                      m.ok() ? "its name does not match the file name" : m.error().message());
        continue;
      }
      out.push_back(std::move(m).value());
    }
    if (ec) return io_error("cannot list", dir_, ec.value());
    return out;
  }

  Result<std::string> load_module(const Manifest& m) override {
    auto bytes = read_whole(module_path(m.spec.name, m.version));
    if (bytes.ok() && bytes->size() != m.module_size)
      return Error(ErrorCode::Malformed, "module of deployment " + m.spec.name + " has " +
                                             std::to_string(bytes->size()) + " bytes, its manifest says " +
                                             std::to_string(m.module_size));
    return bytes;
  }

  Result<void> save(const Manifest& m, std::string_view module) override {
    VIV_TRY(write_atomically(module_path(m.spec.name, m.version), module));
    VIV_TRY(write_atomically(manifest_path(m.spec.name), manifest_to_json(m).dump(2)));
    remove_modules_except(m.spec.name, m.version);
    return {};
  }

  Result<bool> remove(std::string_view name, std::string_view version) override {
    fs::path path = manifest_path(name);
    if (!version.empty()) {
      auto text = read_whole(path);
      if (!text.ok()) return false;
      auto m = manifest_from_json(*text);
      if (m.ok() && m->version != version) return false;
    }
    if (::unlink(path.c_str()) != 0) {
      if (errno == ENOENT) return false;
      return io_error("cannot remove", path, errno);
    }
    remove_modules_except(name, "");
    return true;
  }

  std::string describe() const override { return dir_.string(); }

 private:
  fs::path manifest_path(std::string_view name) const { return dir_ / (std::string(name) + ".json"); }
  fs::path module_path(std::string_view name, std::string_view version) const {
    return dir_ / (std::string(name) + "." + std::string(version) + ".module");
  }
  // Names are DNS labels (no '.'), so "NAME." prefixes only NAME's files.
  void remove_modules_except(std::string_view name, std::string_view keep_version) {
    std::string prefix = std::string(name) + ".";
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_, ec)) {
      std::string file = entry.path().filename().string();
      if (file.rfind(prefix, 0) != 0 || entry.path().extension() != ".module") continue;
      if (!keep_version.empty() && entry.path() == module_path(name, keep_version)) continue;
      fs::remove(entry.path(), ec);
    }
  }

  fs::path dir_;
};

}  // namespace

Result<std::unique_ptr<DeploymentStore>> open_dir_store(const std::string& data_dir) {
  fs::path dir = fs::path(data_dir) / "deployments";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error(ErrorCode::Io, "cannot create " + dir.string() + ": " + ec.message());
  return std::unique_ptr<DeploymentStore>(new DirStore(dir));
}

}  // namespace vivarium::server
