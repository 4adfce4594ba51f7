/* Never calls init_mm: absent and empty results still come back as (0, 0);
 * a call with data to return (the method, never empty) must trap clearly. */
#include "terrarium_fmt.h"

#include "terrarium.h"

__attribute__((export_name("run"))) void run(void) {
  terrarium_slice* values = (terrarium_slice*)1;
  size_t n = 9;
  char report[128];
  hostcall_req_get_header(&values, &n, TERRARIUM_INCOMING, "absent", 6);
  int len = terrarium_snprintf(report, sizeof report, "absent=%s,%zu ", values ? "ptr" : "null", n);
  char* body = (char*)1;
  hostcall_req_get_body(&body, &n, TERRARIUM_INCOMING);
  len += terrarium_snprintf(report + len, sizeof report - (size_t)len, "body=%s,%zu", body ? "ptr" : "null", n);
  hostcall_resp_set_body(TERRARIUM_OUTGOING, report, (size_t)len);
  hostcall_req_get_header(&values, &n, TERRARIUM_INCOMING, "x-trap", 6);
  if (n == 0) return;
}
