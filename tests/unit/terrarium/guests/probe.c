/* Exercises the hostcalls and reports what they returned in the response
 * body; the request path picks the scenario (see terrarium_hostcalls_test). */
#include "terrarium_fmt.h"
#include <stdlib.h>
#include <string.h>

#include "terrarium.h"

static char report[4096];
static size_t report_len;

static void say(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static void say(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = terrarium_vsnprintf(report + report_len, sizeof report - report_len, fmt, ap);
  va_end(ap);
  if (n > 0 && (size_t)n < sizeof report - report_len) report_len += (size_t)n;
}

static int is(const char* path, size_t len, const char* want) {
  return strlen(want) == len && memcmp(path, want, len) == 0;
}

static void headers(void) {
  terrarium_slice* names;
  size_t count;
  hostcall_req_get_headers(&names, &count, TERRARIUM_INCOMING);
  for (size_t i = 0; i < count; ++i) {
    terrarium_slice* values;
    size_t nvalues;
    hostcall_req_get_header(&values, &nvalues, TERRARIUM_INCOMING, names[i].ptr, names[i].len);
    say("%.*s=", (int)names[i].len, names[i].ptr);
    for (size_t j = 0; j < nvalues; ++j) {
      /* The host NUL-terminates every buffer. */
      say("%s%s", j ? "|" : "", values[j].ptr);
      free((void*)values[j].ptr);
    }
    say("\n");
    free(values);
    free((void*)names[i].ptr);
  }
  free(names);
  /* Case-insensitive lookup. */
  terrarium_slice* values;
  size_t nvalues;
  hostcall_req_get_header(&values, &nvalues, TERRARIUM_INCOMING, "X-MULTI", 7);
  say("X-MULTI:%zu\n", nvalues);
}

static void kv(void) {
  char* v = (char*)1;
  size_t len = 99;
  say("remove0=%d ", hostcall_kvstore_remove("k", 1));
  int g = hostcall_kvstore_get(&v, &len, "k", 1);
  say("get0=%d,%s,%zu ", g, v ? "ptr" : "null", len);
  say("insert1=%d ", hostcall_kvstore_insert("k", 1, "a", 1));
  say("insert2=%d ", hostcall_kvstore_insert("k", 1, "b", 1));
  g = hostcall_kvstore_get(&v, &len, "k", 1);
  say("get1=%d,%s ", g, v);
  free(v);
  say("append1=%d ", hostcall_kvstore_append("k", 1, "c", 1));
  say("append2=%d ", hostcall_kvstore_append("n", 1, "x", 1));
  g = hostcall_kvstore_get(&v, &len, "k", 1);
  say("get2=%d,%s ", g, v);
  free(v);
  say("upsert1=%d ", hostcall_kvstore_upsert("u", 1, "1", 1));
  say("upsert2=%d ", hostcall_kvstore_upsert("u", 1, "2", 1));
  say("insert_empty=%d ", hostcall_kvstore_insert("e", 1, "", 0));
  v = NULL;
  g = hostcall_kvstore_get(&v, &len, "e", 1);
  say("get_empty=%d,%s,%zu ", g, v ? "ptr" : "null", len);
  free(v);
  say("remove1=%d remove2=%d", hostcall_kvstore_remove("k", 1), hostcall_kvstore_remove("k", 1));
}

static void response(void) {
  terrarium_slice two[2] = {{"1", 1}, {"2", 1}};
  terrarium_slice bad = {"a\r\nb", 4};
  terrarium_slice len = {"5", 1};
  say("code=%d ", hostcall_resp_set_response_code(TERRARIUM_OUTGOING, 404));
  say("code99=%d ", hostcall_resp_set_response_code(TERRARIUM_OUTGOING, 99));
  say("code70000=%d ", hostcall_resp_set_response_code(TERRARIUM_OUTGOING, 70000));
  say("hdr=%d ", hostcall_resp_set_header(TERRARIUM_OUTGOING, "X-A", 3, two, 2));
  say("hdr_bad_name=%d ", hostcall_resp_set_header(TERRARIUM_OUTGOING, "a b", 3, two, 1));
  say("hdr_crlf=%d ", hostcall_resp_set_header(TERRARIUM_OUTGOING, "x-b", 3, &bad, 1));
  say("hdr_handle=%d ", hostcall_resp_set_header(5, "x-c", 3, two, 1));
  say("cl=%d ", hostcall_resp_set_header(TERRARIUM_OUTGOING, "content-length", 14, &len, 1));
  say("body_handle=%d ", hostcall_resp_set_body(7, "x", 1));
  say("status_read=%u", hostcall_resp_get_response_code(TERRARIUM_OUTGOING));
  terrarium_slice r = {report, report_len};
  hostcall_resp_set_header(TERRARIUM_OUTGOING, "x-results", 9, &r, 1);
  report_len = 0;
  say("nope");
}

static void handles(void) {
  terrarium_slice v = {"x", 1};
  char* p = (char*)1;
  size_t n = 9;
  terrarium_pending out = 5;
  terrarium_pending unknown[1] = {77};
  say("set_header_incoming=%d ", hostcall_req_set_header(TERRARIUM_INCOMING, "x", 1, &v, 1));
  say("set_header_unknown=%d ", hostcall_req_set_header(77, "x", 1, &v, 1));
  say("set_body_incoming=%d ", hostcall_req_set_body(TERRARIUM_INCOMING, "x", 1));
  say("send_incoming=%d ", hostcall_req_send(TERRARIUM_INCOMING));
  say("send_unknown=%d ", hostcall_req_send(77));
  say("send_async_unknown=%d ", hostcall_req_send_async(77));
  say("wait_unknown=%d ", hostcall_pending_req_wait(77));
  say("poll_unknown=%d ", hostcall_pending_req_poll(77));
  int r = hostcall_pending_req_select(unknown, 1, &out);
  say("select_unknown=%d,%d ", r, out);
  out = 5;
  r = hostcall_pending_req_select(unknown, 0, &out);
  say("select_empty=%d ", r);
  say("code_unknown=%d ", (int32_t)hostcall_resp_get_response_code(77));
  hostcall_resp_get_body(&p, &n, 77);
  say("resp_body_unknown=%s,%zu ", p ? "ptr" : "null", n);
  p = (char*)1;
  hostcall_req_get_body(&p, &n, 77);
  say("req_body_unknown=%s,%zu ", p ? "ptr" : "null", n);
  say("create_bad_method=%d ", hostcall_req_create("G T", 3, "http://a/", 9));
  say("create_ftp=%d ", hostcall_req_create("GET", 3, "ftp://a/", 8));
  say("create_no_host=%d", hostcall_req_create("GET", 3, "http://", 7));
}

static void outbound(void) {
  static const char url[] = "http://127.0.0.1:1/a/b?c=d";
  terrarium_request req = hostcall_req_create("POST", 4, url, sizeof url - 1);
  terrarium_slice v = {"yes", 3};
  say("req=%d ", req);
  say("set_header=%d ", hostcall_req_set_header(req, "x-up", 4, &v, 1));
  say("set_body=%d ", hostcall_req_set_body(req, "payload", 7));
  char* s;
  size_t n;
  hostcall_req_get_method(&s, &n, req);
  say("method=%s ", s);
  free(s);
  hostcall_req_get_path(&s, &n, req);
  say("path=%s ", s);
  free(s);
  terrarium_pending pr = hostcall_req_send_async(req);
  say("pr=%d ", pr);
  say("consumed=%d ", hostcall_req_set_body(req, "x", 1));
  int polled = hostcall_pending_req_poll(pr);
  say("poll=%s ", polled == -2 ? "notready" : polled == -1 ? "error" : "response");
  if (polled == -2) say("wait=%d ", hostcall_pending_req_wait(pr));
  else say("wait=-1 ");
  say("wait_again=%d ", hostcall_pending_req_wait(pr));
  /* Two failing transfers: select returns -1 naming one, the other stays valid. */
  terrarium_pending two[2];
  two[0] = hostcall_req_send_async(hostcall_req_create("GET", 3, url, sizeof url - 1));
  two[1] = hostcall_req_send_async(hostcall_req_create("GET", 3, url, sizeof url - 1));
  terrarium_pending which = 0;
  int r = hostcall_pending_req_select(two, 2, &which);
  say("select=%d,%s ", r, which == two[0] || which == two[1] ? "named" : "wrong");
  terrarium_pending other = which == two[0] ? two[1] : two[0];
  say("other_wait=%d ", hostcall_pending_req_wait(other));
  say("send=%d ", hostcall_req_send(hostcall_req_create("GET", 3, url, sizeof url - 1)));
  /* The deployment's cap (3 in the test): this fifth one is refused. */
  say("capped=%d", hostcall_req_send_async(hostcall_req_create("GET", 3, url, sizeof url - 1)));
}

/* A blocking send to the URL in x-upstream (upstream.py's /echo), then every
 * getter on the upstream response. */
static void upstream_echo(void) {
  terrarium_slice* urls;
  size_t n;
  hostcall_req_get_header(&urls, &n, TERRARIUM_INCOMING, "x-upstream", 10);
  if (n != 1) {
    say("no x-upstream");
    return;
  }
  terrarium_request req = hostcall_req_create("POST", 4, urls[0].ptr, urls[0].len);
  terrarium_slice v[2] = {{"yes", 3}, {"again", 5}};
  hostcall_req_set_header(req, "X-Up", 4, v, 2);
  hostcall_req_set_body(req, "payload", 7);
  terrarium_slice wrong = {"999", 3};
  say("framing=%d ", hostcall_req_set_header(req, "Content-Length", 14, &wrong, 1));
  terrarium_response resp = hostcall_req_send(req);
  say("resp=%s code=%u ", resp > 0 ? "ok" : "error", hostcall_resp_get_response_code(resp));
  terrarium_slice* values;
  size_t nvalues;
  hostcall_resp_get_header(&values, &nvalues, resp, "x-method", 8);
  say("method=%.*s ", nvalues ? (int)values[0].len : 0, nvalues ? values[0].ptr : "");
  hostcall_resp_get_header(&values, &nvalues, resp, "X-ECHO-X-UP", 11);
  say("x-up=%zu ", nvalues);
  for (size_t i = 0; i < nvalues; ++i) say("%s;", values[i].ptr);
  terrarium_slice* names;
  hostcall_resp_get_headers(&names, &n, resp);
  int has_length = 0;
  for (size_t i = 0; i < n; ++i) has_length |= strcmp(names[i].ptr, "content-length") == 0;
  say(" names_lower=%d ", has_length);
  char* body;
  size_t len;
  hostcall_resp_get_body(&body, &len, resp);
  say("body=%.*s", (int)len, body);
}

static void misc(void) {
  uint32_t nanos = 0xffffffffu;
  int64_t secs = hostcall_time_now(&nanos);
  say("time=%s ", secs > 1700000000 && nanos < 1000000000u ? "ok" : "bad");
  say("time_null=%s ", hostcall_time_now(0) > 1700000000 ? "ok" : "bad");
  uint64_t a = hostcall_rng_next_u64(), b = hostcall_rng_next_u64();
  say("rng=%s ", a != b ? "ok" : "same");
  hostcall_debug("first line", 10);
  terrarium_debug_str("second line");
  char* p = (char*)1;
  size_t n = 9;
  int r = hostcall_dns_query_ip((terrarium_slice**)&p, &n, "localhost", 9, 0);
  say("dns=%d,%s,%zu", r, p ? "ptr" : "null", n);
}

__attribute__((export_name("run"))) void run(void) {
  TERRARIUM_INIT_MM(malloc, free);
  char* path;
  size_t len;
  hostcall_req_get_path(&path, &len, TERRARIUM_INCOMING);
  if (is(path, len, "/headers")) headers();
  else if (is(path, len, "/kv")) kv();
  else if (is(path, len, "/response")) response();
  else if (is(path, len, "/handles")) handles();
  else if (is(path, len, "/outbound")) outbound();
  else if (is(path, len, "/misc")) misc();
  else if (is(path, len, "/upstream-echo")) upstream_echo();
  else say("unknown scenario %.*s", (int)len, path);
  free(path);
  hostcall_resp_set_body(TERRARIUM_OUTGOING, report, report_len);
}
