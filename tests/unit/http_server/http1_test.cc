// HTTP/1.x: keep-alive, pipelining, chunked bodies, 100-continue, HEAD,
// hop-by-hop headers, late and dropped responses, with curl, Python and raw sockets.
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/unit/http_server/test_server.h"

namespace vivarium::server::test {
namespace {

std::string url(uint16_t port, std::string_view path) {
  return "http://127.0.0.1:" + std::to_string(port) + std::string(path);
}

TEST(Http1, CurlReusesOneConnectionAndSeesDateServerAndEcho) {
  TestServer s;
  int st = 0;
  std::string out = run("curl -sS --max-time 10 -i -H 'Host: Hello.LocalHost:8080' " + url(s.port(), "/echo?a=1") +
                            " " + url(s.port(), "/echo?b=2") + " -w 'connects=%{num_connects}\\n'",
                        &st);
  ASSERT_EQ(st, 0) << out;
  EXPECT_NE(out.find("HTTP/1.1 200 OK"), std::string::npos) << out;
  EXPECT_NE(out.find("x-host: hello.localhost"), std::string::npos) << out;
  EXPECT_NE(out.find("x-target: /echo?a=1"), std::string::npos) << out;
  EXPECT_NE(out.find("x-target: /echo?b=2"), std::string::npos) << out;
  EXPECT_NE(out.find("x-protocol: HTTP/1.1"), std::string::npos) << out;
  EXPECT_NE(out.find("Server: vivarium"), std::string::npos) << out;
  EXPECT_NE(out.find("Date: "), std::string::npos) << out;
  EXPECT_NE(out.find("connects=1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("connects=0\n"), std::string::npos) << "the second request reuses the connection: " << out;
}

TEST(Http1, HopByHopHeadersNeverReachTheHandler) {
  TestServer s;
  int fd = connect_to(s.port());
  ASSERT_GE(fd, 0);
  send_all(fd,
           "GET /echo HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Private\r\nKeep-Alive: timeout=5\r\n"
           "TE: trailers\r\nUpgrade: h2c\r\nProxy-Authorization: secret\r\nX-Private: 1\r\nX-Public: 2\r\n"
           "Trailer: X-T\r\n\r\n");
  std::string carry;
  RawResponse r = read_response(fd, carry);
  ::close(fd);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(header_of(r.head, "x-headers"), "Host,X-Public");
}

TEST(Http1, PipelinedRequestsAnswerInOrder) {
  TestServer s;
  int fd = connect_to(s.port());
  ASSERT_GE(fd, 0);
  // The first is answered late from another thread: order must still hold.
  send_all(fd,
           "GET /later?ms=150 HTTP/1.1\r\nHost: a\r\n\r\nGET /echo?2 HTTP/1.1\r\nHost: a\r\n\r\n"
           "POST /echo?3 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
  std::string carry;
  RawResponse r1 = read_response(fd, carry), r2 = read_response(fd, carry), r3 = read_response(fd, carry);
  ::close(fd);
  ASSERT_TRUE(r1.ok && r2.ok && r3.ok);
  EXPECT_EQ(header_of(r1.head, "x-target"), "/later?ms=150");
  EXPECT_EQ(header_of(r2.head, "x-target"), "/echo?2");
  EXPECT_EQ(header_of(r3.head, "x-target"), "/echo?3");
  EXPECT_EQ(r3.body, "abc");
}

TEST(Http1, ChunkedRequestBodyIsDecoded) {
  TestServer s;
  int fd = connect_to(s.port());
  ASSERT_GE(fd, 0);
  send_all(fd, "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
  usleep(50000);
  send_all(fd, "6;ext=1\r\n world\r\n0\r\n\r\n");
  std::string carry;
  RawResponse r = read_response(fd, carry);
  ::close(fd);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.body, "hello world");
  EXPECT_EQ(header_of(r.head, "x-headers"), "Host");
}

TEST(Http1, ExpectContinueGetsInterimResponseBeforeTheBody) {
  TestServer s;
  int fd = connect_to(s.port());
  ASSERT_GE(fd, 0);
  send_all(fd, "PUT /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  char buf[64] = {};
  ssize_t n = ::recv(fd, buf, sizeof buf - 1, 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), "HTTP/1.1 100 Continue\r\n\r\n");
  send_all(fd, "12345");
  std::string carry;
  RawResponse r = read_response(fd, carry);
  ::close(fd);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "12345");
}

TEST(Http1, CurlUploadWithExpectContinue) {
  TestServer s;
  int st = 0;
  // curl sends Expect: 100-continue for bodies over 1 KiB.
  std::string out = run("head -c 20000 /dev/zero | curl -sS --max-time 10 -H 'Expect: 100-continue' "
                        "--data-binary @- -o /dev/null -w '%{http_code} %{size_upload}' " + url(s.port(), "/echo"),
                        &st);
  EXPECT_EQ(st, 0);
  EXPECT_EQ(out, "200 20000");
}

TEST(Http1, HeadHasContentLengthButNoBody) {
  TestServer s;
  int fd = connect_to(s.port());
  ASSERT_GE(fd, 0);
  send_all(fd, "HEAD /big?n=100 HTTP/1.1\r\nHost: a\r\n\r\nGET /big?n=3 HTTP/1.1\r\nHost: a\r\n\r\n");
  std::string carry;
  // read_response would take Content-Length: 100 for a body; read the head by hand.
  std::string got = read_until_close(fd, std::chrono::milliseconds(500));
  ::close(fd);
  size_t first_end = got.find("\r\n\r\n");
  ASSERT_NE(first_end, std::string::npos);
  EXPECT_EQ(header_of(got.substr(0, first_end + 4), "content-length"), "100");
  std::string rest = got.substr(first_end + 4);
  EXPECT_EQ(rest.rfind("HTTP/1.1 200", 0), 0u) << rest;
  EXPECT_EQ(rest.substr(rest.size() - 3), "xxx");
}

TEST(Http1, StatusesWithoutBodyAndInvalidStatuses) {
  TestServer s;
  std::string r204 = exchange(s.port(), "GET /status/204 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r204.rfind("HTTP/1.1 204 No Content\r\n", 0), 0u) << r204;
  EXPECT_EQ(header_of(r204, "content-length"), "");
  EXPECT_EQ(r204.substr(r204.size() - 4), "\r\n\r\n");
  std::string r99 = exchange(s.port(), "GET /status/99 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r99.rfind("HTTP/1.1 500", 0), 0u) << r99;
}

TEST(Http1, DroppedRespondBecomes500) {
  TestServer s;
  std::string r = exchange(s.port(), "GET /drop HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 500", 0), 0u) << r;
  EXPECT_NE(r.find("without a response"), std::string::npos);
}

TEST(Http1, Http10ClosesUnlessKeepAlive) {
  TestServer s;
  bool closed = false;
  int fd = connect_to(s.port());
  send_all(fd, "GET /echo HTTP/1.0\r\n\r\n");
  std::string r = read_until_close(fd, std::chrono::seconds(3), &closed);
  ::close(fd);
  EXPECT_TRUE(closed);
  EXPECT_EQ(r.rfind("HTTP/1.1 200", 0), 0u) << r;
  EXPECT_EQ(header_of(r, "x-protocol"), "HTTP/1.0");
  fd = connect_to(s.port());
  send_all(fd, "GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /echo?2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  std::string carry;
  RawResponse a = read_response(fd, carry), b = read_response(fd, carry);
  ::close(fd);
  EXPECT_TRUE(a.ok && b.ok);
  EXPECT_EQ(header_of(a.head, "connection"), "keep-alive");
}

TEST(Http1, AbsoluteFormTargetGivesPathAndHost) {
  TestServer s;
  std::string r = exchange(s.port(),
                           "GET http://Other.Example:81/p?q=1 HTTP/1.1\r\nHost: ignored\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(header_of(r, "x-target"), "/p?q=1");
  EXPECT_EQ(header_of(r, "x-host"), "other.example");
}

TEST(Http1, PythonHttpClientPostThenGetOnOneConnection) {
  TestServer s;
  std::string script =
      "import http.client,sys\n"
      "c=http.client.HTTPConnection('127.0.0.1'," + std::to_string(s.port()) + ",timeout=10)\n"
      "c.request('POST','/echo',body=b'x'*5000,headers={'Content-Type':'application/octet-stream'})\n"
      "r=c.getresponse(); b=r.read(); assert r.status==200 and b==b'x'*5000, (r.status,len(b))\n"
      "s1=c.sock\n"
      "c.request('GET','/later?ms=50'); r=c.getresponse(); r.read(); assert r.status==200\n"
      "assert c.sock is s1, 'connection not reused'\n"
      "def gen():\n  yield b'ab'\n  yield b'cd'\n"
      "c.request('POST','/echo',body=gen(),encode_chunked=True); r=c.getresponse(); assert r.read()==b'abcd'\n"
      "print('ok')\n";
  char tmpl[] = "/tmp/viv-http-py-XXXXXX";
  int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, script.data(), script.size()), static_cast<ssize_t>(script.size()));
  ::close(fd);
  int st = 0;
  std::string out = run(std::string("python3 ") + tmpl + " 2>&1", &st);
  unlink(tmpl);
  EXPECT_EQ(st, 0) << out;
  EXPECT_EQ(out, "ok\n");
}

TEST(Http1, Tls11WithCurlAndAccessLogHasRequestId) {
  TestServer s;
  int st = 0;
  std::string out = run("curl -sS -k --http1.1 --max-time 10 -i -A 'tester/1' https://127.0.0.1:" +
                            std::to_string(s.tls_port()) + "/echo",
                        &st);
  ASSERT_EQ(st, 0) << out;
  EXPECT_NE(out.find("HTTP/1.1 200"), std::string::npos) << out;
  std::string id = header_of(out.substr(0, out.find("\r\n\r\n") + 4), "x-request-id");
  ASSERT_EQ(id.size(), 16u);
  bool found = false;
  for (const auto& l : s.access_lines())
    if (l.find("\"request_id\":\"" + id + "\"") != std::string::npos) {
      found = true;
      EXPECT_NE(l.find("\"user_agent\":\"tester/1\""), std::string::npos) << l;
      EXPECT_NE(l.find("\"deployment\":\"echo\""), std::string::npos) << l;
      EXPECT_NE(l.find("\"status\":200"), std::string::npos) << l;
    }
  EXPECT_TRUE(found);
  std::string metrics = s.metrics->render();
  EXPECT_NE(metrics.find("vivarium_http_requests_total{code=\"200\",deployment=\"echo\",protocol=\"HTTP/1.1\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("vivarium_http_request_duration_seconds_count{deployment=\"echo\"} 1"), std::string::npos);
}

}  // namespace
}  // namespace vivarium::server::test
