// open_kv: the KV backend a spec names.
#include "host/kv/lmdb_store.h"
#include "host/kv/redis_store.h"

namespace vivarium::kv {

Result<std::unique_ptr<KvStore>> open_kv(std::string_view spec, KvLimits limits) {
  if (limits.max_key_bytes == 0 || limits.max_value_bytes == 0)
    return Error(ErrorCode::Usage, "KV '" + std::string(spec) + "': key and value limits must be positive");
  if (spec.starts_with("redis://")) {
    VIV_TRY_ASSIGN(RedisConfig config, parse_redis_url(spec));
    return open_redis(config, limits);
  }
  std::string_view dir = spec;
  if (spec.starts_with("lmdb:")) dir.remove_prefix(5);
  else if (spec.find("://") != std::string_view::npos)
    return Error(ErrorCode::Usage, "KV '" + std::string(spec) + "': unknown scheme (expected redis://HOST:PORT[/DB], lmdb:DIR or a directory)");
  if (dir.empty()) return Error(ErrorCode::Usage, "KV '" + std::string(spec) + "': no directory");
  return open_lmdb(std::string(dir), limits);
}

}  // namespace vivarium::kv
