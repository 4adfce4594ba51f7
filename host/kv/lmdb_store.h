// The embedded KV backend: one LMDB environment in a directory.
//
// Layout: one database; a record's key is
//   [len(ns): 1 byte][ns][0x00][key]            when that fits LMDB's key limit (511 bytes),
//   [len(ns): 1 byte][ns][0x01][SHA-256(key)]   otherwise, the value then being
//                                                [len(key): 4 bytes BE][key][value].
// The length prefix makes namespaces unambiguous (no namespace is a prefix of
// another's records), a key has exactly one form, and a namespace's records
// are contiguous so keys() and drop_namespace() are one range scan.
// Every write returns once committed with fsync; concurrent writes share one
// commit (group commit), each in a nested transaction of its own. The map
// grows (doubles) when full. Private to host/kv: use open_kv().
#pragma once
#include <memory>
#include <string>

#include "host/kv/kv_store.h"

namespace vivarium::kv {

// `initial_map_bytes` only matters for a new store (tests make it small to
// exercise growth); an existing file keeps its own size.
Result<std::unique_ptr<KvStore>> open_lmdb(const std::string& dir, KvLimits limits,
                                           size_t initial_map_bytes = size_t{1} << 30);

}  // namespace vivarium::kv
