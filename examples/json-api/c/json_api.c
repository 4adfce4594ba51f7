/* A JSON API with routing over the deployment's KV store:
 *   GET    /api/health        {"ok":true}
 *   GET    /api/items/ID      the stored item, or 404
 *   PUT    /api/items/ID      stores the body (a JSON document), 201 new / 200 replaced
 *   DELETE /api/items/ID      204, or 404
 *   GET    /api/time          {"now":SECONDS}
 * Anything else: 404 (unknown path) or 405 (known path, other method), with a
 * JSON error body. */
#include "vivarium_guest.h"

static void json(uint32_t code, const char* body) { viv_respond(code, "application/json", body); }

static int starts_with(viv_buf b, const char* prefix, size_t* rest) {
  size_t n = viv_strlen(prefix);
  if (b.len < n) return 0;
  for (size_t i = 0; i < n; ++i)
    if (b.ptr[i] != prefix[i]) return 0;
  *rest = n;
  return 1;
}

static void item(viv_buf method, viv_buf path, size_t at) {
  /* The key: "item:" + the id (up to '?'; ids are [A-Za-z0-9_-]). */
  viv_buf key = {0, 0};
  viv_buf_append_str(&key, "item:");
  size_t end = at;
  while (end < path.len && path.ptr[end] != '?') {
    char c = path.ptr[end];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
      json(400, "{\"error\":\"an item id is made of letters, digits, '-' and '_'\"}");
      return;
    }
    ++end;
  }
  if (end == at) {
    json(400, "{\"error\":\"missing item id\"}");
    return;
  }
  viv_buf_append(&key, path.ptr + at, end - at);
  if (viv_buf_eq(method, "GET")) {
    viv_buf value;
    if (!viv_kv_get(key.ptr, &value)) {
      json(404, "{\"error\":\"no such item\"}");
      return;
    }
    viv_resp_status(200);
    viv_resp_header("content-type", "application/json");
    viv_resp_body(value.ptr, value.len);
  } else if (viv_buf_eq(method, "PUT")) {
    viv_buf body = viv_req_body();
    if (body.len == 0 || (body.ptr[0] != '{' && body.ptr[0] != '[')) {
      json(400, "{\"error\":\"the body must be a JSON object or array\"}");
      return;
    }
    int created = hostcall_kvstore_upsert(key.ptr, key.len, body.ptr, body.len);
    json(created ? 201 : 200, created ? "{\"created\":true}" : "{\"created\":false}");
  } else if (viv_buf_eq(method, "DELETE")) {
    if (viv_kv_remove(key.ptr)) {
      viv_resp_status(204);
    } else {
      json(404, "{\"error\":\"no such item\"}");
    }
  } else {
    json(405, "{\"error\":\"method not allowed\"}");
  }
}

__attribute__((export_name("run"))) void run(void) {
  viv_init();
  viv_buf method = viv_req_method();
  viv_buf path = viv_req_path();
  size_t at;
  if (viv_path_is(path, "/api/health")) {
    json(200, "{\"ok\":true}");
  } else if (viv_path_is(path, "/api/time")) {
    viv_buf out = {0, 0};
    viv_buf_append_str(&out, "{\"now\":");
    viv_buf_append_int(&out, hostcall_time_now(0));
    viv_buf_append_str(&out, "}");
    json(200, out.ptr);
  } else if (starts_with(path, "/api/items/", &at)) {
    item(method, path, at);
  } else {
    json(404, "{\"error\":\"not found\"}");
  }
}
