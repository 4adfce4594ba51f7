#include "host/wasi/wasi_ctx.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "host/wasi/listen_socket.h"
#include "host/wasi/rights.h"
#include "tests/unit/wasi/sandbox_fixture.h"

namespace vivarium::wasi {
namespace {

TEST(WasiCtx, StdioPreopensAndListenersAreNumberedInOrder) {
  testing::Sandbox sb;
  auto listener = open_listener("127.0.0.1:0");
  ASSERT_TRUE(listener.ok()) << listener.error().message();
  EXPECT_GT(bound_port(*listener), 0);
  WasiConfig cfg;
  cfg.preopens.push_back({(sb.base() / "root").string(), "/sandbox", false});
  cfg.preopens.push_back({(sb.base() / "root/dir").string(), "ro", true});
  cfg.listeners.push_back(*listener);
  auto ctx = WasiCtx::create(cfg);
  ASSERT_TRUE(ctx.ok()) << ctx.error().message();
  FdTable& t = (*ctx)->fds();
  EXPECT_TRUE(t.get(0, right::FdRead).ok());
  EXPECT_EQ(t.get(0, right::FdWrite).error(), Errno::NotCapable);
  EXPECT_TRUE(t.get(1, right::FdWrite).ok());
  FdEntry* rw = *t.get(3);
  EXPECT_TRUE(rw->is_preopen);
  EXPECT_EQ(rw->preopen_name, "/sandbox");
  EXPECT_EQ(rw->base, rights::kDirectoryBase);
  FdEntry* ro = *t.get(4);
  EXPECT_EQ(ro->base & rights::kWriteRights, 0u);
  EXPECT_EQ(ro->inheriting & rights::kWriteRights, 0u);
  EXPECT_TRUE(ro->base & right::PathOpen);
  FdEntry* l = *t.get(5);
  EXPECT_TRUE(l->is_listener);
  EXPECT_TRUE(l->base & right::SockAccept);
  EXPECT_FALSE(t.contains(6));
}

// Issue 10: stdio is the host's open file description (`< secret >> log`),
// so the guest gets a one-way stream -- no seek, tell, size, allocate, times,
// advise, sync or flag changes -- and the type wasmtime reports.
TEST(WasiCtx, HostStdioIsAOneWayStream) {
  testing::Sandbox sb;
  int file = ::open((sb.base() / "root/file").c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  ASSERT_GE(file, 0);
  WasiConfig cfg;
  cfg.stdin_fd = cfg.stdout_fd = cfg.stderr_fd = file;
  auto ctx = WasiCtx::create(cfg);
  ASSERT_TRUE(ctx.ok()) << ctx.error().message();
  constexpr Rights kNever = right::FdSeek | right::FdTell | right::FdFilestatSetSize | right::FdAllocate |
                            right::FdFilestatSetTimes | right::FdAdvise | right::FdSync | right::FdDatasync |
                            right::FdFdstatSetFlags;
  for (Fd fd : {0u, 1u, 2u}) {
    FdEntry* e = *(*ctx)->fds().get(fd);
    EXPECT_EQ(e->base & kNever, 0u) << fd;
    EXPECT_EQ(e->inheriting, 0u) << fd;
    EXPECT_TRUE(e->base & right::PollFdReadwrite) << fd;
    EXPECT_EQ(e->type, FileType::Unknown) << fd;  // a regular file on the host, a stream to the guest
    EXPECT_TRUE(e->is_host_stdio);
  }
  EXPECT_EQ((*(*ctx)->fds().get(0))->base & right::FdWrite, 0u);
  EXPECT_EQ((*(*ctx)->fds().get(1))->base & right::FdRead, 0u);
  ::close(file);
}

TEST(WasiCtx, TerminalStdioIsACharacterDevice) {
  int tty = ::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  const char* name = tty >= 0 && ::grantpt(tty) == 0 && ::unlockpt(tty) == 0 ? ::ptsname(tty) : nullptr;
  int follower = name ? ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
  if (follower < 0) {
    if (tty >= 0) ::close(tty);
    GTEST_SKIP() << "no pseudo-terminals here";
  }
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  WasiConfig cfg;
  cfg.stdin_fd = follower;
  cfg.stdout_fd = null;  // a character device, but no terminal: wasmtime says unknown
  auto ctx = WasiCtx::create(cfg);
  ASSERT_TRUE(ctx.ok()) << ctx.error().message();
  EXPECT_EQ((*(*ctx)->fds().get(0))->type, FileType::CharacterDevice);
  EXPECT_EQ((*(*ctx)->fds().get(1))->type, FileType::Unknown);
  ::close(null);
  ::close(follower);
  ::close(tty);
}

TEST(WasiCtx, MissingPreopenIsAnErrorNamingThePath) {
  WasiConfig cfg;
  cfg.preopens.push_back({"/definitely/not/here", "x", false});
  auto ctx = WasiCtx::create(cfg);
  ASSERT_FALSE(ctx.ok());
  EXPECT_NE(ctx.error().message().find("/definitely/not/here"), std::string::npos);
}

TEST(ListenSocket, BadSpecsAreUsageErrors) {
  EXPECT_EQ(open_listener("nocolon").error().code(), ErrorCode::Usage);
  EXPECT_EQ(open_listener("127.0.0.1:").error().code(), ErrorCode::Usage);
  auto v6 = open_listener("[::1]:0");
  if (v6.ok()) ::close(*v6);  // IPv6 may be disabled on the host; parsing is what matters
}

// Each bad spec is a Usage error whose message names the offending part.
TEST(ListenSocket, BadAddressesAndPortsAreNamed) {
  struct Case {
    const char* spec;
    const char* named;
  };
  for (const Case& c : {Case{"example.com:80", "'example.com'"}, Case{"300.1.2.3:80", "'300.1.2.3'"},
                        Case{"127.0.0.1:65536", "'65536'"}, Case{"127.0.0.1:8o", "'8o'"},
                        Case{"127.0.0.1:-1", "'-1'"}, Case{"::1:80", "[::1]:80"}, Case{"[nope]:80", "'nope'"},
                        Case{"[127.0.0.1]:80", "'127.0.0.1'"}, Case{"nocolon", "HOST:PORT"}}) {
    auto r = open_listener(c.spec);
    ASSERT_FALSE(r.ok()) << c.spec;
    EXPECT_EQ(r.error().code(), ErrorCode::Usage) << c.spec;
    EXPECT_NE(r.error().message().find(c.named), std::string::npos) << c.spec << ": " << r.error().message();
    EXPECT_NE(r.error().message().find(c.spec), std::string::npos) << c.spec << ": " << r.error().message();
  }
}

TEST(ListenSocket, NumericAndLocalhostAddressesBind) {
  for (const char* spec : {"127.0.0.1:0", "localhost:0", ":0"}) {
    auto fd = open_listener(spec);
    ASSERT_TRUE(fd.ok()) << spec << ": " << fd.error().message();
    EXPECT_GT(bound_port(*fd), 0) << spec;
    ::close(*fd);
  }
  // localhost is the IPv4 loopback first (as getaddrinfo's usual order).
  auto fd = open_listener("localhost:0");
  ASSERT_TRUE(fd.ok());
  struct sockaddr_storage ss {};
  socklen_t len = sizeof ss;
  ASSERT_EQ(::getsockname(*fd, reinterpret_cast<struct sockaddr*>(&ss), &len), 0);
  ASSERT_EQ(ss.ss_family, AF_INET);
  EXPECT_EQ(ntohl(reinterpret_cast<struct sockaddr_in*>(&ss)->sin_addr.s_addr), INADDR_LOOPBACK);
  ::close(*fd);
}

}  // namespace
}  // namespace vivarium::wasi
