// The outgoing response (handle 0: status, headers, body, set in any order)
// and upstream responses (handles >= 1, read-only, alive until the request ends).
#include "host/terrarium/guest_io.h"
#include "host/terrarium/hostcalls.h"
#include "host/terrarium/http_fields.h"

namespace vivarium::terrarium {
namespace {

constexpr int32_t kOutgoing = 0;
constexpr int32_t kOk = 0;
constexpr int32_t kInvalid = 1;

struct ResponseView {
  int status = 0;
  const Headers* headers = nullptr;
  const std::string* body = nullptr;
};

std::optional<ResponseView> view(RequestState& st, int32_t resp) {
  if (resp == kOutgoing) return ResponseView{st.outgoing.status, &st.outgoing.headers, &st.outgoing.body};
  auto it = st.responses.find(resp);
  if (it == st.responses.end()) return std::nullopt;
  return ResponseView{it->second.status, &it->second.headers, &it->second.body};
}

}  // namespace

void define_response_hostcalls(Linker& l) {
  define_header_getters(l, "resp_get_headers", "resp_get_header", [](RequestState& st, int32_t resp) -> const Headers* {
    auto v = view(st, resp);
    return v ? v->headers : nullptr;
  });
  l.func("env", "hostcall_resp_get_body",
         [](Caller& c, uint32_t out_ptr, uint32_t out_len, int32_t resp) -> Result<void> {
           GuestIo io(c, "resp_get_body");
           auto v = view(io.state(), resp);
           if (!v) return io.write_out(out_ptr, out_len, 0, 0);
           return io.return_bytes(out_ptr, out_len, *v->body);
         });
  // An unknown handle gets -1 (the handle error value): no status is negative.
  l.func("env", "hostcall_resp_get_response_code", [](Caller& c, int32_t resp) -> int32_t {
    auto v = view(state_of(c.store()), resp);
    return v ? v->status : -1;
  });

  l.func("env", "hostcall_resp_set_header",
         [](Caller& c, int32_t resp, uint32_t name_ptr, uint32_t name_len, uint32_t values_ptr,
            uint32_t count) -> Result<int32_t> {
           GuestIo io(c, "resp_set_header");
           if (resp != kOutgoing) return kInvalid;
           VIV_TRY_ASSIGN(auto field, io.read_header_field(name_ptr, name_len, values_ptr, count));
           if (!field) return kInvalid;
           set_header(io.state().outgoing.headers, field->name, field->values);
           return kOk;
         });
  l.func("env", "hostcall_resp_set_body",
         [](Caller& c, int32_t resp, uint32_t ptr, uint32_t len) -> Result<int32_t> {
           GuestIo io(c, "resp_set_body");
           if (resp != kOutgoing) return kInvalid;
           RequestState& st = io.state();
           if (len > st.config.limits.max_response_body) {
             st.log("hostcall_resp_set_body: body of " + std::to_string(len) + " bytes exceeds the deployment's limit of " +
                    std::to_string(st.config.limits.max_response_body));
             return kInvalid;
           }
           VIV_TRY_ASSIGN(st.outgoing.body, io.read(ptr, len, "body"));
           return kOk;
         });
  // HTTP statuses are three digits; anything else is refused.
  l.func("env", "hostcall_resp_set_response_code", [](Caller& c, int32_t resp, uint32_t code) -> int32_t {
    if (resp != kOutgoing || code < 100 || code > 999) return kInvalid;
    state_of(c.store()).outgoing.status = static_cast<uint16_t>(code);
    return kOk;
  });
}

}  // namespace vivarium::terrarium
