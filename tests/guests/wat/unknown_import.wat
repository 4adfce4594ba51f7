;; Imports a WASI function that does not exist: linking must fail cleanly.
(module
  (import "wasi_snapshot_preview1" "no_such_function" (func (param i32) (result i32)))
  (func (export "_start")))
