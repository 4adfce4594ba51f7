/* A caching reverse proxy that rewrites headers.
 *   PUT /__origin   (body: an origin URL such as http://127.0.0.1:8000)
 *                   sets where requests go; kept in KV, as an operator would
 *   GET /PATH       served from the KV cache (x-cache: HIT) or fetched from
 *                   ORIGIN/PATH (x-cache: MISS); 200 answers are cached
 *   DELETE /__cache?path=/PATH   forgets one cached path
 * Rewrites: the upstream request gets x-forwarded-host (the client's host)
 * and x-forwarded-proto; the answer keeps only content-type and
 * cache-control from the origin, drops everything else (server, set-cookie,
 * ...), and adds via: 1.1 vivarium and x-cache. */
#include "vivarium_guest.h"

static void cache_key(viv_buf* key, const char* path, size_t len) {
  viv_buf_append_str(key, "cache:");
  viv_buf_append(key, path, len);
}

static void pass_header(terrarium_response from, const char* name) {
  viv_buf v = viv_resp_header_of(from, name);
  if (v.ptr) viv_resp_header(name, v.ptr);
  viv_buf_free(&v);
}

__attribute__((export_name("run"))) void run(void) {
  viv_init();
  viv_buf method = viv_req_method();
  viv_buf path = viv_req_path();
  viv_resp_header("via", "1.1 vivarium");
  if (viv_path_is(path, "/__origin") && viv_buf_eq(method, "PUT")) {
    viv_buf body = viv_req_body();
    viv_kv_put("origin", body.ptr, body.len);
    viv_respond(200, "text/plain", "origin set\n");
    return;
  }
  if (viv_path_is(path, "/__cache") && viv_buf_eq(method, "DELETE")) {
    viv_buf which = viv_query_param(path, "path");
    viv_buf key = {0, 0};
    cache_key(&key, which.ptr, which.len);
    viv_respond(200, "text/plain", viv_kv_remove(key.ptr) ? "forgotten\n" : "not cached\n");
    return;
  }
  if (!viv_buf_eq(method, "GET")) {
    viv_respond(405, "text/plain", "this proxy serves GET\n");
    return;
  }
  viv_buf key = {0, 0};
  cache_key(&key, path.ptr, path.len);
  viv_buf cached;
  if (viv_kv_get(key.ptr, &cached)) {
    /* Cached entries are "content-type\n" + body. */
    size_t nl = 0;
    while (nl < cached.len && cached.ptr[nl] != '\n') ++nl;
    cached.ptr[nl < cached.len ? nl : cached.len] = 0;
    viv_resp_header("content-type", cached.ptr);
    viv_resp_header("x-cache", "HIT");
    size_t start = nl < cached.len ? nl + 1 : cached.len;
    viv_resp_body(cached.ptr + start, cached.len - start);
    return;
  }
  viv_buf origin;
  if (!viv_kv_get("origin", &origin)) {
    viv_respond(503, "text/plain", "no origin: PUT its URL to /__origin\n");
    return;
  }
  viv_buf url = {0, 0};
  viv_buf_append(&url, origin.ptr, origin.len);
  viv_buf_append(&url, path.ptr, path.len);
  terrarium_request req = viv_request("GET", url.ptr);
  viv_buf host = viv_req_header("host");
  if (req != TERRARIUM_ERROR) {
    viv_request_header(req, "x-forwarded-host", host.ptr ? host.ptr : "");
    viv_request_header(req, "x-forwarded-proto", "http");
  }
  terrarium_response resp = viv_send(req);
  if (resp == TERRARIUM_ERROR) {
    viv_respond(502, "text/plain", "the origin did not answer\n");
    return;
  }
  uint32_t code = viv_resp_code(resp);
  viv_buf body = viv_resp_body_of(resp);
  viv_buf type = viv_resp_header_of(resp, "content-type");
  viv_resp_status(code);
  pass_header(resp, "content-type");
  pass_header(resp, "cache-control");
  viv_resp_header("x-cache", "MISS");
  viv_resp_body(body.ptr, body.len);
  if (code == 200) {
    viv_buf entry = {0, 0};
    viv_buf_append(&entry, type.ptr ? type.ptr : "application/octet-stream",
                   type.ptr ? type.len : viv_strlen("application/octet-stream"));
    viv_buf_append_str(&entry, "\n");
    viv_buf_append(&entry, body.ptr, body.len);
    viv_kv_put(key.ptr, entry.ptr, entry.len);
  }
}
