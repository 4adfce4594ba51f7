;; {{name}}: a Vivarium service in the WebAssembly text format.
;;
;; The host calls the export "run" once per request, on a fresh instance.
;; Everything the guest can do is an import from "env" named hostcall_*
;; (the Terrarium ABI; docs/abi-reference.md lists them all). Calls that
;; return data (the path, a header, a body) put it in guest memory by calling
;; the guest's own malloc, which the guest registers first with
;; hostcall_init_mm(table index of malloc, table index of free).
;;
;;   vivarium build   # build/{{name}}.wasm (or deploy src/main.wat directly)
;;   vivarium test    # runs tests/requests.txt against a local server
(module
  (import "env" "hostcall_init_mm" (func $init_mm (param i32 i32)))
  ;; (out_ptr, out_len, request): writes the path's address and length
  (import "env" "hostcall_req_get_path" (func $req_get_path (param i32 i32 i32)))
  ;; (response, name, name_len, values, count) -> status; values: {ptr,len} pairs
  (import "env" "hostcall_resp_set_header" (func $resp_set_header (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "hostcall_resp_set_body" (func $resp_set_body (param i32 i32 i32) (result i32)))
  (import "env" "hostcall_resp_set_response_code" (func $resp_set_code (param i32 i32) (result i32)))

  (memory 1)
  ;; The table holds malloc (index 0) and free (index 1) for init_mm.
  (table 2 funcref)
  (elem (i32.const 0) $malloc $free)

  (data (i32.const 16) "Hello from Vivarium!\0a")   ;; 21 bytes
  (data (i32.const 48) "content-type")               ;; 12 bytes
  (data (i32.const 64) "text/plain")                 ;; 10 bytes
  (data (i32.const 80) "not found\0a")               ;; 10 bytes
  ;; 96..103: a {ptr, len} slice for the header value; 104..111: out-params.
  (global $heap (mut i32) (i32.const 1024))

  ;; A bump allocator: one instance serves one request, so nothing is freed.
  (func $malloc (param $size i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.and (i32.add (i32.add (local.get $p) (local.get $size)) (i32.const 7)) (i32.const -8)))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.add (i32.shr_u (local.get $size) (i32.const 16)) (i32.const 1))))))
    (local.get $p))
  (func $free (param i32))

  (func (export "run")
    (call $init_mm (i32.const 0) (i32.const 1))
    ;; content-type: text/plain
    (i32.store (i32.const 96) (i32.const 64))
    (i32.store (i32.const 100) (i32.const 10))
    (drop (call $resp_set_header (i32.const 0) (i32.const 48) (i32.const 12) (i32.const 96) (i32.const 1)))
    ;; the path: "/" (length 1) greets, anything else is a 404
    (call $req_get_path (i32.const 104) (i32.const 108) (i32.const 0))
    (if (i32.and (i32.eq (i32.load (i32.const 108)) (i32.const 1))
                 (i32.eq (i32.load8_u (i32.load (i32.const 104))) (i32.const 47)))
      (then (drop (call $resp_set_body (i32.const 0) (i32.const 16) (i32.const 21))))
      (else
        (drop (call $resp_set_code (i32.const 0) (i32.const 404)))
        (drop (call $resp_set_body (i32.const 0) (i32.const 80) (i32.const 10)))))))
