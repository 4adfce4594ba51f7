/* Counts its requests in the deployment's KV store ("count" holds decimal). */
#include "terrarium_fmt.h"
#include <stdlib.h>
#include <string.h>

#include "terrarium.h"

__attribute__((export_name("run"))) void run(void) {
  TERRARIUM_INIT_MM(malloc, free);
  char* value;
  size_t len;
  long count = 0;
  if (hostcall_kvstore_get(&value, &len, "count", 5)) {
    count = strtol(value, NULL, 10); /* the host NUL-terminates */
    free(value);
  }
  ++count;
  char buf[32];
  int n = terrarium_snprintf(buf, sizeof buf, "%ld", count);
  hostcall_kvstore_upsert("count", 5, buf, (size_t)n);
  char body[64];
  n = terrarium_snprintf(body, sizeof body, "count=%ld\n", count);
  hostcall_resp_set_body(TERRARIUM_OUTGOING, body, (size_t)n);
}
