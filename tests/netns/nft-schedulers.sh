# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/nft-schedulers.sh: the nftables forwarding backend on this
# kernel (no IPVS, so lvs_backend auto picks nftables): 3,000 connections
# from 100 client addresses per scheduler through VIP 192.0.2.10 (NAT) to
# three real servers. rr: exactly 1,000 each (within 1); wrr 1:2:3 within 2%;
# sh and mh: every client always on one server. Then TCP_CHECK sees rs3
# stopped: rs3 leaves the maps, the established connections to rs1 and rs2
# still answer, rr splits evenly over two, rs3's sh/mh clients move and at
# most 3 of the ~67 clients of rs1 and rs2 do (Maglev's bound). halbctl shows the backend, its reason and the services; TERM
# removes table halbd. Needs root, python3, nft.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
for tool in python3 nft; do command -v $tool >/dev/null 2>&1 || skip "needs $tool"; done
. "$top_srcdir/tests/netns/nft-lib.sh"
: "${HALBCTL:=$top_builddir/src/halbctl}"
set +e

nft_topology || fail "topology"

vs() {  # vs PORT SCHED [W1 W2 W3]
    printf 'virtual_server 192.0.2.10 %s {\n  delay_loop 1\n  lb_algo %s\n  lb_kind NAT\n  protocol TCP\n' "$1" "$2"
    w1=${3:-1} w2=${4:-1} w3=${5:-1}
    for n in 1 2 3; do
        eval "w=\$w$n"
        printf '  real_server 198.51.100.1%s 8080 {\n    weight %s\n' "$n" "$w"
        printf '    TCP_CHECK {\n      connect_timeout 1\n      retry 0\n      delay_before_retry 1\n    }\n  }\n'
    done
    printf '}\n'
}
{ echo 'global_defs { router_id lb }'; vs 80 rr; vs 81 wrr 1 2 3; vs 82 sh; vs 83 mh; } >"$TMP/halbd.conf"
halbd_bg lb "$TMP/halbd.conf"
H=$BG_PID
# slots PORT: how many real servers the service's slot map names
slots() { slot_dests "$1" | grep -o '198\.51\.100\.1[0-9] \. 8080' | sort -u | wc -l; }
all_slots() { for p in 80 81 82 83; do [ "$(slots $p)" = "$1" ] || return 1; done; }
wait_until 15 "all four services programmed with three servers" all_slots 3

# ---- halbctl: backend, reason, ipvsadm-like services -------------------------
ns lb "$HALBCTL" -s "$TMP/halbd.ctl" status >"$TMP/status" 2>&1
grep -q "forwarding: nftables (lvs_backend auto: the kernel has no IPVS), 4 service(s), 12 destination(s)" "$TMP/status" \
    && ok || fail "halbctl status: $(cat "$TMP/status")"
ns lb "$HALBCTL" -s "$TMP/halbd.ctl" ipvs >"$TMP/ipvs" 2>&1
grep -q "^TCP  192.0.2.10:81 wrr" "$TMP/ipvs" && grep -q "  -> 198.51.100.13:8080 *Masq *3 " "$TMP/ipvs" \
    && ok || fail "halbctl ipvs: $(cat "$TMP/ipvs")"
ns lb nft list chain ip halbd tcp_192_0_2_10_80 | grep -q 'comment "virtual_server 192.0.2.10 80 TCP"' \
    && ok || fail "chain comment names the virtual server"

within() {  # within WHAT GOT WANT TOL
    d=$(( $2 > $3 ? $2 - $3 : $3 - $2 ))
    if [ "$d" -le "$4" ]; then ok; else fail "$1: $2, want $3 +- $4"; fi
}
# sticky FILE: every client on one server (prints "client server" pairs)
sticky() {
    sort -u "$1" >"$1.pairs"
    if [ "$(cut -d' ' -f1 "$1.pairs" | sort | uniq -d | wc -l)" = 0 ]; then ok; else fail "$2: a client reached two servers"; fi
}

# ---- distributions -------------------------------------------------------------
nft_client dist 192.0.2.10 80 3000 100 >"$TMP/rr"
nft_client dist 192.0.2.10 81 3000 100 >"$TMP/wrr"
nft_client dist 192.0.2.10 82 3000 100 >"$TMP/sh"
nft_client dist 192.0.2.10 83 3000 100 >"$TMP/mh"
for f in rr wrr sh mh; do
    [ "$(grep -c ERROR "$TMP/$f")" = 0 ] && ok || fail "$f: $(grep -c ERROR "$TMP/$f") connections failed"
