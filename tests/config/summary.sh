#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/config/summary.sh: the honest counts of tests/run.sh (issue 10),
# computed by tests/summary.sh's tally over a build directory made here: a
# plain test, a TAP result and a GoogleTest case skipped, one GoogleTest case
# failed. Every skip is listed with its reason; under CI=true the netns, VM
# and root skips count as failed, the others stay skipped.
. "$top_srcdir/tests/lib.sh"

b=$TMP/build
mkdir -p "$b/tests/unit"
cat >"$b/test-suite.log" <<'LOG'
# TOTAL: 7
# PASS:  3
# SKIP:  3
# XFAIL: 0
# FAIL:  1
# XPASS: 0
# ERROR: 0

.. contents:: :depth: 2

SKIP: tests/config/ctl.sh
=========================

SKIP: needs python3
SKIP tests/config/ctl.sh (exit status: 77)

SKIP: tests/netns/vrrp-flood.sh
===============================

== a flood
SKIP: needs root and ip netns
SKIP tests/netns/vrrp-flood.sh (exit status: 77)

PASS: tests/vm/suite.tap
========================

PASS: tests/vm/suite.tap 1 ipvs-smoke
SKIP: tests/vm/suite.tap 2 ipvs-backend # SKIP qemu missing

FAIL: tests/unit/unit_tests
===========================

LOG
cat >"$b/tests/unit/unit_tests.log" <<'LOG'
[ RUN      ] CheckPingTest.LoopbackAnswersWithAPingSocket
tests/unit/check_ping_test.cc:50: Skipped
ping_group_range excludes us

[  SKIPPED ] CheckPingTest.LoopbackAnswersWithAPingSocket (0 ms)
[ RUN      ] Demo.Fails
[  FAILED  ] Demo.Fails (0 ms)
[==========] 12 tests from 3 test suites ran. (5 ms total)
[  PASSED  ] 10 tests.
[  SKIPPED ] 1 test, listed below:
[  SKIPPED ] CheckPingTest.LoopbackAnswersWithAPingSocket
[  FAILED  ] 1 test, listed below:
[  FAILED  ] Demo.Fails
LOG
echo ":test-result: FAIL" >"$b/tests/unit/unit_tests.trs"

# counts [CI]: "passed failed skipped", the lists in $TMP/skips and $TMP/ci-skips.
counts() {
    (
        CI=$1 passed=0 failed=0 skipped=0
        SKIP_LIST=$TMP/skips CI_SKIP_LIST=$TMP/ci-skips
        : >"$SKIP_LIST"
        : >"$CI_SKIP_LIST"
        . "$top_srcdir/tests/summary.sh"
        tally "$b" release
        echo "$passed $failed $skipped"
    )
}

echo "== without CI"
got=$(counts "")
[ "$got" = "13 1 4" ] && ok || fail "counts: '$got', want '13 1 4' (passed failed skipped)"
for want in "release: tests/config/ctl.sh: needs python3" \
    "release: tests/netns/vrrp-flood.sh: needs root and ip netns" \
    "release: tests/vm/suite.tap 2 ipvs-backend: qemu missing" \
    "release: unit_tests CheckPingTest.LoopbackAnswersWithAPingSocket: ping_group_range excludes us"; do
    grep -qxF "$want" "$TMP/skips" && ok || fail "skip not listed with its reason: $want"
done
[ ! -s "$TMP/ci-skips" ] && ok || fail "a skip counted as failed without CI"

echo "== CI=true: netns, VM and root skips fail"
got=$(counts true)
[ "$got" = "13 3 2" ] && ok || fail "counts under CI: '$got', want '13 3 2'"
[ "$(wc -l <"$TMP/ci-skips")" = 2 ] && ok || fail "CI list: $(cat "$TMP/ci-skips")"
grep -qF "tests/netns/vrrp-flood.sh" "$TMP/ci-skips" && ok || fail "netns skip not failed under CI"
grep -qF "tests/vm/suite.tap 2" "$TMP/ci-skips" && ok || fail "VM skip not failed under CI"
grep -qF "tests/config/ctl.sh: needs python3" "$TMP/skips" && ok || fail "a package skip is not a CI failure"
finish
