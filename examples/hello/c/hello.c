/* The smallest useful Vivarium service: a fixed greeting. It allocates
 * nothing, so it needs no viv_init() and no malloc (a few hundred bytes). */
#include "vivarium_guest.h"

__attribute__((export_name("run"))) void run(void) { viv_respond(200, "text/plain", "Hello, world!\n"); }
