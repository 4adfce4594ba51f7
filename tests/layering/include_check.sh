#!/bin/bash
# include_check.sh CXX LAYER_ROOT HEADER fails|compiles
# Compiles `#include "HEADER"` with only LAYER_ROOT on the include path.
set -u
cxx=$1 root=$2 header=$3 expect=$4
out=$(printf '#include "%s"\nint main() { return 0; }\n' "$header" |
      "$cxx" -std=c++20 -fsyntax-only -I "$root" -x c++ - 2>&1)
status=$?
if [ "$expect" = fails ]; then
  if [ $status -ne 0 ] && grep -q "file not found\|No such file" <<<"$out"; then
    echo "ok: $header is out of reach of $(basename "$root")"; exit 0
  fi
  echo "FAIL: $header compiled from $(basename "$root") (status $status): $out"; exit 1
fi
if [ $status -eq 0 ]; then echo "ok: $(basename "$root") includes $header"; exit 0; fi
echo "FAIL: $(basename "$root") cannot include $header: $out"; exit 1
