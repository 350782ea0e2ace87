#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# Every configuration sample shipped in keepalived's Debian package loads
# with `halbd -t` (warnings allowed, e.g. interfaces this machine lacks), and
# its normalised dump (`halbd -t -d`) loads again to the same dump. Where a
# sample is genuinely wrong, samples.expected holds the exact error instead;
# it also gives the -i a sample was written for.
. "$top_srcdir/tests/lib.sh"

dir=/usr/share/doc/keepalived/samples
[ -d "$dir" ] || skip "keepalived samples not installed ($dir)"
expected="$top_srcdir/tests/config/samples.expected"

n=0
for f in "$dir"/keepalived.conf.*; do
    name=$(basename "$f")
    n=$((n + 1))
    id=$(awk -F'\t' -v n="$name" '$1 == n { print $2 }' "$expected")
    want=$(awk -F'\t' -v n="$name" '$1 == n { print $3 }' "$expected")
    # -P: validate the file itself, not against this kernel's forwarding
    # backend (without IPVS, lvs_backend auto is nftables, which refuses
    # DR, wlc, ...; IPVS's capabilities refuse nothing).
    set -- -P -t -f "$f"
    [ -n "$id" ] && set -- -i "$id" "$@"
    if [ -n "$want" ]; then
        expect_status 1 "$name is refused" -- "$HALBD" "$@"
        expect_output_has "$dir/$name:$want" "$name"
        continue
    fi
    expect_status 0 "$name loads" -- "$HALBD" "$@"
    # The dump must itself be a valid configuration that dumps identically.
    if "$HALBD" -d "$@" >"$TMP/dump1" 2>"$TMP/err1"; then
        if "$HALBD" -P -t -d -f "$TMP/dump1" >"$TMP/dump2" 2>"$TMP/err2"; then
            if cmp -s "$TMP/dump1" "$TMP/dump2"; then ok; else
                fail "$name: dump of the dump differs"
                diff "$TMP/dump1" "$TMP/dump2" | head -20 >&2
            fi
        else
            fail "$name: its dump does not load"
            head -20 "$TMP/err2" >&2
        fi
    else
        fail "$name: -t -d failed"
    fi
done
[ "$n" -gt 20 ] || fail "only $n samples found"
finish
