/* The C guest library (vivarium_guest.h): thin, allocation-owning wrappers
 * over the hostcalls. No libc beyond malloc/free, so the same code builds
 * against wasi-libc and freestanding (src/freestanding.c). */
#include "vivarium_guest.h"

void viv_init(void) { TERRARIUM_INIT_MM(malloc, free); }

size_t viv_strlen(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}

static void copy_bytes(char* dst, const char* src, size_t n) {
  for (size_t i = 0; i < n; ++i) dst[i] = src[i];
}

void viv_buf_free(viv_buf* b) {
  free(b->ptr);
  b->ptr = NULL;
  b->len = 0;
}

void viv_list_free(viv_list* l) {
  for (size_t i = 0; i < l->count; ++i) free((void*)l->items[i].ptr);
  free(l->items);
  l->items = NULL;
  l->count = 0;
}

int viv_buf_eq(viv_buf b, const char* s) {
  size_t n = viv_strlen(s);
  if (n != b.len) return 0;
  for (size_t i = 0; i < n; ++i)
    if (b.ptr[i] != s[i]) return 0;
  return 1;
}

viv_buf viv_req_method(void) {
  viv_buf b;
  hostcall_req_get_method(&b.ptr, &b.len, TERRARIUM_INCOMING);
  return b;
}

viv_buf viv_req_path(void) {
  viv_buf b;
  hostcall_req_get_path(&b.ptr, &b.len, TERRARIUM_INCOMING);
  return b;
}

viv_buf viv_req_body(void) {
  viv_buf b;
  hostcall_req_get_body(&b.ptr, &b.len, TERRARIUM_INCOMING);
  return b;
}

viv_list viv_req_header_names(void) {
  viv_list l;
  hostcall_req_get_headers(&l.items, &l.count, TERRARIUM_INCOMING);
  return l;
}

viv_list viv_req_header_values(const char* name) {
  viv_list l;
  hostcall_req_get_header(&l.items, &l.count, TERRARIUM_INCOMING, name, viv_strlen(name));
  return l;
}

/* Keeps the first value of a list and frees the rest. */
static viv_buf first_of(viv_list l) {
  viv_buf b = {NULL, 0};
  if (l.count > 0) {
    b.ptr = (char*)l.items[0].ptr;
    b.len = l.items[0].len;
    l.items[0].ptr = NULL;
  }
  viv_list_free(&l);
  return b;
}

viv_buf viv_req_header(const char* name) { return first_of(viv_req_header_values(name)); }

static size_t path_end(viv_buf path) {
  size_t n = 0;
  while (n < path.len && path.ptr[n] != '?') ++n;
  return n;
}

int viv_path_is(viv_buf path, const char* route) {
  size_t n = path_end(path), r = viv_strlen(route);
  if (n != r) return 0;
  for (size_t i = 0; i < n; ++i)
    if (path.ptr[i] != route[i]) return 0;
  return 1;
}

viv_buf viv_query_param(viv_buf path, const char* name) {
  viv_buf out = {NULL, 0};
  size_t i = path_end(path) + 1, nlen = viv_strlen(name);
  while (i < path.len) {
    size_t end = i;
    while (end < path.len && path.ptr[end] != '&') ++end;
    size_t eq = i;
    while (eq < end && path.ptr[eq] != '=') ++eq;
    int match = eq - i == nlen;
    for (size_t k = 0; match && k < nlen; ++k) match = path.ptr[i + k] == name[k];
    if (match) {
      size_t vstart = eq < end ? eq + 1 : end;
      viv_buf_append(&out, path.ptr + vstart, end - vstart);
      return out;
    }
    i = end + 1;
  }
  return out;
}

void viv_resp_status(uint32_t code) { hostcall_resp_set_response_code(TERRARIUM_OUTGOING, code); }

void viv_resp_header(const char* name, const char* value) { terrarium_set_header_str(TERRARIUM_OUTGOING, name, value); }

void viv_resp_body(const void* data, size_t len) { hostcall_resp_set_body(TERRARIUM_OUTGOING, data, len); }

void viv_respond(uint32_t code, const char* content_type, const char* body) {
  viv_resp_status(code);
  if (content_type) viv_resp_header("content-type", content_type);
  viv_resp_body(body, viv_strlen(body));
}

int viv_kv_get(const char* key, viv_buf* out) {
  int found = hostcall_kvstore_get(&out->ptr, &out->len, key, viv_strlen(key));
  if (!found) {
    out->ptr = NULL;
    out->len = 0;
  }
  return found;
}

void viv_kv_put(const char* key, const void* value, size_t len) {
  hostcall_kvstore_upsert(key, viv_strlen(key), value, len);
}

void viv_kv_append(const char* key, const void* value, size_t len) {
  hostcall_kvstore_append(key, viv_strlen(key), value, len);
}

