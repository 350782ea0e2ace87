#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# keepalived-compatibility classes of issue 12: each tests/config/compat/*.conf
# is a configuration keepalived 2.2.7 loads (written for this test, never
# copied from the wild), with its expectations in its leading comments:
#   # args: -i lb1          extra halbd options (default none)
#   # status: 0             exit status of `halbd -t` (default 0)
#   # expect: 12:5: warning: ...   a diagnostic, after "FILE:" (exact text)
#   # lacks: TEXT           output that must not appear
#   # dump: TEXT            text `halbd -t -d` must print (the meaning halbd took)
. "$top_srcdir/tests/lib.sh"

dir="$top_srcdir/tests/config/compat"
n=0
for f in "$dir"/*.conf; do
    name=$(basename "$f")
    n=$((n + 1))
    args=$(sed -n 's/^# args: //p' "$f")
    status=$(sed -n 's/^# status: //p' "$f")
    # -P: the file's own meaning, not this kernel's forwarding backend
    # (without IPVS, lvs_backend auto refuses keepalived's default wlc).
    # shellcheck disable=SC2086
    expect_status "${status:-0}" "$name" -- "$HALBD" -P -t -f "$f" $args
    sed -n 's/^# expect: //p' "$f" >"$TMP/expect"
    while IFS= read -r line; do expect_output_has "$f:$line" "$name"; done <"$TMP/expect"
    # "# expect-any: TEXT": a line with no file:line:col (global_defs flags).
    sed -n 's/^# expect-any: //p' "$f" >"$TMP/expect-any"
    while IFS= read -r line; do expect_output_has "$line" "$name"; done <"$TMP/expect-any"
    sed -n 's/^# lacks: //p' "$f" >"$TMP/lacks"
    while IFS= read -r line; do expect_output_lacks "$line" "$name"; done <"$TMP/lacks"
    # Every warning the file gives is one it expects (no surprise noise).
    want=$(grep -c '^# expect\(-any\)\{0,1\}: .*warning:' "$f" || true)
    got=$(grep -c ': warning: ' "$TMP/out" || true)
    [ "$want" = "$got" ] && ok || fail "$name: $got warning(s), expected $want"
    sed -n 's/^# dump: //p' "$f" >"$TMP/dumpwant"
    if [ -s "$TMP/dumpwant" ]; then
        # shellcheck disable=SC2086
        "$HALBD" -P -t -d -f "$f" $args >"$TMP/dump" 2>/dev/null || true
        while IFS= read -r line; do
            if grep -qF -- "$line" "$TMP/dump"; then ok; else fail "$name: dump lacks '$line'"; fi
        done <"$TMP/dumpwant"
    fi
done
[ "$n" -gt 0 ] || fail "no compat configurations in $dir"
finish
