// The C guests (sdk/c/examples and guests/ here) through run_request: every
// hostcall's semantics as ABI.md states them.
#include <gtest/gtest.h>

#include "harness.h"

namespace vivarium::terrarium::testing {
namespace {

#define GUEST_OR_SKIP(var, name, ...)                                                  \
  auto var = guest_program(name, ##__VA_ARGS__);                                       \
  if (!var) GTEST_SKIP() << "Terrarium C guests were not built (VIVARIUM_GUESTS=OFF)"

HttpRequest probe(std::string path) {
  HttpRequest r;
  r.method = "GET";
  r.target = std::move(path);
  r.client_ip = "192.0.2.7";
  r.request_id = "req-9";
  return r;
}

std::string header(const HttpResponse& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "(absent)";
}

TEST(Guests, Hello) {
  GUEST_OR_SKIP(p, "hello");
  Harness h;
  Outcome o = h.run(p, "/");
  ASSERT_EQ(o.kind, Outcome::Kind::Ok) << o.message;
  EXPECT_EQ(o.response.status, 200);
  EXPECT_EQ(o.response.body, "Hello, world!\n");
  EXPECT_EQ(header(o.response, "content-type"), "text/plain");
}

void expect_echo(const std::shared_ptr<const GuestProgram>& p) {
  Harness h;
  HttpRequest r = probe("/some/path?q=1");
  r.method = "PUT";
  r.headers = {{"Accept", "a"}, {"X-Multi", "one"}, {"x-multi", "two"}, {"X-Vivarium-Client-Ip", "forged"}};
  r.body = "the body";
  Outcome o = h.run(p, std::move(r));
  ASSERT_EQ(o.kind, Outcome::Kind::Ok) << o.message;
  EXPECT_EQ(header(o.response, "x-echo-method"), "PUT");
  EXPECT_EQ(header(o.response, "x-echo-path"), "/some/path?q=1");
  // Distinct lower-case names; values in arrival order; the client address
  // replaced whatever the client sent.
  EXPECT_EQ(o.response.body,
            "accept: a\nx-multi: one two\nx-vivarium-client-ip: 192.0.2.7\nfastly-client-ip: 192.0.2.7\n\nthe body");
}

TEST(Guests, Echo) {
  GUEST_OR_SKIP(p, "echo");
  expect_echo(p);
}

TEST(Guests, EchoWithItsTableExported) {
  GUEST_OR_SKIP(p, "echo_table");
  ASSERT_TRUE(p->module().exports().size() >= 3);  // run, memory, __indirect_function_table
  expect_echo(p);
}

TEST(Guests, KvCounterCountsAndDeploymentsDoNotShareKeys) {
  GUEST_OR_SKIP(a, "kv_counter");
  auto other = test_config();
  other.kv_namespace = "other";
  GUEST_OR_SKIP(b, "kv_counter", other);
  Harness h;
  EXPECT_EQ(h.run(a, "/").response.body, "count=1\n");
  EXPECT_EQ(h.run(a, "/").response.body, "count=2\n");
  EXPECT_EQ(h.run(b, "/").response.body, "count=1\n");
  EXPECT_EQ(h.run(a, "/").response.body, "count=3\n");
  EXPECT_EQ(*h.kv.get("test", "count"), std::optional<std::string>("3"));
}

TEST(Guests, PanicGivesA500WithTheMessageAndNoHalfResponse) {
  GUEST_OR_SKIP(p, "panic");
  Harness h;
  Outcome o = h.run(p, "/");
  EXPECT_EQ(o.kind, Outcome::Kind::Panic);
  EXPECT_EQ(o.response.status, 500);
  EXPECT_EQ(o.response.body, "panic: the guest gave up: something went wrong\n");
  auto log = h.log_lines();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back(), "test req-1 panic: the guest gave up: something went wrong");
}

TEST(Guests, RequestHeaders) {
  GUEST_OR_SKIP(p, "probe");
  Harness h;
  HttpRequest r = probe("/headers");
  r.headers = {{"X-Multi", "1"}, {"Host", "x.localhost"}, {"X-MULTI", "2"}, {"x-multi", "3"}};
  Outcome o = h.run(p, std::move(r));
  ASSERT_EQ(o.kind, Outcome::Kind::Ok) << o.message;
  EXPECT_EQ(o.response.body,
            "x-multi=1|2|3\nhost=x.localhost\nx-vivarium-client-ip=192.0.2.7\nfastly-client-ip=192.0.2.7\nX-MULTI:3\n");
}

TEST(Guests, KvReturnValues) {
  GUEST_OR_SKIP(p, "probe");
  Harness h;
  Outcome o = h.run(p, probe("/kv"));
  ASSERT_EQ(o.kind, Outcome::Kind::Ok) << o.message;
  EXPECT_EQ(o.response.body,
            "remove0=0 get0=0,null,0 insert1=1 insert2=0 get1=1,b append1=0 append2=1 get2=1,bc "
            "upsert1=1 upsert2=0 insert_empty=1 get_empty=1,ptr,0 remove1=1 remove2=0");
}

TEST(Guests, KvWithoutAStoreReadsAsAbsence) {
  GUEST_OR_SKIP(p, "kv_counter");
  Harness h;
  Services s = h.services();
  s.kv = nullptr;
  EXPECT_EQ(h.run(p, probe("/"), s).response.body, "count=1\n");
}

TEST(Guests, ResponseSetters) {
  GUEST_OR_SKIP(p, "probe");
  Harness h;
  Outcome o = h.run(p, probe("/response"));
  ASSERT_EQ(o.kind, Outcome::Kind::Ok) << o.message;
  EXPECT_EQ(o.response.status, 404);
  EXPECT_EQ(o.response.body, "nope");
  EXPECT_EQ(header(o.response, "x-results"),
            "code=0 code99=1 code70000=1 hdr=0 hdr_bad_name=1 hdr_crlf=1 hdr_handle=1 cl=0 body_handle=1 status_read=404");
  // Two values of X-A; the guest's content-length is dropped (the server frames the body).
  int xa = 0;
  for (const auto& [n, v] : o.response.headers) {
    if (n == "X-A") ++xa;
    EXPECT_NE(n, "content-length");
  }
  EXPECT_EQ(xa, 2);
}

TEST(Guests, UnknownHandlesGetTheErrorValues) {
  GUEST_OR_SKIP(p, "probe");
  Harness h;
  Outcome o = h.run(p, probe("/handles"));
  ASSERT_EQ(o.kind, Outcome::Kind::Ok) << o.message;
  EXPECT_EQ(o.response.body,
            "set_header_incoming=1 set_header_unknown=1 set_body_incoming=1 send_incoming=-1 send_unknown=-1 "
            "send_async_unknown=-1 wait_unknown=-1 poll_unknown=-1 select_unknown=-1,77 select_empty=-1 "
            "code_unknown=-1 resp_body_unknown=null,0 req_body_unknown=null,0 create_bad_method=-1 "
            "create_ftp=-1 create_no_host=-1");
}

TEST(Guests, OutboundHandlesUnderADenyAllPolicy) {
  auto cfg = test_config();
  cfg.limits.max_outbound_requests = 4;
  GUEST_OR_SKIP(p, "probe", cfg);
  Harness h;
  Outcome o = h.run(p, probe("/outbound"));
  ASSERT_EQ(o.kind, Outcome::Kind::Ok) << o.message;
  EXPECT_EQ(o.outbound_requests, 4u);
  // Every transfer fails (the policy denies 127.0.0.1); poll may see it
  // before or after it completes.
  std::string body = o.response.body;
  const std::string notready = "poll=notready wait=-1 ";
  const std::string error = "poll=error wait=-1 ";
  if (auto at = body.find(notready); at != std::string::npos) body.replace(at, notready.size(), error);
  EXPECT_EQ(body,
            "req=1 set_header=0 set_body=0 method=POST path=/a/b?c=d pr=1 consumed=1 poll=error wait=-1 "
            "wait_again=-1 select=-1,named other_wait=-1 send=-1 capped=-1");
}

TEST(Guests, TimeRandomDebugAndDnsWithoutAResolver) {
  GUEST_OR_SKIP(p, "probe");
  Harness h;
  Services s = h.services();
  s.dns = nullptr;
  EXPECT_EQ(h.run(p, probe("/misc"), s).response.body, "time=ok time_null=ok rng=ok dns=0,null,0");
  auto log = h.log_lines();
  ASSERT_GE(log.size(), 2u);
  EXPECT_EQ(log[0], "test req-9 first line");
  EXPECT_EQ(log[1], "test req-9 second line");
}

TEST(Guests, DnsFailureIsNullAndLogged) {
  GUEST_OR_SKIP(p, "probe");
  Harness h;
  Outcome o = h.run(p, probe("/misc"));
  EXPECT_EQ(o.response.body, "time=ok time_null=ok rng=ok dns=0,null,0");  // deny-all policy
}

TEST(Guests, NoInitMm) {
  GUEST_OR_SKIP(p, "no_mm");
  Harness h;
  Outcome o = h.run(p, probe("/"));
  ASSERT_EQ(o.kind, Outcome::Kind::Ok) << o.message;
  EXPECT_EQ(o.response.body, "absent=null,0 body=null,0");
  HttpRequest r = probe("/");
  r.headers = {{"x-trap", "1"}};
  o = h.run(p, std::move(r));
  EXPECT_EQ(o.kind, Outcome::Kind::Trap);
  EXPECT_TRUE(o.response.body.starts_with("trap: hostcall_req_get_header: the host has data for the guest but the guest never called hostcall_init_mm"))
      << o.response.body;
}

struct HostileCase {
  const char* path;
  Outcome::Kind kind;
  uint16_t status;
  const char* body_part;
};

TEST(Guests, HostileGuestEndsOnlyItsOwnRequest) {
  auto cfg = test_config();
  cfg.limits.wall_time = std::chrono::milliseconds(200);
  cfg.limits.max_memory_bytes = 8 << 20;
  GUEST_OR_SKIP(p, "hostile", cfg);
  const HostileCase cases[] = {
      // C's shadow stack runs off the bottom of memory first.
      {"/recurse", Outcome::Kind::Trap, 500, "trap: out of bounds memory access"},
      {"/reenter", Outcome::Kind::Trap, 500, "call stack exhausted"},
      {"/loop", Outcome::Kind::Timeout, 504, "wall-time limit of 200 ms"},
      {"/set-then-trap", Outcome::Kind::Trap, 500, "trap: unreachable"},
      {"/oom", Outcome::Kind::Ok, 200, "oom handled"},
      {"/bad-malloc-index", Outcome::Kind::Trap, 500, "init_mm's malloc index 9999 is outside table 0"},
      {"/wild-malloc", Outcome::Kind::Trap, 500, "returned [0xfffffff0, 0xfffffffd), out of bounds of memory"},
      {"/wild-debug", Outcome::Kind::Trap, 500, "hostcall_debug: message [0xfffffff0, 0x100000054) is out of bounds"},
      {"/panic-then-return", Outcome::Kind::Panic, 500, "panic: oops"},
  };
  Harness h;
  for (const auto& c : cases) {
    HttpRequest r = probe(c.path);
    r.body = "some body";
    Outcome o = h.run(p, std::move(r));
    EXPECT_EQ(o.kind, c.kind) << c.path << ": " << o.message;
    EXPECT_EQ(o.response.status, c.status) << c.path;
    EXPECT_NE(o.response.body.find(c.body_part), std::string::npos) << c.path << ": " << o.response.body;
  }
  // Still serving.
  GUEST_OR_SKIP(hello, "hello");
  EXPECT_EQ(h.run(hello, "/").response.body, "Hello, world!\n");
}

}  // namespace
}  // namespace vivarium::terrarium::testing
