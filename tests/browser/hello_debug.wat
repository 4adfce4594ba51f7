;; A complete service: answers every request and logs a debug line.
(module
  (import "env" "hostcall_resp_set_header"
    (func $resp_set_header (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "hostcall_resp_set_body"
    (func $resp_set_body (param i32 i32 i32) (result i32)))
  (import "env" "hostcall_debug" (func $debug (param i32 i32)))
  (memory 1)
  (data (i32.const 64) "content-type")
  (data (i32.const 80) "text/plain; charset=utf-8")
  (data (i32.const 112) "\50\00\00\00\19\00\00\00")
  (data (i32.const 128) "Hello from Vivarium!\n")
  (data (i32.const 160) "hello: answered a request")
  (func (export "run")
    (call $debug (i32.const 160) (i32.const 25))
    (drop (call $resp_set_header (i32.const 0) (i32.const 64) (i32.const 12) (i32.const 112) (i32.const 1)))
    (drop (call $resp_set_body (i32.const 0) (i32.const 128) (i32.const 21)))))
