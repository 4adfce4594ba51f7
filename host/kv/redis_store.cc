// Redis backend (layout in redis_store.h).
#include "host/kv/redis_store.h"

#include <hiredis/hiredis.h>

#include <charconv>
#include <chrono>
#include <thread>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace vivarium::kv {
namespace {

// KEYS[1] = the namespace's hash, ARGV = key, suffix, max size.
// Returns 1 when the key was absent, 0 when present, -1 when too large.
constexpr const char* kAppendScript = R"lua(
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old and #old + #ARGV[2] > tonumber(ARGV[3]) then return -1 end
if not old and #ARGV[2] > tonumber(ARGV[3]) then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], (old or '') .. ARGV[2])
if old then return 0 end
return 1
)lua";

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

std::string hash_key(std::string_view ns) { return "viv:kv:" + std::string(ns); }

std::string redis_url(const RedisConfig& c) {
  std::string host = c.host.find(':') != std::string::npos ? "[" + c.host + "]" : c.host;
  return "redis://" + host + ":" + std::to_string(c.port) + (c.db ? "/" + std::to_string(c.db) : "");
}

class RedisStore final : public KvStore {
 public:
  RedisStore(RedisConfig config, KvLimits limits) : cfg_(std::move(config)), limits_(limits), url_(redis_url(cfg_)) {}
  ~RedisStore() override {
    for (redisContext* c : idle_) redisFree(c);
  }

  // Opens one connection so that open_kv reports an unreachable server.
  Result<void> probe() {
    VIV_TRY_ASSIGN(redisContext * c, connect());
    release(c, false);
    return {};
  }

  Result<std::optional<std::string>> get(std::string_view ns, std::string_view key) override {
    VIV_TRY(check_kv_args(limits_, ns, key));
    VIV_TRY_ASSIGN(Reply r, command({"HGET", hash_key(ns), key}, true));
    if (r->type == REDIS_REPLY_NIL) return std::optional<std::string>();
    if (r->type != REDIS_REPLY_STRING) return unexpected("HGET", r.get());
    return std::optional<std::string>(std::string(r->str, r->len));
  }

  Result<bool> put(std::string_view ns, std::string_view key, std::string_view value) override {
    VIV_TRY(check_kv_args(limits_, ns, key, &value));
    VIV_TRY_ASSIGN(Reply r, command({"HSET", hash_key(ns), key, value}, false));
    if (r->type != REDIS_REPLY_INTEGER) return unexpected("HSET", r.get());
    return r->integer == 1;
  }

  Result<bool> append(std::string_view ns, std::string_view key, std::string_view value) override {
    VIV_TRY(check_kv_args(limits_, ns, key, &value));
    std::string max = std::to_string(limits_.max_value_bytes);
    VIV_TRY_ASSIGN(Reply r, command({"EVAL", kAppendScript, "1", hash_key(ns), key, value, max}, false));
    if (r->type != REDIS_REPLY_INTEGER) return unexpected("append script", r.get());
    if (r->integer < 0)
      return Error(ErrorCode::LimitExceeded, "KV namespace '" + std::string(ns) +
                                                 "': append would make a value larger than the limit of " + max +
                                                 " bytes");
    return r->integer == 1;
  }

  Result<bool> remove(std::string_view ns, std::string_view key) override {
    VIV_TRY(check_kv_args(limits_, ns, key));
    VIV_TRY_ASSIGN(Reply r, command({"HDEL", hash_key(ns), key}, false));
    if (r->type != REDIS_REPLY_INTEGER) return unexpected("HDEL", r.get());
    return r->integer == 1;
  }

  Result<std::vector<std::string>> keys(std::string_view ns) override {
    VIV_TRY(check_kv_namespace(ns));
    VIV_TRY_ASSIGN(Reply r, command({"HKEYS", hash_key(ns)}, true));
    if (r->type != REDIS_REPLY_ARRAY) return unexpected("HKEYS", r.get());
    std::vector<std::string> out;
    out.reserve(r->elements);
    for (size_t i = 0; i < r->elements; ++i) {
      const redisReply* e = r->element[i];
      if (e->type != REDIS_REPLY_STRING) return unexpected("HKEYS", e);
      out.emplace_back(e->str, e->len);
    }
    return out;
  }

  Result<void> drop_namespace(std::string_view ns) override {
    VIV_TRY(check_kv_namespace(ns));
    VIV_TRY_ASSIGN(Reply r, command({"UNLINK", hash_key(ns)}, true));
    if (r->type != REDIS_REPLY_INTEGER) return unexpected("UNLINK", r.get());
    return {};
  }

  const KvLimits& limits() const override { return limits_; }
  std::string describe() const override { return url_; }
  bool remote_reads() const override { return true; }

 private:
  Error unexpected(const char* what, const redisReply* r) const {
    return Error(ErrorCode::Io, url_ + ": " + what + ": unexpected reply of type " + std::to_string(r->type));
  }

