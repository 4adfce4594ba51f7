/* Clocks, random, sched_yield and poll_oneoff (clock and fd subscriptions).
 * Run with: --dir HOST::/sandbox (fd 3). */
#include "check.h"

static __wasi_timestamp_t now(__wasi_clockid_t id) {
  __wasi_timestamp_t t = 0;
  EXPECT_OK(__wasi_clock_time_get(id, 1, &t));
  return t;
}

static void clock_sub(__wasi_subscription_t* s, uint64_t userdata, __wasi_clockid_t id, uint64_t timeout, int abs) {
  memset(s, 0, sizeof *s);
  s->userdata = userdata;
  s->u.tag = __WASI_EVENTTYPE_CLOCK;
  s->u.u.clock.id = id;
  s->u.u.clock.timeout = timeout;
  s->u.u.clock.flags = abs ? __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME : 0;
}

static void fd_sub(__wasi_subscription_t* s, uint64_t userdata, __wasi_eventtype_t type, __wasi_fd_t fd) {
  memset(s, 0, sizeof *s);
  s->userdata = userdata;
  s->u.tag = type;
  s->u.u.fd_read.file_descriptor = fd;
}

int main(void) {
  for (__wasi_clockid_t id = 0; id < 4; ++id) {
    __wasi_timestamp_t res = 0;
    EXPECT_OK(__wasi_clock_res_get(id, &res));
    CHECK(res > 0);
    (void)now(id);
  }
  CHECK(now(__WASI_CLOCKID_REALTIME) > 1600000000ull * 1000000000ull);
  __wasi_timestamp_t m1 = now(__WASI_CLOCKID_MONOTONIC), m2 = now(__WASI_CLOCKID_MONOTONIC);
  CHECK(m2 >= m1);
  __wasi_timestamp_t t;
  EXPECT_ERRNO("clock_time_get unknown clock", __wasi_clock_time_get(4, 0, &t), __WASI_ERRNO_INVAL);

  uint8_t r1[64] = {0}, r2[64] = {0};
  EXPECT_OK(__wasi_random_get(r1, sizeof r1));
  EXPECT_OK(__wasi_random_get(r2, sizeof r2));
  CHECK(memcmp(r1, r2, sizeof r1) != 0);
  EXPECT_OK(__wasi_sched_yield());

  __wasi_subscription_t subs[4];
  __wasi_event_t ev[4];
  __wasi_size_t n = 0;

  /* A relative 30 ms sleep. */
  clock_sub(&subs[0], 42, __WASI_CLOCKID_MONOTONIC, 30000000ull, 0);
  __wasi_timestamp_t before = now(__WASI_CLOCKID_MONOTONIC);
  EXPECT_OK(__wasi_poll_oneoff(subs, ev, 1, &n));
  __wasi_timestamp_t slept = now(__WASI_CLOCKID_MONOTONIC) - before;
  CHECK(n == 1 && ev[0].userdata == 42 && ev[0].type == __WASI_EVENTTYPE_CLOCK && ev[0].error == 0);
  CHECK(slept >= 30000000ull);
  printf("relative sleep: ok\n");

  /* An absolute deadline in the past fires at once; of two clocks only the
   * earlier one fires. */
  clock_sub(&subs[0], 1, __WASI_CLOCKID_MONOTONIC, 1, 1);
  EXPECT_OK(__wasi_poll_oneoff(subs, ev, 1, &n));
  CHECK(n == 1 && ev[0].userdata == 1);
  clock_sub(&subs[0], 10, __WASI_CLOCKID_MONOTONIC, 10000000ull, 0);
  clock_sub(&subs[1], 20, __WASI_CLOCKID_REALTIME, 5000000000ull, 0);
  EXPECT_OK(__wasi_poll_oneoff(subs, ev, 2, &n));
  CHECK(n == 1 && ev[0].userdata == 10);
  /* Absolute realtime deadline 20 ms ahead. */
  clock_sub(&subs[0], 7, __WASI_CLOCKID_REALTIME, now(__WASI_CLOCKID_REALTIME) + 20000000ull, 1);
  EXPECT_OK(__wasi_poll_oneoff(subs, ev, 1, &n));
  CHECK(n == 1 && ev[0].userdata == 7);
  printf("clock subscriptions: ok\n");

  /* A regular file is always readable, and says how much is left. */
  __wasi_fd_t f;
  EXPECT_OK(__wasi_path_open(3, 0, "pollfile", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                             __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_POLL_FD_READWRITE, 0, 0, &f));
  __wasi_ciovec_t c = {(const uint8_t*)"0123456789", 10};
  __wasi_size_t w;
  EXPECT_OK(__wasi_fd_pwrite(f, &c, 1, 0, &w));
  fd_sub(&subs[0], 100, __WASI_EVENTTYPE_FD_READ, f);
  clock_sub(&subs[1], 101, __WASI_CLOCKID_MONOTONIC, 5000000000ull, 0);
  EXPECT_OK(__wasi_poll_oneoff(subs, ev, 2, &n));
  CHECK(n == 1 && ev[0].userdata == 100 && ev[0].type == __WASI_EVENTTYPE_FD_READ && ev[0].error == 0);
  CHECK(ev[0].fd_readwrite.nbytes == 10);
  /* stdout (a pipe or terminal) is writable. */
  fd_sub(&subs[0], 200, __WASI_EVENTTYPE_FD_WRITE, 1);
  EXPECT_OK(__wasi_poll_oneoff(subs, ev, 2, &n));
  CHECK(n == 1 && ev[0].userdata == 200 && ev[0].type == __WASI_EVENTTYPE_FD_WRITE);
  printf("fd subscriptions: ok\n");

  /* Per-subscription errors arrive in the event. */
  fd_sub(&subs[0], 300, __WASI_EVENTTYPE_FD_READ, 999);
  EXPECT_OK(__wasi_poll_oneoff(subs, ev, 2, &n));
  CHECK(n == 1 && ev[0].userdata == 300);
  EXPECT_ERRNO("poll unknown fd (event error)", ev[0].error, __WASI_ERRNO_BADF);
  EXPECT_ERRNO("poll with no subscriptions", __wasi_poll_oneoff(subs, ev, 0, &n), __WASI_ERRNO_INVAL);
  EXPECT_OK(__wasi_fd_close(f));
  EXPECT_OK(__wasi_path_unlink_file(3, "pollfile"));
  return finish();
}
