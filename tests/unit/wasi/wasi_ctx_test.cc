#include "host/wasi/wasi_ctx.h"

#include <gtest/gtest.h>
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

}  // namespace
}  // namespace vivarium::wasi
