#!/usr/bin/env bash
# The peer suite: versitygw's own integration tests (325 of the families
# issue 11 names) against `trovemem serve`, one fresh server per test,
# several at a time. Prints "N passed, N failed" and the failures.
#
#   scripts/peer-suite.sh                 # all 325
#   scripts/peer-suite.sh '^PutObject_'   # a regexp of test names
#   JOBS=2 scripts/peer-suite.sh          # parallelism (default 4)
#   FAMILIES=auth scripts/peer-suite.sh   # the SigV4/aws-chunked families instead
#   MIN=250 scripts/peer-suite.sh         # exit 1 below this many passes
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -z "${TROVEMEM_VERSITYGW:-}" ]; then
  if [ ! -x tools/bin/versitygw ]; then
    echo "== building versitygw (tools/go.mod)"
    (cd tools && go build -o bin/versitygw github.com/versity/versitygw/cmd/versitygw)
  fi
  export TROVEMEM_VERSITYGW="$PWD/tools/bin/versitygw"
fi
go build -o "$tmp/trovemem" ./cmd/trovemem

set +e
TROVEMEM_PEER_SUITE=1 TROVEMEM_PEER_BIN="$tmp/trovemem" TROVEMEM_PEER_RUN="${1:-}" \
  TROVEMEM_PEER_JOBS="${JOBS:-4}" TROVEMEM_PEER_FAMILIES="${FAMILIES:-}" TROVEMEM_PEER_MIN="${MIN:-}" \
  go test ./serve -run '^TestPeerSuite$' -count=1 -v -timeout 30m >"$tmp/out" 2>&1
status=$?
set -e
# The test's log without go test's framing: failures first, then the count.
grep -v -e '^=== RUN' -e '^--- ' -e '^PASS$' -e '^FAIL$' -e '^ok ' -e '^FAIL\t' "$tmp/out" |
  sed -e 's/^    peer_test.go:[0-9]*: //' -e 's/\x1b\[[0-9;]*m//g'
exit $status
