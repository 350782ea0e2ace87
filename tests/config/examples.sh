#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# The seed-scenario examples in etc/examples and the annotated sample
# etc/examples/halbd.conf load for both nodes (-i lb1 / -i lb2), and keepalived 2.2.7
# accepts the same files.
. "$top_srcdir/tests/lib.sh"

files=""
for f in "$top_srcdir"/etc/examples/*.conf; do files="$files $f"; done
count=0
for f in $files; do
    count=$((count + 1))
    for id in lb1 lb2; do
        # -P: the file itself, not this kernel's backend (see samples.sh).
        expect_status 0 "$(basename "$f") loads as $id" -- "$HALBD" -P -t -i "$id" -f "$f"
        expect_output_lacks "error:" "$(basename "$f") as $id"
    done
    if command -v keepalived >/dev/null 2>&1; then
        # keepalived exits 5 for complaints it survives: an interface this
        # machine lacks, and the seed articles' old keywords that 2.2.7 no
        # longer knows (kept on purpose; halbd maps them). Anything else is real.
        set +e
        keepalived -t -i lb1 -f "$f" >"$TMP/out" 2>&1
        st=$?
        set -e
        # halbd's own keywords keepalived skips (status 5): lvs_backend and
        # the lines of a conntrack_sync block.
        awk '/^conntrack_sync \{/,/^\}/ { print "Line " NR ")" }' "$f" >"$TMP/own"
        echo "Unknown keyword 'lvs_backend'" >>"$TMP/own"
        other=$(grep -v -F -f "$TMP/own" "$TMP/out" | grep -v -e "doesn't exist" -e "Non-existent interface" \
            -e "Unknown keyword 'ICMP_CHECK'" -e "Unknown keyword 'nat_mask'" \
            -e "Unknown keyword 'nb_get_retry'" -e "Unknown keyword 'smtp_connection_timeout'" \
            -e "persistence_timeout" -e "number '0' outside range \[1, 2678400\]" || true)
        # active_active is halbd's own block: keepalived skips its lines, and
        # its instances have no VIP of their own.
        [ "$(basename "$f")" = active-active.conf ] && other=$(printf '%s\n' "$other" | grep -v \
            -e "Unknown keyword '\(active_active\|interface\|vip\|buckets\|owner\|}\)'" \
            -e "Unexpected '{' - ignoring" -e "No VIP specified" || true)
        if [ "$st" = 0 ] || { [ "$st" = 5 ] && [ -z "$other" ]; }; then ok; else
            fail "keepalived -t rejects $(basename "$f") (status $st)"
            cat "$TMP/out" >&2
        fi
    fi
done
[ "$count" -ge 6 ] || fail "expected etc/examples/halbd.conf and five seed examples, found $count files"
finish
