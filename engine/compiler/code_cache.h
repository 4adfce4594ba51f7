// Compiled object code on disk, so a module is compiled by LLVM once per
// machine (issue #15 item 2). A file per key: the key hashes the module's
// bytes, the engine version and translator format, the host CPU and its
// features, and the options that change code. The file holds the key and a
// SHA-256 of the object: a file whose key or digest does not match is
// ignored (and rewritten), never loaded.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace vivarium::engine::compiler {

// Key of `wasm` compiled for this CPU by this build (hex SHA-256).
std::string cache_key(std::span<const uint8_t> wasm);

// The object stored under `key` in `dir`, if present and intact.
std::optional<std::string> cache_load(const std::string& dir, const std::string& key);

// Stores `object` under `key` in `dir` (created if needed); atomic (rename),
// best effort: a cache that cannot be written only costs the next compile.
void cache_store(const std::string& dir, const std::string& key, const std::string& object);

// Writes the same artifact format to `path` (vivarium compile -o).
bool write_artifact(const std::string& path, const std::string& key, const std::string& object);

}  // namespace vivarium::engine::compiler
