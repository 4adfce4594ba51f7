/* A small C library over the Terrarium hostcalls (terrarium.h): owned
 * buffers and header lists, response shortcuts, KV, outbound requests
 * (sync, async, select) and, for wasi-libc guests, socket helpers.
 *
 * Link src/guest.c (and, without wasi-libc, src/freestanding.c, which brings
 * malloc/free/memcpy/memset/strlen) with your guest; `vivarium build` does.
 * Works for --target=wasm32-wasi (wasi-libc) and freestanding
 * --target=wasm32 -nostdlib alike. Every function returning a buffer or a
 * list hands you ownership: release it with viv_buf_free / viv_list_free.
 * Call viv_init() first in run() (it registers malloc/free with the host). */
#ifndef VIVARIUM_SDK_VIVARIUM_GUEST_H
#define VIVARIUM_SDK_VIVARIUM_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include "terrarium.h"

#ifdef __cplusplus
extern "C" {
#endif

void* malloc(size_t size);
void free(void* ptr);

/* Registers the allocator: host results land in memory from this malloc. */
void viv_init(void);

/* Bytes owned by the guest; ptr is NUL-terminated when non-NULL. */
typedef struct {
  char* ptr;
  size_t len;
} viv_buf;
/* A list of owned buffers (header names, header values, addresses). */
typedef struct {
  terrarium_slice* items;
  size_t count;
} viv_list;

void viv_buf_free(viv_buf* b);
void viv_list_free(viv_list* l);
/* 1 when b holds exactly the NUL-terminated string s. */
int viv_buf_eq(viv_buf b, const char* s);
size_t viv_strlen(const char* s);

/* ---- the incoming request (req 0) or an upstream response ---- */
viv_buf viv_req_method(void);
viv_buf viv_req_path(void); /* path plus ?query */
viv_buf viv_req_body(void);
viv_list viv_req_header_names(void);
viv_list viv_req_header_values(const char* name);
/* The first value of a header, or {NULL, 0}. */
viv_buf viv_req_header(const char* name);
/* 1 when the path (before '?') equals route. */
int viv_path_is(viv_buf path, const char* route);
/* The value of ?name=value in the path's query, or {NULL, 0}. */
viv_buf viv_query_param(viv_buf path, const char* name);

/* ---- the outgoing response (resp 0) ---- */
void viv_resp_status(uint32_t code);
void viv_resp_header(const char* name, const char* value);
void viv_resp_body(const void* data, size_t len);
/* status, content-type and a NUL-terminated body in one call. */
void viv_respond(uint32_t code, const char* content_type, const char* body);

/* ---- the deployment's key-value store ---- */
/* 1 and the value when present; 0 and {NULL, 0} when absent. */
int viv_kv_get(const char* key, viv_buf* out);
void viv_kv_put(const char* key, const void* value, size_t len);
void viv_kv_append(const char* key, const void* value, size_t len);
int viv_kv_remove(const char* key);
/* Adds delta to the decimal integer stored at key (0 when absent) and
 * returns the new value. */
int64_t viv_kv_incr(const char* key, int64_t delta);

/* ---- outbound requests ---- */
/* A request to an absolute URL, or TERRARIUM_ERROR. */
terrarium_request viv_request(const char* method, const char* url);
int32_t viv_request_header(terrarium_request req, const char* name, const char* value);
/* Sends (consuming req) and waits: a response handle or TERRARIUM_ERROR. */
terrarium_response viv_send(terrarium_request req);
/* Starts sending: a pending handle or TERRARIUM_ERROR. */
terrarium_pending viv_send_async(terrarium_request req);
/* GET url and wait. */
terrarium_response viv_get(const char* url);
/* Waits for the first of prs[0..*count) to finish, removes it from the
 * array (order kept), stores its index in *index and returns its response
 * (or TERRARIUM_ERROR when it failed). *count == 0 returns TERRARIUM_ERROR. */
terrarium_response viv_select(terrarium_pending* prs, size_t* count, size_t* index);
uint32_t viv_resp_code(terrarium_response resp);
viv_buf viv_resp_body_of(terrarium_response resp);
viv_buf viv_resp_header_of(terrarium_response resp, const char* name);

/* ---- small formatting helpers (no stdio: it imports WASI) ---- */
/* Appends to a growing buffer; returns 0 when out of memory. */
int viv_buf_append(viv_buf* b, const void* data, size_t len);
int viv_buf_append_str(viv_buf* b, const char* s);
int viv_buf_append_int(viv_buf* b, int64_t v);
/* Parses a leading decimal integer (optional '-'); 0 when none. */
int64_t viv_parse_int(const char* s, size_t len);

/* ---- diagnostics ---- */
void viv_log(const char* msg);
/* Reports msg as a panic (the client gets a 500 carrying it) and traps. */
_Noreturn void viv_panic(const char* msg);

#ifdef __cplusplus
}
#endif
#endif /* VIVARIUM_SDK_VIVARIUM_GUEST_H */
