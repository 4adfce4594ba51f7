;; A trap three frames deep, with names: the backtrace should show them.
(module
  (memory (export "memory") 1)
  (func $innermost_wat_frame (unreachable))
  (func $middle_wat_frame (call $innermost_wat_frame))
  (func $start (export "_start") (call $middle_wat_frame)))
