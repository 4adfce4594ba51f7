// The ABI layer through the real Linker: typed host functions, guest
// memory through the checked view, errno results, proc_exit as an Exit error.
#include <gtest/gtest.h>

#include "host/wasi/wasi.h"
#include "tests/unit/wasi/wasi_instance.h"
#include "vivarium/vivarium.h"

namespace vivarium::wasi {
namespace {

constexpr const char* kWat = R"((module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "write") (param $iovs i32) (param $n i32) (param $out i32) (result i32)
    (call $fd_write (i32.const 2) (local.get $iovs) (local.get $n) (local.get $out)))
  (func (export "clock") (param $id i32) (param $out i32) (result i32)
    (call $clock (local.get $id) (i64.const 1) (local.get $out)))
  (func (export "argc") (result i32)
    (drop (call $args_sizes (i32.const 0) (i32.const 4)))
    (i32.load (i32.const 0)))
  (func (export "exit") (param i32) (call $exit (local.get 0)))
))";

class AbiTest : public ::testing::Test, protected testing::WasiInstance {
 protected:
  void SetUp() override {
    WasiConfig cfg;
    cfg.args = {"prog", "a", "b"};
    instantiate(cfg, kWat);
  }
  int32_t call_i32(const char* name, std::vector<Value> args) {
    auto r = inst.call(name, args);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
    return r.ok() && !r->empty() ? (*r)[0].i32() : -1;
  }

};

TEST_F(AbiTest, ResultsGoToGuestMemory) {
  EXPECT_EQ(call_i32("argc", {}), 3);
  EXPECT_EQ(call_i32("clock", {Value::i32(1), Value::i32(64)}), 0);
  EXPECT_EQ(call_i32("clock", {Value::i32(9), Value::i32(64)}), static_cast<int32_t>(Errno::Inval));
}

TEST_F(AbiTest, BadPointersAreFaultNotCrashes) {
  // clock result past the end of the single 64 KiB page, or wrapping.
  EXPECT_EQ(call_i32("clock", {Value::i32(0), Value::i32(65536 - 4)}), static_cast<int32_t>(Errno::Fault));
  EXPECT_EQ(call_i32("clock", {Value::i32(0), Value::i32(-1)}), static_cast<int32_t>(Errno::Fault));
  // iovec list out of bounds; a zero-length write from a valid list is fine.
  EXPECT_EQ(call_i32("write", {Value::i32(65532), Value::i32(1), Value::i32(0)}), static_cast<int32_t>(Errno::Fault));
  EXPECT_EQ(call_i32("write", {Value::i32(0), Value::i32(0), Value::i32(16)}), 0);
}

TEST_F(AbiTest, ProcExitUnwindsWithItsCode) {
  auto r = inst.call("exit", std::vector<Value>{Value::i32(17)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::Exit);
  EXPECT_EQ(r.error().value(), 17);
}

TEST(AbiRegistration, EveryWitxFunctionIsDefined) {
  const char* names[] = {
      "args_get", "args_sizes_get", "environ_get", "environ_sizes_get", "clock_res_get", "clock_time_get",
      "fd_advise", "fd_allocate", "fd_close", "fd_datasync", "fd_fdstat_get", "fd_fdstat_set_flags",
      "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size", "fd_filestat_set_times", "fd_pread",
      "fd_prestat_get", "fd_prestat_dir_name", "fd_pwrite", "fd_read", "fd_readdir", "fd_renumber", "fd_seek",
      "fd_sync", "fd_tell", "fd_write", "path_create_directory", "path_filestat_get", "path_filestat_set_times",
      "path_link", "path_open", "path_readlink", "path_remove_directory", "path_rename", "path_symlink",
      "path_unlink_file", "poll_oneoff", "proc_exit", "proc_raise", "sched_yield", "random_get", "sock_accept",
      "sock_recv", "sock_send", "sock_shutdown"};
  auto ctx = WasiCtx::create({});
  ASSERT_TRUE(ctx.ok());
  Linker l;
  add_to_linker(l, **ctx);
  Store s;
  for (const char* n : names) EXPECT_TRUE(l.get(s, kModule, n).has_value()) << n;
  EXPECT_EQ(sizeof names / sizeof *names, 46u);
}

}  // namespace
}  // namespace vivarium::wasi
