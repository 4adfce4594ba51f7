#include "host/terrarium/guest_io.h"
#include "host/terrarium/hostcalls.h"
#include "host/terrarium/http_fields.h"

namespace vivarium::terrarium {

void define_header_getters(Linker& l, const char* names_call, const char* values_call, HeadersOf find) {
  l.func("env", std::string("hostcall_") + names_call,
         [names_call, find](Caller& c, uint32_t out_ptr, uint32_t out_len, int32_t handle) -> Result<void> {
           GuestIo io(c, names_call);
           const Headers* h = find(io.state(), handle);
           if (h == nullptr) return io.write_out(out_ptr, out_len, 0, 0);
           return io.return_list(out_ptr, out_len, header_names(*h));
         });
  l.func("env", std::string("hostcall_") + values_call,
         [values_call, find](Caller& c, uint32_t out_ptr, uint32_t out_len, int32_t handle, uint32_t name_ptr,
                             uint32_t name_len) -> Result<void> {
           GuestIo io(c, values_call);
           VIV_TRY(io.check_out(out_ptr, out_len));
           VIV_TRY_ASSIGN(std::string name, io.read(name_ptr, name_len, "header name"));
           const Headers* h = find(io.state(), handle);
           if (h == nullptr) return io.write_out(out_ptr, out_len, 0, 0);
           return io.return_list(out_ptr, out_len, header_values(*h, name));
         });
}

}  // namespace vivarium::terrarium
