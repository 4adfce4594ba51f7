/* Fans out to the upstreams named by the request's x-upstream header (up to
 * three URLs), waits for them with select, and answers one line per
 * upstream, in the order they were listed: "<i> <status> <body>" or
 * "<i> error". */
#include "terrarium_fmt.h"
#include <stdlib.h>
#include <string.h>

#include "terrarium.h"

#define MAX_UPSTREAMS 3

__attribute__((export_name("run"))) void run(void) {
  TERRARIUM_INIT_MM(malloc, free);
  terrarium_slice* urls;
  size_t n;
  hostcall_req_get_header(&urls, &n, TERRARIUM_INCOMING, "x-upstream", 10);
  if (n > MAX_UPSTREAMS) n = MAX_UPSTREAMS;

  terrarium_pending prs[MAX_UPSTREAMS], live[MAX_UPSTREAMS];
  char* lines[MAX_UPSTREAMS] = {0};
  size_t nlive = 0;
  for (size_t i = 0; i < n; ++i) {
    terrarium_request req = hostcall_req_create("GET", 3, urls[i].ptr, urls[i].len);
    prs[i] = req == TERRARIUM_ERROR ? TERRARIUM_ERROR : hostcall_req_send_async(req);
    if (prs[i] != TERRARIUM_ERROR) live[nlive++] = prs[i];
    free((void*)urls[i].ptr);
  }
  free(urls);

  while (nlive > 0) {
    terrarium_pending done = TERRARIUM_ERROR;
    terrarium_response resp = hostcall_pending_req_select(live, nlive, &done);
    size_t i = 0;
    while (i < n && prs[i] != done) ++i;
    if (i == n) break; /* cannot happen: select names one of ours */
    char* line = malloc(256);
    if (resp == TERRARIUM_ERROR) {
      terrarium_snprintf(line, 256, "%zu error\n", i);
    } else {
      char* body;
      size_t len;
      hostcall_resp_get_body(&body, &len, resp);
      terrarium_snprintf(line, 256, "%zu %u %.*s\n", i, hostcall_resp_get_response_code(resp), (int)len, body ? body : "");
      free(body);
    }
    lines[i] = line;
    size_t k = 0;
    for (size_t j = 0; j < nlive; ++j) {
      if (live[j] != done) live[k++] = live[j];
    }
    nlive = k;
  }

  char out[1024];
  size_t len = 0;
  for (size_t i = 0; i < n; ++i) {
    const char* l = lines[i] ? lines[i] : "error\n";
    int w = terrarium_snprintf(out + len, sizeof out - len, "%s", l);
    if (w > 0 && (size_t)w < sizeof out - len) len += (size_t)w;
    free(lines[i]);
  }
  hostcall_resp_set_body(TERRARIUM_OUTGOING, out, len);
}
