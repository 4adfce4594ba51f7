/* Echoes the request: method and path in headers, every header name with
 * its values in the body's first lines, then a blank line and the body. */
#include <stdlib.h>
#include <string.h>

#include "terrarium.h"

static char* out;
static size_t out_len, out_cap;

static void put(const char* s, size_t n) {
  if (out_len + n > out_cap) {
    out_cap = (out_len + n) * 2 + 64;
    out = realloc(out, out_cap);
  }
  memcpy(out + out_len, s, n);
  out_len += n;
}

__attribute__((export_name("run"))) void run(void) {
  TERRARIUM_INIT_MM(malloc, free);
  char* s;
  size_t n;
  hostcall_req_get_method(&s, &n, TERRARIUM_INCOMING);
  terrarium_slice v = {s, n};
  hostcall_resp_set_header(TERRARIUM_OUTGOING, "x-echo-method", 13, &v, 1);
  free(s);
  hostcall_req_get_path(&s, &n, TERRARIUM_INCOMING);
  v.ptr = s;
  v.len = n;
  hostcall_resp_set_header(TERRARIUM_OUTGOING, "x-echo-path", 11, &v, 1);
  free(s);

  terrarium_slice* names;
  size_t count;
  hostcall_req_get_headers(&names, &count, TERRARIUM_INCOMING);
  for (size_t i = 0; i < count; ++i) {
    terrarium_slice* values;
    size_t nvalues;
    hostcall_req_get_header(&values, &nvalues, TERRARIUM_INCOMING, names[i].ptr, names[i].len);
    put(names[i].ptr, names[i].len);
    put(":", 1);
    for (size_t j = 0; j < nvalues; ++j) {
      put(" ", 1);
      put(values[j].ptr, values[j].len);
      free((void*)values[j].ptr);
    }
    put("\n", 1);
    free(values);
    free((void*)names[i].ptr);
  }
  free(names);
  put("\n", 1);
  hostcall_req_get_body(&s, &n, TERRARIUM_INCOMING);
  put(s ? s : "", n);
  free(s);
  hostcall_resp_set_body(TERRARIUM_OUTGOING, out, out_len);
}
