/* {{name}}: a Vivarium service in C. `run` handles one request, on a fresh
 * instance each time. The SDK (vivarium_guest.h) wraps the Terrarium
 * hostcalls; every buffer it hands you is yours to free (viv_buf_free), or
 * leave it: the instance ends with the request.
 *
 *   vivarium build   # build/{{name}}.wasm
 *   vivarium test    # runs tests/requests.txt against a local server
 *   vivarium dev     # http://{{name}}.localhost:8080/, rebuilt on save */
#include "vivarium_guest.h"

__attribute__((export_name("run"))) void run(void) {
  viv_init(); /* the host returns data in memory from our malloc */
  viv_buf path = viv_req_path();
  if (viv_path_is(path, "/")) {
    viv_respond(200, "text/plain", "Hello from {{name}}!\n");
  } else if (viv_path_is(path, "/hello")) {
    viv_buf who = viv_query_param(path, "name");
    viv_buf out = {0, 0};
    viv_buf_append_str(&out, "Hello, ");
    if (who.len) viv_buf_append(&out, who.ptr, who.len);
    else viv_buf_append_str(&out, "stranger");
    viv_buf_append_str(&out, "!\n");
    viv_resp_header("content-type", "text/plain");
    viv_resp_body(out.ptr, out.len);
  } else {
    viv_respond(404, "text/plain", "not found\n");
  }
}
