# Sourced by the CLI test scripts: `check` runs one command and counts it;
# the script ends with `finish`, which prints `N passed, M failed` and
# fails on any failure.
passed=0 failed=0

# check NAME EXPECTED_STATUS REGEX -- COMMAND...: the command must exit with
# EXPECTED_STATUS and its combined output must match REGEX (extended grep).
check() {
  local name=$1 want=$2 regex=$3
  shift 4
  local out status
  out=$("$@" 2>&1)
  status=$?
  if [ "$status" -eq "$want" ] && grep -qE -- "$regex" <<<"$out"; then
    echo "ok - $name"
    passed=$((passed + 1))
  else
    echo "not ok - $name (status $status, wanted $want; output must match /$regex/)"
    sed 's/^/    /' <<<"$out" | head -20
    failed=$((failed + 1))
  fi
}

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
