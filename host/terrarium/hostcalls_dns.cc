// dns_query_raw / dns_query_ip through the server's Resolver, filtered by the
// deployment's egress policy. Failure: result 0 and a NULL pointer; success,
// even an empty answer, is non-NULL.
#include "host/terrarium/guest_io.h"
#include "host/terrarium/hostcalls.h"

namespace vivarium::terrarium {
namespace {

// The common part: check the out-parameters, read the argument, write (0, 0),
// run `lookup` (which blocks the guest) and hand back `encode`d success.
template <class Lookup, class Encode>
Result<int32_t> dns_call(Caller& c, std::string_view name, uint32_t out_ptr, uint32_t out_len, uint32_t arg_ptr,
                         uint32_t arg_len, Lookup lookup, Encode encode) {
  GuestIo io(c, name);
  VIV_TRY(io.check_out(out_ptr, out_len));
  VIV_TRY_ASSIGN(std::string arg, io.read(arg_ptr, arg_len, "query"));
  RequestState& st = io.state();
  VIV_TRY(io.write_out(out_ptr, out_len, 0, 0));
  if (st.services.dns == nullptr) return 0;
  auto r = lookup(st, std::move(arg));
  if (!r.ok()) {
    if (r.error().phase() == Phase::Exhaustion) return std::move(r).error();  // the wall time ran out
    st.log("hostcall_" + std::string(name) + ": " + r.error().message());
    return 0;
  }
  VIV_TRY(encode(io, *r));
  return 1;
}

}  // namespace

void define_dns_hostcalls(Linker& l) {
  l.func("env", "hostcall_dns_query_raw",
         [](Caller& c, uint32_t out_ptr, uint32_t out_len, uint32_t q_ptr, uint32_t q_len) -> Result<int32_t> {
           return dns_call(
               c, "dns_query_raw", out_ptr, out_len, q_ptr, q_len,
               [](RequestState& st, std::string q) { return st.async.query_raw(std::vector<uint8_t>(q.begin(), q.end())); },
               [&](GuestIo& io, const std::vector<uint8_t>& answer) {
                 const std::string bytes(answer.begin(), answer.end());
                 return io.return_bytes(out_ptr, out_len, bytes, /*nonnull_when_empty=*/true);
               });
         });
  l.func("env", "hostcall_dns_query_ip",
         [](Caller& c, uint32_t out_ptr, uint32_t out_len, uint32_t n_ptr, uint32_t n_len,
            uint32_t ipv6) -> Result<int32_t> {
           return dns_call(
               c, "dns_query_ip", out_ptr, out_len, n_ptr, n_len,
               [ipv6](RequestState& st, std::string name) { return st.async.resolve(std::move(name), ipv6 != 0); },
               [&](GuestIo& io, const std::vector<net::IpAddress>& addrs) {
                 std::vector<std::string> items;
                 for (const auto& a : addrs) items.emplace_back(reinterpret_cast<const char*>(a.bytes), a.v6 ? 16 : 4);
                 return io.return_list(out_ptr, out_len, items, /*nonnull_when_empty=*/true);
               });
         });
}

}  // namespace vivarium::terrarium
