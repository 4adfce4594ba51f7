// LMDB backend (layout in lmdb_store.h).
#include "host/kv/lmdb_store.h"

#include <lmdb.h>
#include <openssl/sha.h>

#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <shared_mutex>

namespace vivarium::kv {
namespace {

constexpr uint8_t kRaw = 0x00;
constexpr uint8_t kHashed = 0x01;
constexpr unsigned kMaxReaders = 1024;

MDB_val val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
std::string_view view(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

std::string ns_prefix(std::string_view ns) {
  std::string p;
  p.push_back(static_cast<char>(ns.size()));
  p.append(ns);
  return p;
}

class LmdbStore final : public KvStore {
 public:
  LmdbStore(MDB_env* env, MDB_dbi dbi, std::string dir, KvLimits limits)
      : env_(env), dbi_(dbi), dir_(std::move(dir)), limits_(limits),
        max_lmdb_key_(static_cast<size_t>(mdb_env_get_maxkeysize(env))) {}
  ~LmdbStore() override { mdb_env_close(env_); }

  Result<std::optional<std::string>> get(std::string_view ns, std::string_view key) override {
    VIV_TRY(check_kv_args(limits_, ns, key));
    std::optional<std::string> out;
    VIV_TRY(read([&](MDB_txn* txn) -> Result<void> {
      VIV_TRY_ASSIGN(auto v, lookup(txn, ns, key));
      if (v) out = std::string(*v);
      return {};
    }));
    return out;
  }

  Result<bool> put(std::string_view ns, std::string_view key, std::string_view value) override {
    VIV_TRY(check_kv_args(limits_, ns, key, &value));
    bool absent = false;
    VIV_TRY(write("put", [&](MDB_txn* txn) -> Result<void> {
      VIV_TRY_ASSIGN(auto old, lookup(txn, ns, key));
      absent = !old;
      return store(txn, ns, key, value);
    }));
    return absent;
  }

  Result<bool> append(std::string_view ns, std::string_view key, std::string_view value) override {
    VIV_TRY(check_kv_args(limits_, ns, key, &value));
    bool absent = false;
    VIV_TRY(write("append", [&](MDB_txn* txn) -> Result<void> {
      VIV_TRY_ASSIGN(auto old, lookup(txn, ns, key));
      absent = !old;
      std::string_view before = old ? *old : std::string_view{};
      if (before.size() + value.size() > limits_.max_value_bytes)
        return Error(ErrorCode::LimitExceeded, "KV namespace '" + std::string(ns) + "': append would make a value of " +
                                                   std::to_string(before.size() + value.size()) +
                                                   " bytes, larger than the limit of " +
                                                   std::to_string(limits_.max_value_bytes));
      // `before` points into the map: copy it before writing.
      std::string joined;
      joined.reserve(before.size() + value.size());
      joined.append(before).append(value);
      return store(txn, ns, key, joined);
    }));
    return absent;
  }

  Result<bool> remove(std::string_view ns, std::string_view key) override {
    VIV_TRY(check_kv_args(limits_, ns, key));
    bool removed = false;
    VIV_TRY(write("remove", [&](MDB_txn* txn) -> Result<void> {
      std::string k = encode(ns, key);
      MDB_val kv = val(k);
      int rc = mdb_del(txn, dbi_, &kv, nullptr);
      if (rc == MDB_NOTFOUND) return {};
      if (rc != 0) return fail("mdb_del", rc);
      removed = true;
      return {};
    }));
    return removed;
  }

  Result<std::vector<std::string>> keys(std::string_view ns) override {
    VIV_TRY(check_kv_namespace(ns));
    std::vector<std::string> out;
    VIV_TRY(read([&](MDB_txn* txn) {
      return scan(txn, ns, [&](MDB_cursor*, const MDB_val& k, const MDB_val& v) -> Result<void> {
        std::string_view rest = view(k).substr(1 + ns.size());
        if (static_cast<uint8_t>(rest[0]) == kRaw) {
          out.emplace_back(rest.substr(1));
        } else {
          VIV_TRY_ASSIGN(auto split, split_hashed(view(v)));
          out.emplace_back(split.first);
        }
        return {};
      });
    }));
    return out;
  }

  Result<void> drop_namespace(std::string_view ns) override {
    VIV_TRY(check_kv_namespace(ns));
    return write("drop_namespace", [&](MDB_txn* txn) {
      return scan(txn, ns, [&](MDB_cursor* c, const MDB_val&, const MDB_val&) -> Result<void> {
        int rc = mdb_cursor_del(c, 0);
        return rc == 0 ? Result<void>() : fail("mdb_cursor_del", rc);
      });
    });
  }

  const KvLimits& limits() const override { return limits_; }
  std::string describe() const override { return "lmdb:" + dir_; }

 private:
  Error fail(const char* what, int rc) const {
    return Error(ErrorCode::Io, describe() + ": " + what + ": " + mdb_strerror(rc));
  }

  std::string encode(std::string_view ns, std::string_view key) const {
    std::string k = ns_prefix(ns);
    if (k.size() + 1 + key.size() <= max_lmdb_key_) {
      k.push_back(static_cast<char>(kRaw));
      k.append(key);
    } else {
      unsigned char digest[SHA256_DIGEST_LENGTH];
      SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
      k.push_back(static_cast<char>(kHashed));
      k.append(reinterpret_cast<const char*>(digest), sizeof digest);
    }
    return k;
  }

  bool hashed(std::string_view ns, std::string_view key) const {
    return 1 + ns.size() + 1 + key.size() > max_lmdb_key_;
  }

  Result<std::pair<std::string_view, std::string_view>> split_hashed(std::string_view v) const {
    if (v.size() < 4) return Error(ErrorCode::Io, describe() + ": corrupt record (hashed key without its key)");
    uint32_t n = static_cast<uint32_t>(static_cast<uint8_t>(v[0])) << 24 |
                 static_cast<uint32_t>(static_cast<uint8_t>(v[1])) << 16 |
                 static_cast<uint32_t>(static_cast<uint8_t>(v[2])) << 8 | static_cast<uint8_t>(v[3]);
    if (v.size() - 4 < n) return Error(ErrorCode::Io, describe() + ": corrupt record (key length past its end)");
    return std::pair{v.substr(4, n), v.substr(4 + n)};
  }

  // The value of (ns, key) in `txn`, pointing into the map (valid until the txn ends).
  Result<std::optional<std::string_view>> lookup(MDB_txn* txn, std::string_view ns, std::string_view key) const {
    std::string k = encode(ns, key);
    MDB_val kv = val(k), v;
    int rc = mdb_get(txn, dbi_, &kv, &v);
    if (rc == MDB_NOTFOUND) return std::optional<std::string_view>();
    if (rc != 0) return fail("mdb_get", rc);
    if (!hashed(ns, key)) return std::optional<std::string_view>(view(v));
    VIV_TRY_ASSIGN(auto split, split_hashed(view(v)));
    if (split.first != key) return std::optional<std::string_view>();  // a SHA-256 collision: not this key
    return std::optional<std::string_view>(split.second);
  }

  Result<void> store(MDB_txn* txn, std::string_view ns, std::string_view key, std::string_view value) const {
    std::string k = encode(ns, key);
    MDB_val kv = val(k);
    std::string framed;
    MDB_val v = val(value);
    if (hashed(ns, key)) {
      uint32_t n = static_cast<uint32_t>(key.size());
      framed = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)};
      framed.append(key).append(value);
      v = val(framed);
    }
    int rc = mdb_put(txn, dbi_, &kv, &v, 0);
    return rc == 0 ? Result<void>() : fail("mdb_put", rc);
  }

