;; A complete `vivarium serve` service in the text format: answers every
;; request with "Hello from Vivarium!" and a content-type header.
;;
;;   vivarium deploy examples/hello-service.wat --name hello
;;   curl http://hello.localhost:8080/
;;
;; The guest reaches the host only through env.hostcall_* imports (the
;; Terrarium ABI, ../shared/terrarium/ABI.md). Response handle 0 is the
;; outgoing response; its status defaults to 200.
(module
  (import "env" "hostcall_resp_set_header"
    (func $resp_set_header (param $resp i32) (param $name i32) (param $name_len i32)
                           (param $values i32) (param $count i32) (result i32)))
  (import "env" "hostcall_resp_set_body"
    (func $resp_set_body (param $resp i32) (param $ptr i32) (param $len i32) (result i32)))
  (memory 1)
  (data (i32.const 64) "content-type")
  (data (i32.const 80) "text/plain; charset=utf-8")
  ;; One GuestSlice {ptr, len} for the header's single value.
  (data (i32.const 112) "\50\00\00\00\19\00\00\00")
  (data (i32.const 128) "Hello from Vivarium!\n")
  (func (export "run")
    (drop (call $resp_set_header (i32.const 0) (i32.const 64) (i32.const 12) (i32.const 112) (i32.const 1)))
    (drop (call $resp_set_body (i32.const 0) (i32.const 128) (i32.const 21)))))
