#include "host/terrarium/abi.h"

#include <array>
#include <vector>

namespace vivarium::terrarium {
namespace {

constexpr std::array<HostcallSig, 32> kAbi{{
    {"init_mm", "ii", ""},
    {"panic_hook", "ii", ""},
    {"debug", "ii", ""},
    {"time_now", "i", "I"},
    {"rng_next_u64", "", "I"},
    {"req_get_headers", "iii", ""},
    {"req_get_header", "iiiii", ""},
    {"req_get_method", "iii", ""},
    {"req_get_path", "iii", ""},
    {"req_get_body", "iii", ""},
    {"req_create", "iiii", "i"},
    {"req_set_header", "iiiii", "i"},
    {"req_set_body", "iii", "i"},
    {"req_send", "i", "i"},
    {"req_send_async", "i", "i"},
    {"pending_req_wait", "i", "i"},
    {"pending_req_poll", "i", "i"},
    {"pending_req_select", "iii", "i"},
    {"resp_get_headers", "iii", ""},
    {"resp_get_header", "iiiii", ""},
    {"resp_get_body", "iii", ""},
    {"resp_get_response_code", "i", "i"},
    {"resp_set_header", "iiiii", "i"},
    {"resp_set_body", "iii", "i"},
    {"resp_set_response_code", "ii", "i"},
    {"kvstore_get", "iiii", "i"},
    {"kvstore_insert", "iiii", "i"},
    {"kvstore_upsert", "iiii", "i"},
    {"kvstore_append", "iiii", "i"},
    {"kvstore_remove", "ii", "i"},
    {"dns_query_raw", "iiii", "i"},
    {"dns_query_ip", "iiiii", "i"},
}};

std::vector<ValType> letters(std::string_view s) {
  std::vector<ValType> out;
  for (char c : s) out.push_back(c == 'I' ? ValType::I64 : ValType::I32);
  return out;
}

}  // namespace

FuncType HostcallSig::type() const { return FuncType{letters(params), letters(results)}; }

std::span<const HostcallSig> hostcall_abi() { return kAbi; }

const HostcallSig* find_hostcall(std::string_view name) {
  for (const auto& h : hostcall_abi()) {
    if (h.name == name) return &h;
  }
  return nullptr;
}

}  // namespace vivarium::terrarium
