// Mutated requests, HTTP/1.1 and HTTP/2, on many connections: every one is
// answered or closed, and the server keeps serving. Deterministic (fixed
// seed); under ASan+UBSan in CI this is the front end's bad-input sweep.
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <random>

#include <gtest/gtest.h>

#include "tests/unit/http_server/test_server.h"

namespace vivarium::server::test {
namespace {

using namespace std::chrono_literals;

std::string h2_seed() {
  // Preface, empty SETTINGS, HEADERS (literal fields) with END_STREAM|END_HEADERS.
  std::string block;
  for (auto [n, v] : {std::pair{":method", "GET"}, {":path", "/echo"}, {":scheme", "http"}, {":authority", "a"}}) {
    block += '\0';
    block += static_cast<char>(std::strlen(n));
    block += n;
    block += static_cast<char>(std::strlen(v));
    block += v;
  }
  std::string f = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  f += std::string("\0\0\0\x04\0\0\0\0\0", 9);
  f += static_cast<char>(0);
  f += static_cast<char>(0);
  f += static_cast<char>(block.size());
  f += std::string("\x01\x05\0\0\0\x01", 6);
  return f + block;
}

TEST(FuzzInput, MutatedRequestsNeverBreakTheServer) {
  TestServer s;
  const std::vector<std::string> seeds = {
      "GET /echo?a=1 HTTP/1.1\r\nHost: a.localhost\r\nUser-Agent: x\r\nAccept: */*\r\n\r\n",
      "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello",
      "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: v\r\n\r\n",
      "GET http://a:80/x HTTP/1.0\r\nConnection: keep-alive, X\r\nX: 1\r\n\r\nGET / HTTP/1.1\r\nHost: b\r\n\r\n",
      h2_seed(),
  };
  // VIVARIUM_HTTP_FUZZ_CASES and VIVARIUM_HTTP_FUZZ_SEED make a longer sweep by hand.
  const char* env_cases = std::getenv("VIVARIUM_HTTP_FUZZ_CASES");
  const char* env_seed = std::getenv("VIVARIUM_HTTP_FUZZ_SEED");
  int cases = env_cases ? std::atoi(env_cases) : 600;
  std::mt19937 rng(env_seed ? static_cast<unsigned>(std::atoi(env_seed)) : 20261207u);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const char specials[] = {'\0', '\r', '\n', ':', ' ', '\t', ',', ';', '"', '\x7f', '\xff', '0', 'f'};
  int answered = 0, closed_silently = 0;
  for (int i = 0; i < cases; ++i) {
    std::string in = seeds[pick(seeds.size())];
    int edits = 1 + static_cast<int>(pick(4));
    for (int e = 0; e < edits && !in.empty(); ++e) {
      size_t at = pick(in.size());
      switch (pick(5)) {
        case 0: in[at] = static_cast<char>(rng()); break;
        case 1: in[at] = specials[pick(sizeof specials)]; break;
        case 2: in.insert(at, std::string(1 + pick(3000), specials[pick(sizeof specials)])); break;
        case 3: in.erase(at, 1 + pick(8)); break;
        case 4: in.insert(at, in.substr(pick(in.size()), 1 + pick(40))); break;
      }
    }
    int fd = connect_to(s.port());
    ASSERT_GE(fd, 0) << "case " << i << ": the server stopped accepting";
    send_all(fd, in);
    ::shutdown(fd, SHUT_WR);  // nothing more is coming: the server must not wait for it
    bool closed = false;
    std::string out = read_until_close(fd, 5s, &closed);
    ::close(fd);
    EXPECT_TRUE(closed) << "case " << i << " left hanging: " << testing::PrintToString(in.substr(0, 200));
    (out.empty() ? closed_silently : answered)++;
  }
  // Still serving, correctly.
  std::string r = exchange(s.port(), "GET /echo HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK", 0), 0u) << r;
  EXPECT_GT(answered, cases / 6);
  std::printf("fuzz: %d answered, %d closed without an answer\n", answered, closed_silently);
}

}  // namespace
}  // namespace vivarium::server::test