  // Calls `each` on every record of `ns` with a cursor positioned on it.
  using Visit = std::function<Result<void>(MDB_cursor*, const MDB_val&, const MDB_val&)>;
  Result<void> scan(MDB_txn* txn, std::string_view ns, const Visit& each) const {
    MDB_cursor* c = nullptr;
    int rc = mdb_cursor_open(txn, dbi_, &c);
    if (rc != 0) return fail("mdb_cursor_open", rc);
    std::string prefix = ns_prefix(ns);
    MDB_val k = val(prefix), v;
    Result<void> out;
    for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
      std::string_view key = view(k);
      if (!key.starts_with(prefix) || key.size() <= prefix.size()) break;
      out = each(c, k, v);
      if (!out) break;
    }
    mdb_cursor_close(c);
    if (out && rc != 0 && rc != MDB_NOTFOUND) return fail("mdb_cursor_get", rc);
    return out;
  }

  Result<void> read(const std::function<Result<void>(MDB_txn*)>& body) {
    std::shared_lock lock(resize_mu_);
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
    if (rc == MDB_MAP_RESIZED) {  // another process grew the map
      lock.unlock();
      VIV_TRY(adopt_map_size());
      return read(body);
    }
    if (rc != 0) return fail("mdb_txn_begin", rc);
    Result<void> r = body(txn);
    mdb_txn_abort(txn);
    return r;
  }

  // Group commit: concurrent writers queue their bodies; one of them (the
  // leader) runs the whole queue in one transaction, each body in a nested
  // transaction of its own (a body that fails rolls back alone), and commits
  // once. An fsync costs milliseconds; this way it is paid once per batch,
  // not once per writer, and every writer still returns only after its
  // write is on disk.
  struct PendingWrite {
    const char* op;
    const std::function<Result<void>(MDB_txn*)>* body;
    Result<void> result;
    bool done = false;
  };

  Result<void> write(const char* op, const std::function<Result<void>(MDB_txn*)>& body) {
    PendingWrite me{op, &body, {}, false};
    std::unique_lock lock(batch_mu_);
    queue_.push_back(&me);
    while (!me.done) {
      if (leading_) {
        batch_cv_.wait(lock);
        continue;
      }
      leading_ = true;
      std::vector<PendingWrite*> batch;
      batch.swap(queue_);
      lock.unlock();
      run_batch(batch);
      lock.lock();
      leading_ = false;
      batch_cv_.notify_all();
    }
    return std::move(me.result);
  }

