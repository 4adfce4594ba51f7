// kvstore_*: the deployment's namespace of the shared KvStore. A store error
// (backend down, key or value too large) is logged and reads as absence (0).
// Writes run on the runner's blocking pool (Async::offload) with the guest
// suspended: LMDB commits with fsync, milliseconds that must not stall the
// worker thread. Reads run there too when the backend's wait on the network
// (Redis: KvStore::remote_reads); LMDB's stay inline (memory-mapped).
#include "host/terrarium/guest_io.h"
#include "host/terrarium/hostcalls.h"

namespace vivarium::terrarium {
namespace {

enum class Write { Put, Append };

void log_failure(RequestState& st, std::string_view hostcall, const Error& e) {
  st.log("hostcall_" + std::string(hostcall) + ": " + e.message());
}

void define_write(Linker& l, const char* name, Write op) {
  l.func("env", std::string("hostcall_") + name,
         [name, op](Caller& c, uint32_t k_ptr, uint32_t k_len, uint32_t v_ptr, uint32_t v_len) -> Result<int32_t> {
           GuestIo io(c, name);
           VIV_TRY_ASSIGN(std::string key, io.read(k_ptr, k_len, "key"));
           VIV_TRY_ASSIGN(std::string value, io.read(v_ptr, v_len, "value"));
           RequestState& st = io.state();
           if (st.services.kv == nullptr) return 0;
           auto r = st.async.offload([kv = st.services.kv, ns = st.config.kv_namespace, key = std::move(key),
                                      value = std::move(value), op] {
             return op == Write::Put ? kv->put(ns, key, value) : kv->append(ns, key, value);
           });
           if (!r.ok()) { log_failure(st, name, r.error()); return 0; }
           return *r ? 1 : 0;
         });
}

// A read, with the guest suspended while a remote backend answers. The
// value comes back through a slot the blocking pool's thread shares: the
// fiber's stack may be gone (the server stopping) before that thread is done.
Result<std::optional<std::string>> get(RequestState& st, std::string key) {
  kv::KvStore* kv = st.services.kv;
  if (!kv->remote_reads()) return kv->get(st.config.kv_namespace, key);
  auto slot = std::make_shared<std::optional<std::string>>();
  VIV_TRY(st.async.offload([kv, slot, ns = st.config.kv_namespace, key = std::move(key)]() -> Result<bool> {
    VIV_TRY_ASSIGN(*slot, kv->get(ns, key));
    return slot->has_value();
  }));
  return std::move(*slot);
}

}  // namespace

void define_kv_hostcalls(Linker& l) {
  l.func("env", "hostcall_kvstore_get",
         [](Caller& c, uint32_t out_ptr, uint32_t out_len, uint32_t k_ptr, uint32_t k_len) -> Result<int32_t> {
           GuestIo io(c, "kvstore_get");
           VIV_TRY(io.check_out(out_ptr, out_len));
           VIV_TRY_ASSIGN(std::string key, io.read(k_ptr, k_len, "key"));
           RequestState& st = io.state();
           std::optional<std::string> value;
           if (st.services.kv != nullptr) {
             auto r = get(st, std::move(key));
             if (r.ok()) value = std::move(*r);
             else log_failure(st, "kvstore_get", r.error());
           }
           if (!value) { VIV_TRY(io.write_out(out_ptr, out_len, 0, 0)); return 0; }
           // An existing empty value is non-NULL with length 0.
           VIV_TRY(io.return_bytes(out_ptr, out_len, *value, /*nonnull_when_empty=*/true));
           return 1;
         });
  // insert and upsert both store, overwriting (Fastly's own examples overwrite
  // with insert); both return 1 when the key was absent.
  define_write(l, "kvstore_insert", Write::Put);
  define_write(l, "kvstore_upsert", Write::Put);
  define_write(l, "kvstore_append", Write::Append);
  l.func("env", "hostcall_kvstore_remove", [](Caller& c, uint32_t k_ptr, uint32_t k_len) -> Result<int32_t> {
    GuestIo io(c, "kvstore_remove");
    VIV_TRY_ASSIGN(std::string key, io.read(k_ptr, k_len, "key"));
    RequestState& st = io.state();
    if (st.services.kv == nullptr) return 0;
    auto r = st.async.offload([kv = st.services.kv, ns = st.config.kv_namespace, key = std::move(key)] {
      return kv->remove(ns, key);
    });
    if (!r.ok()) { log_failure(st, "kvstore_remove", r.error()); return 0; }
    return *r ? 1 : 0;
  });
}

}  // namespace vivarium::terrarium
