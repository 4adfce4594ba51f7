/* A guest that misbehaves on purpose; the path says how. Each must end its
 * own request with a clear error, never harm the host. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "terrarium.h"

static volatile int sink;

__attribute__((noinline)) static int recurse(int n) {
  char pad[64];
  pad[n & 63] = (char)n;
  sink = pad[(n * 7) & 63];
  if (n == -1) return 0; /* never: keeps -Winfinite-recursion quiet */
  return recurse(n + 1) + sink;
}

/* A malloc that asks the host for data again: every call re-enters. */
static void* reentrant_malloc(size_t n) {
  char* body;
  size_t len;
  hostcall_req_get_body(&body, &len, TERRARIUM_INCOMING);
  return malloc(n);
}

static void* wild_malloc(size_t n) {
  (void)n;
  return (void*)(uintptr_t)0xfffffff0u;
}

static int is(const char* path, size_t len, const char* want) {
  return strlen(want) == len && memcmp(path, want, len) == 0;
}

__attribute__((export_name("run"))) void run(void) {
  TERRARIUM_INIT_MM(malloc, free);
  char* path;
  size_t len;
  hostcall_req_get_path(&path, &len, TERRARIUM_INCOMING);
  if (is(path, len, "/recurse")) {
    sink = recurse(0);
  } else if (is(path, len, "/reenter")) {
    TERRARIUM_INIT_MM(reentrant_malloc, free);
    char* body;
    hostcall_req_get_body(&body, &len, TERRARIUM_INCOMING);
  } else if (is(path, len, "/loop")) {
    for (;;) sink = sink + 1;
  } else if (is(path, len, "/set-then-trap")) {
    hostcall_resp_set_response_code(TERRARIUM_OUTGOING, 201);
    terrarium_set_body_str("half a response");
    __builtin_trap();
  } else if (is(path, len, "/oom")) {
    size_t total = 0;
    void* volatile block; /* volatile: the allocations must happen */
    while ((block = malloc(1 << 20)) != NULL) total += 1 << 20;
    terrarium_set_body_str(total > 0 ? "oom handled" : "no memory at all");
  } else if (is(path, len, "/bad-malloc-index")) {
    hostcall_init_mm((terrarium_malloc_fn)9999, (terrarium_free_fn)9998);
    hostcall_req_get_path(&path, &len, TERRARIUM_INCOMING);
  } else if (is(path, len, "/wild-malloc")) {
    TERRARIUM_INIT_MM(wild_malloc, free);
    hostcall_req_get_path(&path, &len, TERRARIUM_INCOMING);
  } else if (is(path, len, "/wild-debug")) {
    hostcall_debug((const char*)(uintptr_t)0xfffffff0u, 100);
  } else if (is(path, len, "/abandon")) {
    /* Starts transfers to x-upstream and returns without waiting. */
    terrarium_slice* urls;
    size_t n;
    hostcall_req_get_header(&urls, &n, TERRARIUM_INCOMING, "x-upstream", 10);
    for (size_t i = 0; i < n; ++i) hostcall_req_send_async(hostcall_req_create("GET", 3, urls[i].ptr, urls[i].len));
    terrarium_set_body_str("abandoned");
  } else if (is(path, len, "/panic-then-return")) {
    hostcall_panic_hook("oops", 4);
  }
}
