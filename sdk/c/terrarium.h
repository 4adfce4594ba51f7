/* Terrarium guest ABI for C (wasm32): every env.hostcall_* import of
 * `vivarium serve`, as ../shared/terrarium/ABI.md specifies them.
 *
 * A guest exports `void run(void)`, which handles one request. Call
 * TERRARIUM_INIT_MM(malloc, free) early in run if you use any call that
 * returns data: the host allocates results with your malloc (len + 1 bytes,
 * NUL-terminated) and you free them. Build with
 *   clang --target=wasm32-wasi -nostartfiles -Wl,--no-entry -Wl,--export=run
 * (wasi-libc for malloc and string functions; no WASI import is left).
 */
#ifndef VIVARIUM_SDK_TERRARIUM_H
#define VIVARIUM_SDK_TERRARIUM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TERRARIUM_IMPORT(name) __attribute__((import_module("env"), import_name("hostcall_" #name)))

/* {ptr, len}: 8 bytes, 4-byte aligned (wasm32). `struct string_slice` is
 * its name in Terrarium's own header. */
typedef struct string_slice {
  const char* ptr;
  size_t len;
} terrarium_slice;

/* The guest's malloc and free as init_mm takes them: in wasm32 a function
 * pointer is the function's table index, so the import is (i32 i32). */
typedef void* (*terrarium_malloc_fn)(size_t);
typedef void (*terrarium_free_fn)(void*);

typedef int32_t terrarium_request;  /* 0: the incoming request, -1: error */
typedef int32_t terrarium_response; /* 0: the outgoing response, -1: error, -2: not ready */
typedef int32_t terrarium_pending;  /* -1: error */

enum {
  TERRARIUM_INCOMING = 0,
  TERRARIUM_OUTGOING = 0,
  TERRARIUM_ERROR = -1,
  TERRARIUM_NOT_READY = -2,
  TERRARIUM_OK = 0,      /* HostcallStatus */
  TERRARIUM_INVALID = 1,
};

/* The names of Terrarium's own C header (http_hostcalls.h), so its guests
 * build after changing only the #include. */
typedef terrarium_request request_t;
typedef terrarium_response response_t;
typedef terrarium_pending pending_request_t;
enum value_status { value_status_ok = 0, value_status_invalid = 1 };
#define REQUEST_INCOMING ((request_t)0)
#define RESPONSE_OUTGOING ((response_t)0)

/* Memory protocol and diagnostics. */
TERRARIUM_IMPORT(init_mm) void hostcall_init_mm(terrarium_malloc_fn malloc_index, terrarium_free_fn free_index);
TERRARIUM_IMPORT(panic_hook) void hostcall_panic_hook(const char* msg, size_t len);
/* len == (size_t)-1: up to the first NUL. */
TERRARIUM_IMPORT(debug) void hostcall_debug(const char* msg, size_t len);
TERRARIUM_IMPORT(time_now) int64_t hostcall_time_now(uint32_t* nanos);
TERRARIUM_IMPORT(rng_next_u64) uint64_t hostcall_rng_next_u64(void);

/* Requests: the incoming one (0) and outgoing ones you create. */
TERRARIUM_IMPORT(req_get_headers)
void hostcall_req_get_headers(terrarium_slice** out, size_t* count, terrarium_request req);
TERRARIUM_IMPORT(req_get_header)
void hostcall_req_get_header(terrarium_slice** out, size_t* count, terrarium_request req, const char* name,
                             size_t name_len);
TERRARIUM_IMPORT(req_get_method) void hostcall_req_get_method(char** out, size_t* len, terrarium_request req);
TERRARIUM_IMPORT(req_get_path) void hostcall_req_get_path(char** out, size_t* len, terrarium_request req);
TERRARIUM_IMPORT(req_get_body) void hostcall_req_get_body(char** out, size_t* len, terrarium_request req);
TERRARIUM_IMPORT(req_create)
terrarium_request hostcall_req_create(const char* method, size_t method_len, const char* url, size_t url_len);
TERRARIUM_IMPORT(req_set_header)
int32_t hostcall_req_set_header(terrarium_request req, const char* name, size_t name_len,
                                const terrarium_slice* values, size_t count);
