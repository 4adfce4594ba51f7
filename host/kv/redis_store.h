// The shared KV backend: Redis through hiredis, so several servers share state.
//
// Layout: one Redis hash per namespace, "viv:kv:" + ns, whose fields are the
// keys. The namespace is the whole rest of the Redis key, so namespaces cannot
// collide; HSET answers "was absent" atomically, drop_namespace is one DEL
// (atomic, no SCAN over the keyspace), keys() is an HSCAN of that one hash.
// append runs as a Lua script (size check, concatenation and the "was absent"
// answer in one atomic step). Durability is the server's (appendonly,
// appendfsync). A small pool of connections; a broken connection is dropped
// and the next call reconnects; errors name the URL and the cause.
// Private to host/kv: use open_kv().
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "host/kv/kv_store.h"

namespace vivarium::kv {

struct RedisConfig {
  std::string host;
  uint16_t port = 6379;
  unsigned db = 0;
  std::string username;  // AUTH USER PASSWORD when set ("redis://USER:PASSWORD@HOST")
  std::string password;  // AUTH when set ("redis://:PASSWORD@HOST:PORT")
  unsigned pool_size = 16;
  unsigned connect_timeout_ms = 2000;
  unsigned command_timeout_ms = 5000;
};

// "redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]" (HOST may be "[v6]"); the
// error names the URL and the part that is wrong.
Result<RedisConfig> parse_redis_url(std::string_view url);

// Connects once to check the server answers; errors name the URL and the cause.
Result<std::unique_ptr<KvStore>> open_redis(const RedisConfig& config, KvLimits limits);

}  // namespace vivarium::kv