  static bool is_map_full(const Result<void>& r) {
    return !r && r.error().message().find("MDB_MAP_FULL") != std::string::npos;
  }

  // Runs every body of `batch` in one transaction (bodies see the writes of
  // those before them) and sets each result. A full map grows and the whole
  // batch runs again.
  void run_batch(const std::vector<PendingWrite*>& batch) {
    for (int attempt = 0;; ++attempt) {
      int rc;
      {
        std::shared_lock lock(resize_mu_);
        MDB_txn* txn = nullptr;
        rc = mdb_txn_begin(env_, nullptr, 0, &txn);
        if (rc == 0) {
          bool map_full = false;
          for (PendingWrite* w : batch) {
            MDB_txn* child = nullptr;
            int crc = mdb_txn_begin(env_, txn, 0, &child);
            if (crc == 0) {
              w->result = (*w->body)(child);
              if (w->result) crc = mdb_txn_commit(child);
              else mdb_txn_abort(child);
            }
            if (crc != 0) w->result = fail(w->op, crc);
            map_full |= is_map_full(w->result);
          }
          if (map_full) {
            mdb_txn_abort(txn);
            rc = MDB_MAP_FULL;
          } else {
            rc = mdb_txn_commit(txn);
          }
        }
      }
      Result<void> retry;
      if (rc == 0) break;
      if (rc == MDB_MAP_RESIZED) retry = adopt_map_size();
      else if (rc == MDB_MAP_FULL && attempt <= 8) retry = grow();
      else retry = fail("mdb_txn_commit", rc);
      if (!retry) {
        for (PendingWrite* w : batch) w->result = retry;
        break;
      }
    }
    for (PendingWrite* w : batch) w->done = true;
  }

  // Doubles the map; no transaction of this process may be open meanwhile.
  Result<void> grow() {
    std::unique_lock lock(resize_mu_);
    MDB_envinfo info;
    mdb_env_info(env_, &info);
    int rc = mdb_env_set_mapsize(env_, info.me_mapsize * 2);
    return rc == 0 ? Result<void>() : fail("mdb_env_set_mapsize", rc);
  }

  Result<void> adopt_map_size() {
    std::unique_lock lock(resize_mu_);
    int rc = mdb_env_set_mapsize(env_, 0);
    return rc == 0 ? Result<void>() : fail("mdb_env_set_mapsize", rc);
  }

  MDB_env* env_;
  MDB_dbi dbi_;
  std::string dir_;
  KvLimits limits_;
  size_t max_lmdb_key_;
  std::shared_mutex resize_mu_;  // shared by transactions, exclusive to resize the map
  std::mutex batch_mu_;          // guards queue_ and leading_
  std::condition_variable batch_cv_;
  std::vector<PendingWrite*> queue_;
  bool leading_ = false;
};

}  // namespace

Result<std::unique_ptr<KvStore>> open_lmdb(const std::string& dir, KvLimits limits, size_t initial_map_bytes) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error(ErrorCode::Io, "lmdb:" + dir + ": cannot create the directory: " + ec.message());
  MDB_env* env = nullptr;
  int rc = mdb_env_create(&env);
  auto fail = [&](const char* what) {
    if (env) mdb_env_close(env);
    return Error(ErrorCode::Io, "lmdb:" + dir + ": " + what + ": " + mdb_strerror(rc));
  };
  if (rc != 0) return fail("mdb_env_create");
  if ((rc = mdb_env_set_mapsize(env, initial_map_bytes)) != 0) return fail("mdb_env_set_mapsize");
  if ((rc = mdb_env_set_maxreaders(env, kMaxReaders)) != 0) return fail("mdb_env_set_maxreaders");
  // MDB_NOTLS: read transactions are not tied to threads (the server's
  // threads come and go); sync on every commit (no MDB_NOSYNC): durable.
  if ((rc = mdb_env_open(env, dir.c_str(), MDB_NOTLS, 0600)) != 0) return fail("mdb_env_open");
  // A process killed with a read transaction open leaves its reader slot
  // taken; free the slots of processes that are gone.
  int stale = 0;
  mdb_reader_check(env, &stale);
  // The file may have been grown by an earlier run: adopt its size.
  if ((rc = mdb_env_set_mapsize(env, 0)) != 0) return fail("mdb_env_set_mapsize");
  MDB_txn* txn = nullptr;
  if ((rc = mdb_txn_begin(env, nullptr, 0, &txn)) != 0) return fail("mdb_txn_begin");
  MDB_dbi dbi;
  if ((rc = mdb_dbi_open(txn, nullptr, 0, &dbi)) != 0) {
    mdb_txn_abort(txn);
    return fail("mdb_dbi_open");
  }
  if ((rc = mdb_txn_commit(txn)) != 0) return fail("mdb_txn_commit");
  return std::unique_ptr<KvStore>(std::make_unique<LmdbStore>(env, dbi, dir, limits));
}

}  // namespace vivarium::kv
