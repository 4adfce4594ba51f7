// The incoming request (handle 0, read-only) and requests the guest creates
// for upstreams (handles >= 1, writable until sent).
#include "host/terrarium/guest_io.h"
#include "host/terrarium/hostcalls.h"
#include "host/terrarium/http_fields.h"

namespace vivarium::terrarium {
namespace {

constexpr int32_t kIncoming = 0;
constexpr int32_t kError = -1;
constexpr int32_t kOk = 0;
constexpr int32_t kInvalid = 1;
// Requests created and not yet sent; past it req_create returns -1.
constexpr size_t kMaxOpenRequests = 1024;

struct RequestView {
  std::string method;
  std::string target;
  const Headers* headers = nullptr;
  const std::string* body = nullptr;
};

// The request a getter names, or nothing for an unknown handle.
std::optional<RequestView> view(RequestState& st, int32_t req) {
  if (req == kIncoming) return RequestView{st.incoming.method, st.incoming.target, &st.incoming.headers, &st.incoming.body};
  auto it = st.requests.find(req);
  if (it == st.requests.end()) return std::nullopt;
  return RequestView{it->second.method, origin_form(it->second.url), &it->second.headers, &it->second.body};
}

using Getter = std::string (*)(const RequestView&);

void define_getter(Linker& l, const char* name, Getter get) {
  l.func("env", std::string("hostcall_") + name,
         [name, get](Caller& c, uint32_t out_ptr, uint32_t out_len, int32_t req) -> Result<void> {
           GuestIo io(c, name);
           auto v = view(io.state(), req);
           if (!v) return io.write_out(out_ptr, out_len, 0, 0);
           return io.return_bytes(out_ptr, out_len, get(*v));
         });
}

}  // namespace

void define_request_hostcalls(Linker& l) {
  define_header_getters(l, "req_get_headers", "req_get_header", [](RequestState& st, int32_t req) -> const Headers* {
    auto v = view(st, req);
    return v ? v->headers : nullptr;
  });
  define_getter(l, "req_get_method", [](const RequestView& v) { return v.method; });
  define_getter(l, "req_get_path", [](const RequestView& v) { return v.target.empty() ? std::string("/") : v.target; });
  define_getter(l, "req_get_body", [](const RequestView& v) { return *v.body; });

  l.func("env", "hostcall_req_create",
         [](Caller& c, uint32_t m_ptr, uint32_t m_len, uint32_t u_ptr, uint32_t u_len) -> Result<int32_t> {
           GuestIo io(c, "req_create");
           VIV_TRY_ASSIGN(std::string method, io.read(m_ptr, m_len, "method"));
           VIV_TRY_ASSIGN(std::string url, io.read(u_ptr, u_len, "URL"));
           RequestState& st = io.state();
           if (!is_token(method) || method.size() > 32) {
             st.log("hostcall_req_create: invalid method (not an HTTP token of at most 32 bytes)");
             return kError;
           }
           if (!is_outbound_url(url)) {
             st.log("hostcall_req_create: invalid URL \"" + url.substr(0, 200) + "\" (an absolute http:// or https:// URL is needed)");
             return kError;
           }
           if (st.requests.size() >= kMaxOpenRequests || st.next_request == INT32_MAX) {
             st.log("hostcall_req_create: too many open requests");
             return kError;
           }
           const int32_t h = st.next_request++;
           http::OutboundRequest r;
           r.method = std::move(method);
           r.url = std::move(url);
           r.timeout = st.config.limits.outbound_timeout;
           st.requests.emplace(h, std::move(r));
           return h;
         });

  l.func("env", "hostcall_req_set_header",
         [](Caller& c, int32_t req, uint32_t name_ptr, uint32_t name_len, uint32_t values_ptr,
            uint32_t count) -> Result<int32_t> {
           GuestIo io(c, "req_set_header");
           auto it = io.state().requests.find(req);
           if (it == io.state().requests.end()) return kInvalid;  // also the incoming request (0)
           VIV_TRY_ASSIGN(auto field, io.read_header_field(name_ptr, name_len, values_ptr, count));
           if (!field) return kInvalid;
           // The outbound client frames the body itself and refuses these
           // (request smuggling); a guest that sets them gets its request sent.
           if (is_framing_header(field->name)) return kOk;
           set_header(it->second.headers, field->name, field->values);
           return kOk;
         });

  l.func("env", "hostcall_req_set_body",
         [](Caller& c, int32_t req, uint32_t ptr, uint32_t len) -> Result<int32_t> {
           GuestIo io(c, "req_set_body");
           auto it = io.state().requests.find(req);
           if (it == io.state().requests.end()) return kInvalid;
           VIV_TRY_ASSIGN(std::string body, io.read(ptr, len, "body"));
           if (body.size() > io.state().config.limits.max_response_body) {
             io.state().log("hostcall_req_set_body: body of " + std::to_string(body.size()) + " bytes exceeds the limit");
             return kInvalid;
           }
           it->second.body = std::move(body);
           return kOk;
         });
}

}  // namespace vivarium::terrarium
