// A KvStore that counts every operation (and failure) into EdgeMetrics, then
// forwards to the real backend: the guests' KV traffic shows in /metrics
// whichever backend (LMDB, Redis) is behind it.
#pragma once
#include "host/kv/kv_store.h"
#include "server/edge_metrics.h"

namespace vivarium::server {

class CountingKvStore final : public kv::KvStore {
 public:
  CountingKvStore(kv::KvStore& inner, EdgeMetrics& metrics) : inner_(inner), m_(metrics) {}
  Result<std::optional<std::string>> get(std::string_view ns, std::string_view key) override {
    return count(EdgeMetrics::KvGet, inner_.get(ns, key));
  }
  Result<bool> put(std::string_view ns, std::string_view key, std::string_view value) override {
    return count(EdgeMetrics::KvPut, inner_.put(ns, key, value));
  }
  Result<bool> append(std::string_view ns, std::string_view key, std::string_view value) override {
    return count(EdgeMetrics::KvAppend, inner_.append(ns, key, value));
  }
  Result<bool> remove(std::string_view ns, std::string_view key) override { return count(EdgeMetrics::KvRemove, inner_.remove(ns, key)); }
  Result<std::vector<std::string>> keys(std::string_view ns) override { return count(EdgeMetrics::KvKeys, inner_.keys(ns)); }
  Result<void> drop_namespace(std::string_view ns) override { return count(EdgeMetrics::KvDrop, inner_.drop_namespace(ns)); }
  const kv::KvLimits& limits() const override { return inner_.limits(); }
  std::string describe() const override { return inner_.describe(); }
  bool remote_reads() const override { return inner_.remote_reads(); }

 private:
  template <class R>
  R count(EdgeMetrics::KvOp op, R r) {
    m_.kv_op(op, r.ok());
    return r;
  }
  kv::KvStore& inner_;
  EdgeMetrics& m_;
};

}  // namespace vivarium::server
