// The socket calls through the real Linker: the seed's sock_connect against a
// host listener, the policy's refusals, and host descriptors that come back
// after the guest opens and closes (or abandons) many sockets.
#include <dirent.h>
#include <netinet/in.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "host/wasi/listen_socket.h"
#include "host/wasi/sock_addr.h"
#include "host/wasi/socket_abi.h"
#include "host/wasi/wasi.h"
#include "tests/unit/wasi/wasi_instance.h"
#include "vivarium/vivarium.h"

namespace vivarium::wasi {
namespace {

constexpr const char* kWat = R"((module
  (import "wasi_snapshot_preview1" "sock_connect" (func $connect (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_open" (func $open (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_bind" (func $bind (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_addr_local" (func $local (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "connect") (param i32 i32 i32) (result i32)
    (call $connect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "close") (param i32) (result i32) (call $close (local.get 0)))
  (func (export "bind") (param i32 i32) (result i32) (call $bind (local.get 0) (local.get 1)))
  (func (export "local") (param i32 i32) (result i32) (call $local (local.get 0) (local.get 1)))
  (func (export "open") (param $af i32) (param $out i32) (result i32)
    (call $open (i32.const 3) (local.get $af) (i32.const 1) (local.get $out)))
  ;; Opens up to $n stream sockets, their fds at 1024 + 4i; returns how many.
  (func (export "open_n") (param $n i32) (result i32) (local $i i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (br_if $done (call $open (i32.const 3) (i32.const 0) (i32.const 1)
                              (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $i))
  ;; Closes the first $n of them; returns how many closes failed.
  (func (export "close_n") (param $n i32) (result i32) (local $i i32) (local $bad i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (if (call $close (i32.load (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2)))))
        (then (local.set $bad (i32.add (local.get $bad) (i32.const 1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $bad))
))";

// Admits loopback on every port, nothing else; counts refusals.
class LoopbackPolicy final : public SocketPolicy {
 public:
  bool may_connect(const sockaddr& sa, SockKind) const override { return loopback(sa); }
  bool may_bind(const sockaddr& sa, SockKind) const override { return loopback(sa); }
  std::optional<std::vector<sockaddr_storage>> resolve(std::string_view, int) const override { return std::nullopt; }
  void denied(const std::string&) const override { ++denials; }
  mutable int denials = 0;

 private:
  static bool loopback(const sockaddr& sa) {
    if (sa.sa_family == AF_INET)
      return ntohl(reinterpret_cast<const sockaddr_in&>(sa).sin_addr.s_addr) >> 24 == 127;
    return sa.sa_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<const sockaddr_in6&>(sa).sin6_addr);
  }
};

size_t open_host_fds() {
  size_t n = 0;
  DIR* d = ::opendir("/proc/self/fd");
  while (d && ::readdir(d)) ++n;
  if (d) ::closedir(d);
  return n;
}

class SockTest : public ::testing::Test, protected testing::WasiInstance {
 protected:
  void start(std::shared_ptr<const SocketPolicy> policy) {
    WasiConfig cfg;
    cfg.sockets = std::move(policy);
    instantiate(cfg, kWat);
  }
  int32_t call_i32(const char* name, std::vector<Value> args) {
    auto r = inst.call(name, args);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
    return r.ok() && !r->empty() ? (*r)[0].i32() : -1;
  }
  uint32_t load_u32(uint32_t addr) { return *inst.memory(0u)->view().load<uint32_t>(addr); }
};

TEST_F(SockTest, SeedConnectIsDeniedWithoutAPolicy) {
  start(nullptr);
  auto l = open_listener("127.0.0.1:0");
  ASSERT_TRUE(l.ok());
  UniqueFd listener(*l);
  EXPECT_EQ(call_i32("connect", {Value::i32(0x7F000001), Value::i32(bound_port(*l)), Value::i32(0)}),
            static_cast<int32_t>(Errno::NotCapable));
}

TEST_F(SockTest, SeedConnectReachesALoopbackListener) {
  auto policy = std::make_shared<LoopbackPolicy>();
  start(policy);
  auto l = open_listener("127.0.0.1:0");
  ASSERT_TRUE(l.ok());
  UniqueFd listener(*l);
  const int port = bound_port(*l);
  ASSERT_EQ(call_i32("connect", {Value::i32(0x7F000001), Value::i32(port), Value::i32(16)}), 0);
  const uint32_t fd = load_u32(16);
  auto e = ctx->fds().get(fd);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->type, FileType::SocketStream);
  EXPECT_EQ(call_i32("close", {Value::i32(static_cast<int32_t>(fd))}), 0);
  EXPECT_EQ(call_i32("close", {Value::i32(static_cast<int32_t>(fd))}), static_cast<int32_t>(Errno::Badf));
  // Another network, a bad port, a wild out pointer.
  EXPECT_EQ(call_i32("connect", {Value::i32(0x0A000001), Value::i32(port), Value::i32(16)}),
            static_cast<int32_t>(Errno::NotCapable));
  EXPECT_EQ(policy->denials, 1);
  EXPECT_EQ(call_i32("connect", {Value::i32(0x7F000001), Value::i32(70000), Value::i32(16)}),
            static_cast<int32_t>(Errno::Inval));
  EXPECT_EQ(call_i32("connect", {Value::i32(0x7F000001), Value::i32(port), Value::i32(65534)}),
            static_cast<int32_t>(Errno::Fault));
}

TEST_F(SockTest, Ipv6BindReportsItsAddressInWamrLayout) {
  start(std::make_shared<LoopbackPolicy>());
  ASSERT_EQ(call_i32("open", {Value::i32(1), Value::i32(0)}), 0);
  const int32_t fd = static_cast<int32_t>(load_u32(0));
  MemoryView mem = inst.memory(0u)->view();
  sockaddr_storage ss{};
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_addr = in6addr_loopback;
  ASSERT_EQ(write_wamr_addr(mem, 64, ss), Errno::Success);
  EXPECT_EQ(*mem.load<uint32_t>(64), 1u);           // kind IPv6
  EXPECT_EQ(*mem.load<uint16_t>(64 + 4 + 14), 1u);  // last group of ::1
  ASSERT_EQ(call_i32("bind", {Value::i32(fd), Value::i32(64)}), 0);
  ASSERT_EQ(call_i32("local", {Value::i32(fd), Value::i32(128)}), 0);
  auto back = read_wamr_addr(mem, 128);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->ss_family, AF_INET6);
  EXPECT_TRUE(IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<sockaddr_in6*>(&*back)->sin6_addr));
  EXPECT_NE(*mem.load<uint16_t>(128 + 20), 0u);  // the port the kernel chose
  // Binding elsewhere is refused.
  sin6->sin6_addr = in6addr_any;
  ASSERT_EQ(write_wamr_addr(mem, 64, ss), Errno::Success);
  EXPECT_EQ(call_i32("bind", {Value::i32(fd), Value::i32(64)}), static_cast<int32_t>(Errno::NotCapable));
}

TEST_F(SockTest, OpeningAndClosingManySocketsLeavesNoHostDescriptor) {
  const size_t before = open_host_fds();
  start(nullptr);  // opening needs no grant; only addresses do
  const size_t with_ctx = open_host_fds();
  const int32_t opened = call_i32("open_n", {Value::i32(1000)});
  EXPECT_EQ(opened, 1000);
  EXPECT_EQ(open_host_fds(), with_ctx + static_cast<size_t>(opened));
  EXPECT_EQ(call_i32("close_n", {Value::i32(opened)}), 0);
  EXPECT_EQ(open_host_fds(), with_ctx);
  // Sockets a guest abandons close with its context.
  EXPECT_EQ(call_i32("open_n", {Value::i32(100)}), 100);
  inst = Instance();
  ctx.reset();
  EXPECT_EQ(open_host_fds(), before);
}

TEST(SocketAbi, TheImportTypeDecides) {
  auto wamr = Module::from_text(R"((module
    (import "wasi_snapshot_preview1" "sock_connect" (func (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "sock_accept" (func (param i32 i32) (result i32)))))");
  ASSERT_TRUE(wamr.ok());
  SocketAbiChoice c = choose_socket_abi(*wamr);
  EXPECT_EQ(c.connect, SocketAbi::Wamr);
  EXPECT_TRUE(c.two_arg_accept);
  auto seed = Module::from_text(R"((module
    (import "wasi_snapshot_preview1" "sock_connect" (func (param i32 i32 i32) (result i32)))))");
  ASSERT_TRUE(seed.ok());
  c = choose_socket_abi(*seed);
  EXPECT_EQ(c.connect, SocketAbi::Seed);
  EXPECT_FALSE(c.two_arg_accept);
  EXPECT_EQ(parse_socket_abi("wamr"), SocketAbi::Wamr);
  EXPECT_EQ(parse_socket_abi("wasmedge"), SocketAbi::WasmEdge);
  EXPECT_FALSE(parse_socket_abi("wasi").has_value());
  auto wasmedge = Module::from_text(R"((module
    (import "wasi_snapshot_preview1" "sock_open" (func (param i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "sock_connect" (func (param i32 i32 i32) (result i32)))))");
  ASSERT_TRUE(wasmedge.ok());
  EXPECT_EQ(choose_socket_abi(*wasmedge).connect, SocketAbi::WasmEdge);
}

}  // namespace
}  // namespace vivarium::wasi
