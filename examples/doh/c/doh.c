/* A DNS-over-HTTPS resolver (RFC 8484) on dns_query_raw:
 *   GET  /dns-query?dns=BASE64URL          a wire-format query, base64url
 *   POST /dns-query (application/dns-message body)
 * answers application/dns-message with the resolver's wire-format answer
 * (the host applies the deployment's egress policy to the name and the
 * addresses), 400 for a malformed query, 502 when resolution fails. TLS is
 * the front end's business; the protocol is the same. */
#include "vivarium_guest.h"

static int b64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-' || c == '+') return 62;
  if (c == '_' || c == '/') return 63;
  return -1;
}

/* Decodes unpadded (or padded) base64url; 0 on a bad character. */
static int b64url_decode(const char* s, size_t len, viv_buf* out) {
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; ++i) {
    if (s[i] == '=') break;
    int v = b64url_value(s[i]);
    if (v < 0) return 0;
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      char byte = (char)((acc >> bits) & 0xFF);
      viv_buf_append(out, &byte, 1);
    }
  }
  return 1;
}

__attribute__((export_name("run"))) void run(void) {
  viv_init();
  viv_buf method = viv_req_method();
  viv_buf path = viv_req_path();
  if (!viv_path_is(path, "/dns-query")) {
    viv_respond(404, "text/plain", "the resolver is at /dns-query\n");
    return;
  }
  viv_buf query = {0, 0};
  if (viv_buf_eq(method, "GET")) {
    viv_buf param = viv_query_param(path, "dns");
    if (!param.ptr || !b64url_decode(param.ptr, param.len, &query)) {
      viv_respond(400, "text/plain", "?dns= must hold a base64url DNS query\n");
      return;
    }
  } else if (viv_buf_eq(method, "POST")) {
    query = viv_req_body();
  } else {
    viv_respond(405, "text/plain", "GET or POST\n");
    return;
  }
  if (query.len < 12 + 5) { /* a header and at least a root question */
    viv_respond(400, "text/plain", "a DNS query has a 12-byte header and a question\n");
    return;
  }
  char* answer;
  size_t len;
  hostcall_dns_query_raw(&answer, &len, query.ptr, query.len);
  if (!answer) {
    viv_respond(502, "text/plain", "resolution failed\n");
    return;
  }
  viv_resp_header("content-type", "application/dns-message");
  viv_resp_header("cache-control", "max-age=60");
  viv_resp_body(answer, len);
}
