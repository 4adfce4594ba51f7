// HTTP/2 as no well-behaved client sends it, frame by frame over a raw
// socket: stalled streams and header floods.
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/unit/http_server/test_server.h"

namespace vivarium::server::test {
namespace {

using namespace std::chrono_literals;

void hpack_int(std::string& out, size_t v) {  // 7-bit prefix, no Huffman
  if (v < 127) {
    out += static_cast<char>(v);
    return;
  }
  out += static_cast<char>(127);
  v -= 127;
  while (v >= 128) {
    out += static_cast<char>((v & 127) | 128);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

// Literal header field without indexing, new name (RFC 7541 6.2.2).
std::string hpack(std::string_view name, std::string_view value) {
  std::string out(1, '\0');
  hpack_int(out, name.size());
  out += name;
  hpack_int(out, value.size());
  out += value;
  return out;
}

std::string frame(uint8_t type, uint8_t flags, uint32_t stream, std::string_view payload) {
  std::string f;
  f += static_cast<char>(payload.size() >> 16);
  f += static_cast<char>(payload.size() >> 8);
  f += static_cast<char>(payload.size());
  f += static_cast<char>(type);
  f += static_cast<char>(flags);
  f += static_cast<char>(stream >> 24);
  f += static_cast<char>(stream >> 16);
  f += static_cast<char>(stream >> 8);
  f += static_cast<char>(stream);
  f += payload;
  return f;
}

constexpr uint8_t kData = 0, kHeaders = 1, kRstStream = 3, kSettings = 4, kGoaway = 7, kContinuation = 9;
constexpr uint8_t kEndStream = 1, kEndHeaders = 4;

std::string start_of_connection() {
  return std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + frame(kSettings, 0, 0, "");
}

std::string request_head(std::string_view method) {
  return hpack(":method", method) + hpack(":path", "/echo") + hpack(":scheme", "http") + hpack(":authority", "a");
}

// The frame types the server sent for `stream` (0: the connection).
std::vector<uint8_t> frames_for(std::string_view bytes, uint32_t stream) {
  std::vector<uint8_t> types;
  size_t i = 0;
  while (i + 9 <= bytes.size()) {
    size_t len = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                 static_cast<uint8_t>(bytes[i + 2]);
    uint32_t id = ((static_cast<uint8_t>(bytes[i + 5]) & 0x7f) << 24) | (static_cast<uint8_t>(bytes[i + 6]) << 16) |
                  (static_cast<uint8_t>(bytes[i + 7]) << 8) | static_cast<uint8_t>(bytes[i + 8]);
    if (id == stream) types.push_back(static_cast<uint8_t>(bytes[i + 3]));
    i += 9 + len;
  }
  return types;
}

bool has(const std::vector<uint8_t>& v, uint8_t t) { return std::find(v.begin(), v.end(), t) != v.end(); }

TEST(Http2Raw, CompleteRequestIsAnswered) {
  TestServer s;
  int fd = connect_to(s.port());
  send_all(fd, start_of_connection() + frame(kHeaders, kEndHeaders, 1, request_head("POST")) +
                   frame(kData, kEndStream, 1, "hi"));
  std::string got = read_until_close(fd, 500ms);
  ::close(fd);
  auto f = frames_for(got, 1);
  EXPECT_TRUE(has(f, kHeaders));
  EXPECT_TRUE(has(f, kData));
}

TEST(Http2Raw, StalledUploadIsResetAndIdleConnectionClosed) {
  TestServer s([](HttpServerOptions& o) { o.limits.idle_timeout = 400ms; });
  int fd = connect_to(s.port());
  send_all(fd, start_of_connection() + frame(kHeaders, kEndHeaders, 1, request_head("POST")) +
                   frame(kData, 0, 1, "part"));
  bool closed = false;
  std::string got = read_until_close(fd, 5s, &closed);
  ::close(fd);
  EXPECT_TRUE(has(frames_for(got, 1), kRstStream));
  EXPECT_TRUE(has(frames_for(got, 0), kGoaway));
  EXPECT_TRUE(closed);
}

TEST(Http2Raw, UnfinishedHeaderBlockIsResetAfterHeaderTimeout) {
  TestServer s;  // header_timeout 1 s
  int fd = connect_to(s.port());
  send_all(fd, start_of_connection() + frame(kHeaders, 0, 1, request_head("GET")));
  std::string got = read_until_close(fd, 4s);
  ::close(fd);
  EXPECT_TRUE(has(frames_for(got, 1), kRstStream));
}

TEST(Http2Raw, ContinuationFloodEndsTheConnection) {
  TestServer s;  // 4 KiB of headers
  int fd = connect_to(s.port());
  send_all(fd, start_of_connection() + frame(kHeaders, 0, 1, request_head("GET")));
  bool sent_all = true;
  for (int i = 0; i < 200 && sent_all; ++i)
    sent_all = send_all(fd, frame(kContinuation, 0, 1, hpack("x-flood", std::string(8000, 'a'))));
  bool closed = false;
  std::string got = read_until_close(fd, 3s, &closed);
  ::close(fd);
  EXPECT_TRUE(closed || !sent_all);
  std::string m = s.metrics->render();
  // Debian's nghttp2 caps CONTINUATION frames itself (CVE-2024-28182): a
  // protocol error; without that cap the server's own flood guard ends it.
  EXPECT_TRUE(m.find("vivarium_http_rejected_total{reason=\"h2_header_flood\"} 1") != std::string::npos ||
              m.find("vivarium_http_rejected_total{reason=\"h2_protocol_error\"} 1") != std::string::npos)
      << m;
}

TEST(Http2Raw, TooManyHeadersGets431) {
  TestServer s;  // 20 headers
  std::string block = request_head("GET");
  for (int i = 0; i < 30; ++i) block += hpack("x-h" + std::to_string(i), "v");
  int fd = connect_to(s.port());
  send_all(fd, start_of_connection() + frame(kHeaders, kEndHeaders | kEndStream, 1, block));
  std::string got = read_until_close(fd, 500ms);
  ::close(fd);
  EXPECT_TRUE(has(frames_for(got, 1), kHeaders));
  EXPECT_NE(got.find("too many request headers"), std::string::npos);  // the 431's body, in a DATA frame
}

}  // namespace
}  // namespace vivarium::server::test