TERRARIUM_IMPORT(req_set_body) int32_t hostcall_req_set_body(terrarium_request req, const char* body, size_t len);
TERRARIUM_IMPORT(req_send) terrarium_response hostcall_req_send(terrarium_request req);
TERRARIUM_IMPORT(req_send_async) terrarium_pending hostcall_req_send_async(terrarium_request req);

/* Pending requests. */
TERRARIUM_IMPORT(pending_req_wait) terrarium_response hostcall_pending_req_wait(terrarium_pending pr);
TERRARIUM_IMPORT(pending_req_poll) terrarium_response hostcall_pending_req_poll(terrarium_pending pr);
TERRARIUM_IMPORT(pending_req_select)
terrarium_response hostcall_pending_req_select(const terrarium_pending* prs, size_t count, terrarium_pending* pr_out);

/* Responses: the outgoing one (0) and upstream ones. */
TERRARIUM_IMPORT(resp_get_headers)
void hostcall_resp_get_headers(terrarium_slice** out, size_t* count, terrarium_response resp);
TERRARIUM_IMPORT(resp_get_header)
void hostcall_resp_get_header(terrarium_slice** out, size_t* count, terrarium_response resp, const char* name,
                              size_t name_len);
TERRARIUM_IMPORT(resp_get_body) void hostcall_resp_get_body(char** out, size_t* len, terrarium_response resp);
TERRARIUM_IMPORT(resp_get_response_code) uint32_t hostcall_resp_get_response_code(terrarium_response resp);
TERRARIUM_IMPORT(resp_set_header)
int32_t hostcall_resp_set_header(terrarium_response resp, const char* name, size_t name_len,
                                 const terrarium_slice* values, size_t count);
TERRARIUM_IMPORT(resp_set_body) int32_t hostcall_resp_set_body(terrarium_response resp, const char* body, size_t len);
TERRARIUM_IMPORT(resp_set_response_code) int32_t hostcall_resp_set_response_code(terrarium_response resp, uint32_t code);

/* The deployment's key-value store. Writes return 1 when the key was absent. */
TERRARIUM_IMPORT(kvstore_get) int32_t hostcall_kvstore_get(char** out, size_t* len, const char* key, size_t key_len);
TERRARIUM_IMPORT(kvstore_insert)
int32_t hostcall_kvstore_insert(const char* key, size_t key_len, const char* value, size_t value_len);
TERRARIUM_IMPORT(kvstore_upsert)
int32_t hostcall_kvstore_upsert(const char* key, size_t key_len, const char* value, size_t value_len);
TERRARIUM_IMPORT(kvstore_append)
int32_t hostcall_kvstore_append(const char* key, size_t key_len, const char* value, size_t value_len);
TERRARIUM_IMPORT(kvstore_remove) int32_t hostcall_kvstore_remove(const char* key, size_t key_len);

/* DNS, under the deployment's egress policy. Failure: *out == NULL. */
TERRARIUM_IMPORT(dns_query_raw) int32_t hostcall_dns_query_raw(char** out, size_t* len, const char* query, size_t query_len);
TERRARIUM_IMPORT(dns_query_ip)
int32_t hostcall_dns_query_ip(terrarium_slice** out, size_t* count, const char* name, size_t name_len, int32_t ipv6);

/* Registers malloc/free (their table indices: a function pointer is one in wasm32). */
#define TERRARIUM_INIT_MM(malloc_fn, free_fn) \
  hostcall_init_mm((terrarium_malloc_fn)(malloc_fn), (terrarium_free_fn)(free_fn))

/* Conveniences for NUL-terminated strings. */
static inline int32_t terrarium_set_body_str(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  return hostcall_resp_set_body(TERRARIUM_OUTGOING, s, n);
}
static inline int32_t terrarium_set_header_str(terrarium_response resp, const char* name, const char* value) {
  size_t n = 0, v = 0;
  while (name[n]) ++n;
  while (value[v]) ++v;
  terrarium_slice s = {value, v};
  return hostcall_resp_set_header(resp, name, n, &s, 1);
}
static inline void terrarium_debug_str(const char* s) { hostcall_debug(s, (size_t)-1); }

#ifdef __cplusplus
}
#endif
#endif /* VIVARIUM_SDK_TERRARIUM_H */
