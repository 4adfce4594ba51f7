/* A fan-out aggregator: GET / with one `x-upstream: URL` header per backend
 * (up to 8) sends them all at once and, with select, collects each answer as
 * it arrives. It answers a JSON object listing the backends in the order they
 * completed: {"completed":[{"upstream":I,"status":S,"body":"..."},...]}, an
 * error as "status":0. Bodies are cut at 200 bytes and JSON-escaped. */
#include "vivarium_guest.h"

#define MAX_UPSTREAMS 8

static void append_json_string(viv_buf* out, const char* s, size_t len) {
  static const char hex[] = "0123456789abcdef";
  viv_buf_append_str(out, "\"");
  for (size_t i = 0; i < len && i < 200; ++i) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      viv_buf_append(out, e, 2);
    } else if (c < 0x20) {
      char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      viv_buf_append(out, e, 6);
    } else {
      viv_buf_append(out, &s[i], 1);
    }
  }
  viv_buf_append_str(out, "\"");
}

__attribute__((export_name("run"))) void run(void) {
  viv_init();
  viv_list urls = viv_req_header_values("x-upstream");
  if (urls.count == 0 || urls.count > MAX_UPSTREAMS) {
    viv_respond(400, "text/plain", "send 1 to 8 x-upstream headers\n");
    return;
  }
  terrarium_pending pending[MAX_UPSTREAMS];
  size_t which[MAX_UPSTREAMS]; /* pending[i] was sent to upstream which[i] */
  size_t live = 0;
  viv_buf out = {0, 0};
  viv_buf_append_str(&out, "{\"completed\":[");
  int first = 1;
  for (size_t i = 0; i < urls.count; ++i) {
    terrarium_request req = hostcall_req_create("GET", 3, urls.items[i].ptr, urls.items[i].len);
    terrarium_pending pr = viv_send_async(req);
    if (pr == TERRARIUM_ERROR) {
      viv_buf_append_str(&out, first ? "" : ",");
      viv_buf_append_str(&out, "{\"upstream\":");
      viv_buf_append_int(&out, (int64_t)i);
      viv_buf_append_str(&out, ",\"status\":0}");
      first = 0;
      continue;
    }
    pending[live] = pr;
    which[live++] = i;
  }
  while (live > 0) {
    size_t index;
    terrarium_response resp = viv_select(pending, &live, &index);
    size_t upstream = which[index];
    for (size_t k = index; k < live; ++k) which[k] = which[k + 1];
    viv_buf_append_str(&out, first ? "" : ",");
    first = 0;
    viv_buf_append_str(&out, "{\"upstream\":");
    viv_buf_append_int(&out, (int64_t)upstream);
    viv_buf_append_str(&out, ",\"status\":");
    viv_buf_append_int(&out, resp == TERRARIUM_ERROR ? 0 : viv_resp_code(resp));
    if (resp != TERRARIUM_ERROR) {
      viv_buf body = viv_resp_body_of(resp);
      viv_buf_append_str(&out, ",\"body\":");
      append_json_string(&out, body.ptr, body.len);
      viv_buf_free(&body);
    }
    viv_buf_append_str(&out, "}");
  }
  viv_buf_append_str(&out, "]}");
  viv_resp_header("content-type", "application/json");
  viv_resp_body(out.ptr, out.len);
}