  Result<redisContext*> connect() {
    timeval ct{static_cast<time_t>(cfg_.connect_timeout_ms / 1000),
               static_cast<suseconds_t>(cfg_.connect_timeout_ms % 1000 * 1000)};
    redisContext* c = redisConnectWithTimeout(cfg_.host.c_str(), cfg_.port, ct);
    if (c == nullptr) return Error(ErrorCode::Io, url_ + ": cannot connect: out of memory");
    if (c->err) {
      Error e(ErrorCode::Io, url_ + ": cannot connect: " + c->errstr);
      redisFree(c);
      return e;
    }
    timeval cmd{static_cast<time_t>(cfg_.command_timeout_ms / 1000),
                static_cast<suseconds_t>(cfg_.command_timeout_ms % 1000 * 1000)};
    redisSetTimeout(c, cmd);
    redisEnableKeepAlive(c);
    auto setup = [&](std::vector<std::string> args) -> Result<void> {
      std::vector<const char*> argv;
      std::vector<size_t> lens;
      for (const auto& a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
      }
      Reply r(static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data())));
      if (!r) return Error(ErrorCode::Io, url_ + ": " + args[0] + ": " + c->errstr);
      if (r->type == REDIS_REPLY_ERROR)
        return Error(ErrorCode::Io, url_ + ": " + args[0] + ": " + std::string(r->str, r->len));
      return {};
    };
    Result<void> ok;
    if (!cfg_.password.empty())
      ok = cfg_.username.empty() ? setup({"AUTH", cfg_.password}) : setup({"AUTH", cfg_.username, cfg_.password});
    if (ok && cfg_.db != 0) ok = setup({"SELECT", std::to_string(cfg_.db)});
    if (!ok) {
      redisFree(c);
      return std::move(ok).error();
    }
    std::lock_guard lock(mu_);
    ++open_;
    return c;
  }

  // An idle connection, a new one while fewer than pool_size are open, or
  // the next one released.
  Result<redisContext*> acquire() {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return !idle_.empty() || open_ + connecting_ < cfg_.pool_size; });
      if (!idle_.empty()) {
        redisContext* c = idle_.back();
        idle_.pop_back();
        return c;
      }
      ++connecting_;
    }
    auto c = connect();
    std::lock_guard lock(mu_);
    --connecting_;
    if (!c) cv_.notify_one();
    return c;
  }

  void release(redisContext* c, bool broken) {
    std::lock_guard lock(mu_);
    if (broken) {
      redisFree(c);
      --open_;
    } else {
      idle_.push_back(c);
    }
    cv_.notify_one();
  }

  // Runs one command. A broken connection is dropped; an idempotent command
  // is tried once more on a fresh connection.
  Result<Reply> command(std::initializer_list<std::string_view> args, bool idempotent) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (std::string_view a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    std::string_view name = *args.begin();
    const auto loading_deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(cfg_.command_timeout_ms);
    bool retried_connection = false;
    for (;;) {
      VIV_TRY_ASSIGN(redisContext * c, acquire());
      Reply r(static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data())));
      if (!r) {
        Error e(ErrorCode::Io, url_ + ": " + std::string(name) + ": connection lost: " + c->errstr);
        release(c, true);
        if (idempotent && !retried_connection) {
          retried_connection = true;
          continue;
        }
        return e;
      }
      release(c, false);
      if (r->type == REDIS_REPLY_ERROR) {
        std::string_view msg(r->str, r->len);
        // A restarted server answers LOADING until its data is back; the
        // command did not run, so waiting and sending it again is safe.
        if (msg.starts_with("LOADING") && std::chrono::steady_clock::now() < loading_deadline) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          continue;
        }
        return Error(ErrorCode::Io, url_ + ": " + std::string(name) + ": " + std::string(msg));
      }
      return r;
    }
  }

  RedisConfig cfg_;
  KvLimits limits_;
  std::string url_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<redisContext*> idle_;
  unsigned open_ = 0;
  unsigned connecting_ = 0;
};

Result<unsigned> parse_number(std::string_view s, unsigned max, std::string_view url, const char* what) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v > max)
    return Error(ErrorCode::Usage, "KV URL '" + std::string(url) + "': bad " + what + " '" + std::string(s) + "'");
  return v;
}

}  // namespace

Result<RedisConfig> parse_redis_url(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  auto bad = [&](const std::string& why) { return Error(ErrorCode::Usage, "KV URL '" + std::string(url) + "': " + why); };
  if (!url.starts_with(kScheme)) return bad("expected redis://HOST:PORT[/DB]");
  std::string_view rest = url.substr(kScheme.size());
  RedisConfig c;
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view user = rest.substr(0, at);
    size_t colon = user.find(':');
    if (colon == std::string_view::npos) return bad("credentials must be ':PASSWORD@' or 'USER:PASSWORD@'");
    c.username = std::string(user.substr(0, colon));
    c.password = std::string(user.substr(colon + 1));
    rest = rest.substr(at + 1);
  }
  if (rest.find_first_of("?#") != std::string_view::npos) return bad("query strings and fragments are not supported");
  std::string_view hostport = rest.substr(0, rest.find('/'));
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    VIV_TRY_ASSIGN(c.db, parse_number(rest.substr(slash + 1), 1u << 20, url, "database number"));
  }
  std::string_view port;
  if (!hostport.empty() && hostport.front() == '[') {
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) return bad("'[' without ']'");
    c.host = std::string(hostport.substr(1, close - 1));
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("expected ':PORT' after ']'");
      port = after.substr(1);
      if (port.empty()) return bad("empty port");
    }
  } else {
    size_t colon = hostport.find(':');
    c.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = hostport.substr(colon + 1);
      if (port.empty()) return bad("empty port");
    }
  }
  if (c.host.empty()) return bad("no host");
  if (!port.empty()) {
    VIV_TRY_ASSIGN(unsigned p, parse_number(port, 65535, url, "port"));
    if (p == 0) return bad("port 0");
    c.port = static_cast<uint16_t>(p);
  }
  return c;
}

Result<std::unique_ptr<KvStore>> open_redis(const RedisConfig& config, KvLimits limits) {
  auto store = std::make_unique<RedisStore>(config, limits);
  VIV_TRY(store->probe());
  return std::unique_ptr<KvStore>(std::move(store));
}

}  // namespace vivarium::kv
