/* Reports a panic the way the Rust SDK's panic hook does, then traps. The
 * client gets a 500 whose body carries the message. */
#include "terrarium.h"

__attribute__((export_name("run"))) void run(void) {
  hostcall_resp_set_response_code(TERRARIUM_OUTGOING, 201);
  terrarium_set_body_str("never sent");
  static const char msg[] = "the guest gave up: something went wrong";
  hostcall_panic_hook(msg, sizeof msg - 1);
  __builtin_trap();
}