done
echo "  rr: $(count "$TMP/rr" rs1) $(count "$TMP/rr" rs2) $(count "$TMP/rr" rs3)"
for n in 1 2 3; do within "rr rs$n" "$(count "$TMP/rr" rs$n)" 1000 1; done
echo "  wrr 1:2:3: $(count "$TMP/wrr" rs1) $(count "$TMP/wrr" rs2) $(count "$TMP/wrr" rs3)"
within "wrr rs1" "$(count "$TMP/wrr" rs1)" 500 60
within "wrr rs2" "$(count "$TMP/wrr" rs2)" 1000 60
within "wrr rs3" "$(count "$TMP/wrr" rs3)" 1500 60
for f in sh mh; do
    sticky "$TMP/$f" "$f"
    echo "  $f clients: $(grep -c ' rs1$' "$TMP/$f.pairs") $(grep -c ' rs2$' "$TMP/$f.pairs") $(grep -c ' rs3$' "$TMP/$f.pairs")"
    for n in 1 2 3; do [ "$(grep -c " rs$n\$" "$TMP/$f.pairs")" -gt 10 ] && ok || fail "$f: rs$n has too few clients"; done
done

# ---- a health change ---------------------------------------------------------------
: >"$TMP/ctl"
ns_bg cl "$TMP/hold" python3 "$PEER" hold 192.0.2.10 80 9 "$TMP/ctl"
wait_until 10 "9 connections open" grep -q '^OPEN' "$TMP/hold"
echo ping >>"$TMP/ctl"
wait_until 10 "first ping answered" grep -q '^PING1' "$TMP/hold"
rs_stop 3
no_rs3() { for p in 80 81 82 83; do slot_dests $p | grep -q '198\.51\.100\.13' && return 1; done; return 0; }
wait_until 10 "rs3 taken out of every service" no_rs3
echo ping >>"$TMP/ctl"
wait_until 10 "second ping answered" grep -q '^PING2' "$TMP/hold"
line=$(grep '^PING2' "$TMP/hold")
echo "  after rs3 left: $line"
alive=$(echo "$line" | tr ' ' '\n' | grep -cE '^(rs1=rs1|rs2=rs2)$')
[ "$alive" = 6 ] && ok || fail "established connections to rs1/rs2 still answering: $alive of 6 ($line)"
echo quit >>"$TMP/ctl"

nft_client dist 192.0.2.10 80 3000 100 >"$TMP/rr2"
within "rr over two: rs1" "$(count "$TMP/rr2" rs1)" 1500 1
within "rr over two: rs2" "$(count "$TMP/rr2" rs2)" 1500 1
[ "$(count "$TMP/rr2" rs3)" = 0 ] && ok || fail "rr still sends to rs3"
for f in sh mh; do
    port=82; [ $f = mh ] && port=83
    nft_client dist 192.0.2.10 $port 3000 100 >"$TMP/${f}2"
    sticky "$TMP/${f}2" "$f after"
    moved=$(join "$TMP/$f.pairs" "$TMP/${f}2.pairs" | awk '$2 != "rs3" && $2 != $3' | wc -l)
    gone=$(join "$TMP/$f.pairs" "$TMP/${f}2.pairs" | awk '$2 == "rs3" && $3 == "rs3"' | wc -l)
    stayed=$(awk '$2 != "rs3"' "$TMP/$f.pairs" | wc -l)
    echo "  $f: clients of rs1/rs2 that moved: $moved of $stayed; clients still on rs3: $gone"
    # Maglev moves a few slots of the servers that stay (at most 2% of the
    # table, see tests/unit/nft_maglev_test.cc): allow 3 of ~67 clients.
    [ "$moved" -le 3 ] && ok || fail "$f: $moved clients of rs1/rs2 moved when rs3 left"
    [ "$gone" = 0 ] && ok || fail "$f: clients still sent to rs3"
done

# ---- stop: the table goes --------------------------------------------------------------
kill -TERM "$H"
wait "$H" 2>/dev/null
ns lb nft list table ip halbd >/dev/null 2>&1 && fail "table halbd left behind after TERM" || ok
grep -q "forwarding backend: nftables (lvs_backend auto: the kernel has no IPVS)" "$LOG" && ok || fail "start log names the backend and why"
finish
