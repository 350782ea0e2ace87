# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/lib.sh: helpers for the shell tests (sourced). Each test script is
# run by `make check` with HALBD, HALBCTL, top_srcdir and top_builddir set.
# Exit 0 = pass, 77 = skip, anything else = fail.

: "${HALBD:?HALBD must point to the halbd binary}"
: "${top_srcdir:?}"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/halbd-test.XXXXXX")
cleanup_hooks=""
on_exit() { cleanup_hooks="$1; $cleanup_hooks"; }
trap 'eval "$cleanup_hooks"; rm -rf "$TMP"' EXIT

fails=0
checks=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { checks=$((checks + 1)); }
skip() { echo "SKIP: $*"; exit 77; }

# expect_status WANT DESCRIPTION -- command...: runs the command, output in $TMP/out.
expect_status() {
    want=$1; what=$2; shift 3
    set +e
    "$@" >"$TMP/out" 2>&1
    got=$?
    set -e
    if [ "$got" != "$want" ]; then
        fail "$what: exit status $got, expected $want"
        sed 's/^/    | /' "$TMP/out" | head -40 >&2
    else
        ok
    fi
}

# expect_output_has TEXT DESCRIPTION: the last command's output contains TEXT.
expect_output_has() {
    if grep -qF -- "$1" "$TMP/out"; then ok; else
        fail "$2: output lacks '$1'"
        sed 's/^/    | /' "$TMP/out" | head -40 >&2
    fi
}

expect_output_lacks() {
    if grep -qF -- "$1" "$TMP/out"; then
        fail "$2: output has '$1'"
        sed 's/^/    | /' "$TMP/out" | head -40 >&2
    else ok; fi
}

# finish: the test's verdict.
finish() {
    echo "$checks checks, $fails failures"
    [ "$fails" = 0 ]
}

require_root() { [ "$(id -u)" = 0 ] || skip "needs root"; }

# wait_for SECS DESC CMD...: polls CMD every 10 ms; on failure shows the end
# of $log when the test set it.
wait_for() {
    secs=$1; desc=$2; shift 2
    if timeout "$secs" sh -c 'until "$@" >/dev/null 2>&1; do sleep 0.01; done' _ "$@"; then ok; else
        fail "$desc (not within ${secs}s)"
        [ -n "${log:-}" ] && [ -f "$log" ] && sed 's/^/    | /' "$log" | tail -20 >&2
        return 1
    fi
}
