#include "engine/compiler/code_cache.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>
#include <algorithm>

#include <llvm/ADT/ArrayRef.h>
#include <llvm/ADT/StringMap.h>
#include <llvm/Support/SHA256.h>
#include <llvm/TargetParser/Host.h>

namespace vivarium::engine::compiler {
namespace {

#ifndef VIVARIUM_VERSION
#define VIVARIUM_VERSION "dev"
#endif
// Bump when generated code or NativeCtx changes shape.
constexpr const char* kFormat = "vivarium-native-code-5";
constexpr char kMagic[8] = {'V', 'I', 'V', 'C', 'O', 'D', 'E', '1'};

std::string hex(llvm::ArrayRef<uint8_t> bytes) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t b : bytes) {
    s += d[b >> 4];
    s += d[b & 15];
  }
  return s;
}

std::string digest(llvm::StringRef data) {
  llvm::SHA256 h;
  h.update(data);
  auto r = h.final();
  return hex(llvm::ArrayRef<uint8_t>(r.data(), r.size()));
}

std::string cpu_description() {
  std::string s = llvm::sys::getHostCPUName().str();
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  std::vector<std::string> on;
  for (const auto& f : features)
    if (f.second) on.push_back(f.first().str());
  std::sort(on.begin(), on.end());
  for (const std::string& f : on) s += "," + f;
  return s;
}

std::string path_of(const std::string& dir, const std::string& key) { return dir + "/" + key + ".vcode"; }

// File: magic, key (64 hex), object digest (64 hex), object size (decimal, 20
// chars), then the object.
std::string encode(const std::string& key, const std::string& object) {
  char size[21];
  std::snprintf(size, sizeof size, "%020zu", object.size());
  return std::string(kMagic, sizeof kMagic) + key + digest(object) + size + object;
}

}  // namespace

std::string cache_key(std::span<const uint8_t> wasm) {
  llvm::SHA256 h;
  h.update(llvm::ArrayRef<uint8_t>(wasm.data(), wasm.size()));
  const std::string meta = std::string(kFormat) + "|" VIVARIUM_VERSION "|" + cpu_description() + "|O2";
  h.update(meta);
  auto r = h.final();
  return hex(llvm::ArrayRef<uint8_t>(r.data(), r.size()));
}

std::optional<std::string> cache_load(const std::string& dir, const std::string& key) {
  if (dir.empty()) return std::nullopt;
  std::ifstream in(path_of(dir, key), std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string f = ss.str();
  const size_t head = sizeof kMagic + 64 + 64 + 20;
  if (f.size() < head || std::memcmp(f.data(), kMagic, sizeof kMagic) != 0) return std::nullopt;
  if (f.compare(sizeof kMagic, 64, key) != 0) return std::nullopt;
  const size_t size = std::strtoull(f.substr(sizeof kMagic + 128, 20).c_str(), nullptr, 10);
  if (f.size() != head + size) return std::nullopt;
  std::string object = f.substr(head);
  if (f.compare(sizeof kMagic + 64, 64, digest(object)) != 0) return std::nullopt;  // corrupt or tampered
  return object;
}

bool write_artifact(const std::string& path, const std::string& key, const std::string& object) {
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return false;
    const std::string data = encode(key, object);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) std::filesystem::remove(tmp, ec);
  return !ec;
}

void cache_store(const std::string& dir, const std::string& key, const std::string& object) {
  if (dir.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  write_artifact(path_of(dir, key), key, object);
}

}  // namespace vivarium::engine::compiler
