/* A guest written against Terrarium's C names (request_t, response_t,
 * enum value_status, REQUEST_INCOMING, RESPONSE_OUTGOING) with assert and
 * string.h, as Terrarium's C templates are: it must build with terrarium.h
 * and the SDK and run under vivarium serve. GET / answers "Hello, world!";
 * GET /assert fails an assertion (a 500 naming it). */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "terrarium.h"

extern void viv_init(void);

__attribute__((visibility("default"))) void run(void) {
  char* path;
  size_t path_len;
  viv_init();
  hostcall_req_get_path(&path, &path_len, REQUEST_INCOMING);
  int failing = path_len == 7 && memcmp(path, "/assert", 7) == 0;
  free(path);
  assert(!failing);

  char body[] = "Hello, world!";
  enum value_status st = hostcall_resp_set_body(RESPONSE_OUTGOING, body, strlen(body));
  assert(st == value_status_ok);
  st = hostcall_resp_set_response_code(RESPONSE_OUTGOING, 200);
  assert(st == value_status_ok);
}
