;; Calls fd_write without any memory: every pointer is out of bounds, so
;; the call answers EFAULT (21) instead of touching host memory; the module
;; exits with that errno as its status.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func (export "_start")
    (call $exit (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
