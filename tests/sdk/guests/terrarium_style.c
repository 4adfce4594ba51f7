/* A guest written against Terrarium's C names (request_t, response_t,
 * enum value_status, REQUEST_INCOMING, RESPONSE_OUTGOING) with assert,
 * stdio and time.h, as Terrarium's C templates are: it must build with
 * terrarium.h and the SDK (src/wasi_shim.c) and run under vivarium serve.
 * GET / answers "Hello, world!" and logs a printf line; GET /time answers
 * time() through snprintf; GET /assert fails an assertion (a 500 naming it);
 * GET /exit calls exit(3) (a 500 saying so). Like Terrarium's throttle
 * example it registers malloc/free as function pointers and reads headers as
 * `struct string_slice`: neither compiled against terrarium.h before. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "terrarium.h"

__attribute__((visibility("default"))) void run(void) {
  char* path;
  size_t path_len;
  hostcall_init_mm(malloc, free);
  struct string_slice* agents;
  size_t agent_count;
  hostcall_req_get_header(&agents, &agent_count, REQUEST_INCOMING, "user-agent", 10);
  for (size_t i = 0; i < agent_count; ++i) free((void*)agents[i].ptr);
  free(agents);
  hostcall_req_get_path(&path, &path_len, REQUEST_INCOMING);
  int failing = path_len == 7 && memcmp(path, "/assert", 7) == 0;
  if (path_len == 5 && memcmp(path, "/time", 5) == 0) {
    char out[64];
    snprintf(out, sizeof out, "now %lld", (long long)time(NULL));
    hostcall_resp_set_body(RESPONSE_OUTGOING, out, strlen(out));
    return;
  }
  if (path_len == 5 && memcmp(path, "/exit", 5) == 0) exit(3);
  free(path);
  assert(!failing);
  printf("printf reached the log: %d\n", 42);

  char body[] = "Hello, world!";
  enum value_status st = hostcall_resp_set_body(RESPONSE_OUTGOING, body, strlen(body));
  assert(st == value_status_ok);
  st = hostcall_resp_set_response_code(RESPONSE_OUTGOING, 200);
  assert(st == value_status_ok);
}