int viv_kv_remove(const char* key) { return hostcall_kvstore_remove(key, viv_strlen(key)); }

int64_t viv_kv_incr(const char* key, int64_t delta) {
  viv_buf old;
  int64_t v = viv_kv_get(key, &old) ? viv_parse_int(old.ptr, old.len) : 0;
  viv_buf_free(&old);
  v += delta;
  viv_buf s = {NULL, 0};
  viv_buf_append_int(&s, v);
  viv_kv_put(key, s.ptr, s.len);
  viv_buf_free(&s);
  return v;
}

terrarium_request viv_request(const char* method, const char* url) {
  return hostcall_req_create(method, viv_strlen(method), url, viv_strlen(url));
}

int32_t viv_request_header(terrarium_request req, const char* name, const char* value) {
  terrarium_slice v = {value, viv_strlen(value)};
  return hostcall_req_set_header(req, name, viv_strlen(name), &v, 1);
}

terrarium_response viv_send(terrarium_request req) {
  return req == TERRARIUM_ERROR ? TERRARIUM_ERROR : hostcall_req_send(req);
}

terrarium_pending viv_send_async(terrarium_request req) {
  return req == TERRARIUM_ERROR ? TERRARIUM_ERROR : hostcall_req_send_async(req);
}

terrarium_response viv_get(const char* url) { return viv_send(viv_request("GET", url)); }

terrarium_response viv_select(terrarium_pending* prs, size_t* count, size_t* index) {
  if (*count == 0) return TERRARIUM_ERROR;
  terrarium_pending done = TERRARIUM_ERROR;
  terrarium_response resp = hostcall_pending_req_select(prs, *count, &done);
  size_t i = 0;
  while (i < *count && prs[i] != done) ++i;
  if (i == *count) viv_panic("pending_req_select named no pending request of the list");
  *index = i;
  for (size_t k = i + 1; k < *count; ++k) prs[k - 1] = prs[k];
  --*count;
  return resp;
}

uint32_t viv_resp_code(terrarium_response resp) { return hostcall_resp_get_response_code(resp); }

viv_buf viv_resp_body_of(terrarium_response resp) {
  viv_buf b;
  hostcall_resp_get_body(&b.ptr, &b.len, resp);
  return b;
}

viv_buf viv_resp_header_of(terrarium_response resp, const char* name) {
  viv_list l;
  hostcall_resp_get_header(&l.items, &l.count, resp, name, viv_strlen(name));
  return first_of(l);
}

int viv_buf_append(viv_buf* b, const void* data, size_t len) {
  char* p = malloc(b->len + len + 1);
  if (!p) return 0;
  if (b->ptr) copy_bytes(p, b->ptr, b->len);
  copy_bytes(p + b->len, data, len);
  p[b->len + len] = 0;
  free(b->ptr);
  b->ptr = p;
  b->len += len;
  return 1;
}

int viv_buf_append_str(viv_buf* b, const char* s) { return viv_buf_append(b, s, viv_strlen(s)); }

int viv_buf_append_int(viv_buf* b, int64_t v) {
  char digits[24];
  int n = 0;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    digits[sizeof digits - 1 - n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) digits[sizeof digits - 1 - n++] = '-';
  return viv_buf_append(b, digits + sizeof digits - n, (size_t)n);
}

int64_t viv_parse_int(const char* s, size_t len) {
  size_t i = 0;
  int neg = len > 0 && s[0] == '-';
  if (neg) ++i;
  int64_t v = 0;
  for (; i < len && s[i] >= '0' && s[i] <= '9'; ++i) v = v * 10 + (s[i] - '0');
  return neg ? -v : v;
}

void viv_log(const char* msg) { hostcall_debug(msg, viv_strlen(msg)); }

_Noreturn void viv_panic(const char* msg) {
  hostcall_panic_hook(msg, viv_strlen(msg));
  __builtin_trap();
}

#ifdef __wasi__
/* assert() in a guest: wasi-libc's own __assert_fail prints with stdio, which
 * imports WASI functions a deployment may not have. This definition comes
 * before libc.a, so a failed assertion becomes a panic naming it (the
 * client's 500 carries the message). */
_Noreturn void __assert_fail(const char* expr, const char* file, int line, const char* func) {
  viv_buf m = {NULL, 0};
  viv_buf_append_str(&m, "assertion failed: ");
  viv_buf_append_str(&m, expr);
  viv_buf_append_str(&m, " (");
  viv_buf_append_str(&m, func);
  viv_buf_append_str(&m, " at ");
  viv_buf_append_str(&m, file);
  viv_buf_append_str(&m, ":");
  viv_buf_append_int(&m, line);
  viv_buf_append_str(&m, ")");
  viv_panic(m.ptr ? m.ptr : "assertion failed");
}
#endif
