// Stand-ins for host/net and host/http while they are not in the tree (they
// are built on another branch): every transfer and look-up fails at once, as
// a deny-all egress policy would make them. Linked only when the real
// libraries are absent (see CMakeLists.txt).
#include "host/http/outbound.h"
#include "host/net/dns.h"
#include "host/net/egress_policy.h"

namespace vivarium {
namespace net {

struct EgressRule {};
EgressPolicy::EgressPolicy() = default;
EgressPolicy::~EgressPolicy() = default;
EgressPolicy::EgressPolicy(const EgressPolicy&) = default;
EgressPolicy& EgressPolicy::operator=(const EgressPolicy&) = default;

struct Resolver::Impl {};
Resolver::Resolver() = default;
Resolver::~Resolver() = default;
void Resolver::resolve(std::string, bool, std::shared_ptr<const EgressPolicy>, AddrCallback done) {
  done(Error(ErrorCode::Unsupported, "denied (stand-in resolver)"));
}
void Resolver::query_raw(std::vector<uint8_t>, std::shared_ptr<const EgressPolicy>, RawCallback done) {
  done(Error(ErrorCode::Unsupported, "denied (stand-in resolver)"));
}

}  // namespace net

namespace http {

struct OutboundClient::Impl {
  uint64_t next = 1;
};
OutboundClient::OutboundClient() : impl_(std::make_unique<Impl>()) {}
OutboundClient::~OutboundClient() = default;
uint64_t OutboundClient::start(OutboundRequest, std::shared_ptr<const net::EgressPolicy>, Callback done) {
  done(Error(ErrorCode::Unsupported, "denied by the egress policy (stand-in client)"));
  return impl_->next++;
}
void OutboundClient::cancel(uint64_t) {}

}  // namespace http
}  // namespace vivarium
