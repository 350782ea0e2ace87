# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/nft-persist-reload.sh: the nftables backend's persistence and
# reload (topology of tests/netns/nft-lib.sh). persistence_timeout 6: a client
# stays on its real server across new connections and while it keeps coming
# back, its entry leaves the timed map about 6 s after its last connection,
# and its next connection is scheduled afresh (rr: the next server);
# persistence_granularity 255.255.255.0 keeps a whole /24 on one server.
# A reload under steady traffic (nine established connections, a client
# opening new ones, persistence entries) resets nothing: every established
# connection answers, no new connection fails, the entries stay. Needs root,
# python3, nft.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
for tool in python3 nft; do command -v $tool >/dev/null 2>&1 || skip "needs $tool"; done
. "$top_srcdir/tests/netns/nft-lib.sh"
set +e

nft_topology || fail "topology"

conf() {  # conf EXTRA_WEIGHT: the configuration, rs1's weight in services 86 and 87 varies
    echo 'global_defs { router_id lb }'
    for spec in "80 rr" "84 rr persistence_timeout 6" "85 rr persistence_timeout 30 persistence_granularity 255.255.255.0" "86 wrr" "87 wrr persistence_timeout 30"; do
        set -- $spec
        printf 'virtual_server 192.0.2.10 %s {\n  lb_algo %s\n  lb_kind NAT\n  protocol TCP\n' "$1" "$2"
        [ -n "$3" ] && printf '  %s %s\n' "$3" "$4"
        [ -n "$5" ] && printf '  %s %s\n' "$5" "$6"
        for n in 1 2 3; do
            w=1; [ "$1" -ge 86 ] && [ $n = 1 ] && w=$EXTRA
            printf '  real_server 198.51.100.1%s 8080 {\n    weight %s\n  }\n' "$n" "$w"
        done
        printf '}\n'
    done
}
EXTRA=1 conf >"$TMP/halbd.conf"
halbd_bg lb "$TMP/halbd.conf"
H=$BG_PID
programmed() { slot_dests 86 | grep -q 198.51.100.13; }
wait_until 15 "services programmed" programmed

sticky_has() { ns lb nft list map ip halbd "tcp_192_0_2_10_$1_sticky" | grep -qwF "$2"; }
one() { ns cl python3 -c "
import socket; c = socket.socket(); c.settimeout(3); c.bind(('$1', 0)); c.connect(('192.0.2.10', $2))
print(c.makefile('rb').readline().decode().strip())"; }

# ---- persistence holds, is refreshed, then expires -------------------------------------
first=$(one 203.0.113.7 84)
echo "  client 203.0.113.7 first on $first"
others=0
for i in 1 2 3 4 5 6 7 8 9; do [ "$(one 203.0.113.7 84)" = "$first" ] || others=$((others + 1)); done
[ "$others" = 0 ] && ok || fail "persistence: $others of 9 connections left $first"
sticky_has 84 203.0.113.7 && ok || fail "no persistence entry for 203.0.113.7"
# Coming back within the timeout keeps (and refreshes) the entry: 4 s after
# the refresh it is still there, although 7 s after the first burst.
sleep 3
[ "$(one 203.0.113.7 84)" = "$first" ] && ok || fail "persistence lost within the timeout"
sleep 4
sticky_has 84 203.0.113.7 && ok || fail "entry expired although refreshed 4 s ago (timeout 6 s)"
t0=$(now_ms)
wait_until 8 "persistence entry expires" sh -c "! ip netns exec $NS_PREFIX-lb nft list map ip halbd tcp_192_0_2_10_84_sticky | grep -qwF 203.0.113.7"
echo "  entry expired $(( $(now_ms) - t0 )) ms after the 4 s check (timeout 6 s after the last connection)"
again=$(one 203.0.113.7 84)
[ -n "$again" ] && [ "$again" != "$first" ] && ok || fail "after expiry still on $first (rr should give the next server), got '$again'"

# ---- granularity: one /24, one server ---------------------------------------------------
: >"$TMP/gran"
for i in $(seq 1 20); do one 203.0.113.$i 85 >>"$TMP/gran"; done
[ "$(sort -u "$TMP/gran" | wc -l)" = 1 ] && ok || fail "persistence_granularity /24: clients spread over $(sort -u "$TMP/gran" | tr '\n' ' ')"
sticky_has 85 203.0.113.0 && ok || fail "no /24 entry 203.0.113.0 in service 85's map"

# ---- a reload under steady traffic ---------------------------------------------------------------
: >"$TMP/ctl"
ns_bg cl "$TMP/hold" python3 "$PEER" hold 192.0.2.10 80 9 "$TMP/ctl"
wait_until 10 "9 connections open" grep -q '^OPEN' "$TMP/hold"
ns_bg cl "$TMP/loop" python3 "$PEER" loop 192.0.2.10 80 203.0.113.99 "$TMP/stop-loop"
LOOP=$BG_PID
wait_until 20 "the looping client connects" grep -q '^UP' "$TMP/loop"
reloads_before=$(log_count "$LOG" "configuration reload")
EXTRA=4 conf >"$TMP/halbd.conf"
kill -HUP "$H"
# Service 87 is persistent: its rules are rewritten (4 slots more) against
# its persistence map made by an earlier transaction (nft reads that map's
# type back from the kernel; with `th dport` data this failed the whole
# transaction, 86 included).
weight4() { [ "$(slot_dests $1 | grep -c '^198\.51\.100\.11 \. 8080$')" = 4 ]; }
reloaded() { weight4 86 && weight4 87; }
wait_until 10 "reload applied (rs1 weight 4 in services 86 and 87)" reloaded
sleep 0.5
touch "$TMP/stop-loop"
wait "$LOOP" 2>/dev/null
loop=$(grep '^LOOP' "$TMP/loop")
echo "  new connections during the reload: $loop"
set -- $loop
[ "${2:-0}" -gt 0 ] && [ "${3:-1}" = 0 ] && ok || fail "connections failed during the reload: $loop"
echo ping >>"$TMP/ctl"
wait_until 10 "ping after reload answered" grep -q '^PING1' "$TMP/hold"
line=$(grep '^PING1' "$TMP/hold")
alive=$(echo "$line" | tr ' ' '\n' | grep -cE '^(rs1=rs1|rs2=rs2|rs3=rs3)$')
[ "$alive" = 9 ] && ok || fail "established connections after the reload: $alive of 9 answer ($line)"
echo quit >>"$TMP/ctl"
sticky_has 85 203.0.113.0 && ok || fail "the reload emptied service 85's persistence map"
finish
