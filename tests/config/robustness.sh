#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# Bad input never crashes or hangs halbd -t: binary garbage, a 1 MB line,
# 10,000-deep nesting, unterminated blocks and strings, include loops. Each
# must end with status 1 (refused) within a bounded time, never a signal.
. "$top_srcdir/tests/lib.sh"

check_refused() {
    name=$1; file=$2
    set +e
    timeout 30 "$HALBD" -t -f "$file" >"$TMP/out" 2>&1
    st=$?
    set -e
    case $st in
        1) ok ;;
        124) fail "$name: hung (killed after 30s)" ;;
        *) fail "$name: exit status $st (expected 1)"; tail -5 "$TMP/out" >&2 ;;
    esac
    [ "$(wc -l <"$TMP/out")" -le 1100 ] && ok || fail "$name: unbounded diagnostics"
}

head -c 200000 /dev/urandom >"$TMP/garbage.conf"
check_refused "binary garbage" "$TMP/garbage.conf"

{ printf 'global_defs {\n    router_id '; head -c 1048576 /dev/zero | tr '\0' 'x'; printf '\n    no_such_keyword\n}\n'; } >"$TMP/long.conf"
check_refused "1 MB line" "$TMP/long.conf"

awk 'BEGIN { for (i = 0; i < 10000; i++) print "vrrp_instance V" i " {"; for (i = 0; i < 10000; i++) print "}" }' >"$TMP/deep.conf"
check_refused "10,000-deep nesting" "$TMP/deep.conf"

awk 'BEGIN { for (i = 0; i < 10000; i++) printf "{"; print "" }' >"$TMP/braces.conf"
check_refused "10,000 bare braces" "$TMP/braces.conf"

printf 'global_defs {\n    router_id x\n' >"$TMP/unterminated.conf"
check_refused "unterminated block" "$TMP/unterminated.conf"
expect_output_has "unterminated block 'global_defs'" "unterminated block is named"

printf 'global_defs {\n    router_id "abc\n}\n' >"$TMP/quote.conf"
check_refused "unterminated string" "$TMP/quote.conf"

printf 'include b.conf\n' >"$TMP/a.conf"
printf 'include a.conf\n' >"$TMP/b.conf"
check_refused "include loop" "$TMP/a.conf"
expect_output_has "loop" "include loop is reported"

printf 'include %s/missing.conf\n' "$TMP" >"$TMP/missing-include.conf"
check_refused "missing include" "$TMP/missing-include.conf"

printf '$A=${A}${A}\nglobal_defs {\n router_id ${A}\n}\n' >"$TMP/macro.conf"
check_refused "self-referencing macro" "$TMP/macro.conf"

printf 'virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n TCP_CHECK {\n connect_timeout -1\n' >"$TMP/trunc.conf"
check_refused "truncated nested blocks" "$TMP/trunc.conf"
finish
