/* The smallest Terrarium guest: a fixed greeting. Needs no allocator. */
#include "terrarium.h"

__attribute__((export_name("run"))) void run(void) {
  terrarium_set_header_str(TERRARIUM_OUTGOING, "content-type", "text/plain");
  terrarium_set_body_str("Hello, world!\n");
}
