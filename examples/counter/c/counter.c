/* A KV-backed counter and a fixed-window rate limiter:
 *   GET /count   increments and returns the deployment-wide hit counter
 *   GET /limited at most LIMIT requests per client address per minute; then
 *                429 with retry-after (seconds to the next window)
 *   GET /reset   removes the counter
 * Counts live in the deployment's KV store, so they survive across requests
 * (and, with a Redis store, across servers). */
#include "vivarium_guest.h"

#define LIMIT 5

static void count(void) {
  viv_buf out = {0, 0};
  viv_buf_append_int(&out, viv_kv_incr("hits", 1));
  viv_buf_append_str(&out, "\n");
  viv_respond(200, "text/plain", out.ptr);
}

static void limited(void) {
  int64_t now = hostcall_time_now(0);
  viv_buf ip = viv_req_header("x-vivarium-client-ip");
  viv_buf key = {0, 0};
  viv_buf_append_str(&key, "rate:");
  viv_buf_append(&key, ip.ptr, ip.len);
  viv_buf_append_str(&key, ":");
  viv_buf_append_int(&key, now / 60);
  int64_t used = viv_kv_incr(key.ptr, 1);
  viv_buf remaining = {0, 0};
  viv_buf_append_int(&remaining, used >= LIMIT ? 0 : LIMIT - used);
  viv_resp_header("x-ratelimit-remaining", remaining.ptr);
  if (used > LIMIT) {
    viv_buf retry = {0, 0};
    viv_buf_append_int(&retry, 60 - now % 60);
    viv_resp_header("retry-after", retry.ptr);
    viv_respond(429, "text/plain", "too many requests\n");
  } else {
    viv_respond(200, "text/plain", "ok\n");
  }
}

__attribute__((export_name("run"))) void run(void) {
  viv_init();
  viv_buf path = viv_req_path();
  if (viv_path_is(path, "/count")) {
    count();
  } else if (viv_path_is(path, "/limited")) {
    limited();
  } else if (viv_path_is(path, "/reset")) {
    viv_kv_remove("hits");
    viv_respond(200, "text/plain", "reset\n");
  } else {
    viv_respond(404, "text/plain", "not found\n");
  }
}
