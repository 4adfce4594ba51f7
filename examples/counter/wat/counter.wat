;; The counter example in the text format (the /count route of ../c/counter.c):
;; every request adds one to the decimal number stored under the KV key
;; "hits" and answers the new value and a newline.
;;
;;   vivarium deploy examples/counter/wat/counter.wat --name counter
;;   curl http://counter.localhost:8080/count
(module
  (import "env" "hostcall_init_mm" (func $init_mm (param i32 i32)))
  ;; (out_ptr, out_len, key, key_len) -> 1 when present
  (import "env" "hostcall_kvstore_get" (func $kv_get (param i32 i32 i32 i32) (result i32)))
  ;; (key, key_len, value, value_len) -> 1 when the key was absent
  (import "env" "hostcall_kvstore_upsert" (func $kv_upsert (param i32 i32 i32 i32) (result i32)))
  (import "env" "hostcall_req_get_path" (func $req_get_path (param i32 i32 i32)))
  (import "env" "hostcall_resp_set_body" (func $resp_set_body (param i32 i32 i32) (result i32)))
  (import "env" "hostcall_resp_set_response_code" (func $resp_set_code (param i32 i32) (result i32)))

  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $malloc $free)
  (data (i32.const 16) "hits")
  (data (i32.const 32) "/count")
  (data (i32.const 48) "not found\0a")
  ;; 64..71: out-params (pointer, length); 96..127: the digits, built backwards
  (global $heap (mut i32) (i32.const 1024))

  ;; A bump allocator: one instance serves one request.
  (func $malloc (param $size i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.and (i32.add (i32.add (local.get $p) (local.get $size)) (i32.const 7)) (i32.const -8)))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.add (i32.shr_u (local.get $size) (i32.const 16)) (i32.const 1))))))
    (local.get $p))
  (func $free (param i32))

  ;; 1 when the request path is exactly "/count".
  (func $is_count (result i32)
    (local $p i32) (local $i i32)
    (call $req_get_path (i32.const 64) (i32.const 68) (i32.const 0))
    (if (i32.ne (i32.load (i32.const 68)) (i32.const 6)) (then (return (i32.const 0))))
    (local.set $p (i32.load (i32.const 64)))
    (block $differ
      (loop $next
        (br_if $differ (i32.ne (i32.load8_u (i32.add (local.get $p) (local.get $i)))
                               (i32.load8_u (i32.add (i32.const 32) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $i) (i32.const 6))))
      (return (i32.const 1)))
    (i32.const 0))

  ;; The stored count (0 when absent), parsed from its decimal digits.
  (func $load (result i64)
    (local $p i32) (local $end i32) (local $v i64)
    (if (i32.eqz (call $kv_get (i32.const 64) (i32.const 68) (i32.const 16) (i32.const 4)))
      (then (return (i64.const 0))))
    (local.set $p (i32.load (i32.const 64)))
    (local.set $end (i32.add (local.get $p) (i32.load (i32.const 68))))
    (block $done
      (loop $digit
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10))
                               (i64.extend_i32_u (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $digit)))
    (local.get $v))

  (func (export "run")
    (local $v i64) (local $at i32)
    (call $init_mm (i32.const 0) (i32.const 1))
    (if (i32.eqz (call $is_count))
      (then
        (drop (call $resp_set_code (i32.const 0) (i32.const 404)))
        (drop (call $resp_set_body (i32.const 0) (i32.const 48) (i32.const 10)))
        (return)))
    (local.set $v (i64.add (call $load) (i64.const 1)))
    ;; digits backwards from 126, then the newline at 127
    (i32.store8 (i32.const 127) (i32.const 10))
    (local.set $at (i32.const 127))
    (loop $digit
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $v) (i64.const 0))))
    ;; store without the newline, answer with it
    (drop (call $kv_upsert (i32.const 16) (i32.const 4) (local.get $at) (i32.sub (i32.const 127) (local.get $at))))
    (drop (call $resp_set_body (i32.const 0) (local.get $at) (i32.sub (i32.const 128) (local.get $at))))))
