#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/announce-grace.sh: withdraw_grace does not stop VRRP (issue
# 17). n1 runs halbd with route_announce (its own BIRD, static protocol
# `vip` for 192.0.2.200/32, withdraw_grace 1), a virtual server on that
# address (nftables) and VRRP instance VI_1 (priority 150, advert_int 0.1)
# holding 192.0.2.100; n2 runs halbd's VRRP alone (priority 100, same
# advert_int). On SIGTERM n1 withdraws the route at once, keeps advertising
# through the grace (its loop runs), then sends priority 0: n2 takes over
# by that advert, not by its Master_Down_Timer (0.3 s + skew, shorter than
# the grace, so a loop that sleeps through the grace fails here: run it
# with HALBD=<an older halbd> to see it fail).
#  1. TERM: withdrawn at once; n2 stays BACKUP through the grace, takes
#     over by priority 0; n1 exits 0 about withdraw_grace after TERM.
#  2. TERM, then a second TERM in the grace: the stop goes on unchanged.
#  3. TERM, then KILL in the grace (must break): n1 dies at once, the
#     route stays withdrawn, n2 takes over by its timer ("silent for").
# Only documentation ranges, inside our namespaces.
set -u
: "${NS_PREFIX:=hagr$$}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
command -v bird >/dev/null 2>&1 || skip "needs bird (bird2)"
command -v birdc >/dev/null 2>&1 || skip "needs birdc (bird2)"
logs_on_failure "$TMP/*/halbd.log" "$TMP/*/bird.log"

ns_lan n1=192.0.2.1/24 n2=192.0.2.2/24
mkdir -p "$TMP/n1" "$TMP/n2"
cat >"$TMP/n1/bird.conf" <<EOC
log stderr all;
router id 192.0.2.1;
protocol device { }
protocol static vip {
    disabled;
    ipv4;
    route 192.0.2.200/32 blackhole;
}
EOC
ns_bg n1 "$TMP/n1/bird.log" bird -f -c "$TMP/n1/bird.conf" -s "$TMP/n1/bird.ctl" -P "$TMP/n1/bird.pid"
wait_until 10 "BIRD on n1 answers" ns n1 birdc -s "$TMP/n1/bird.ctl" show status
vip_state() { ns n1 birdc -s "$TMP/n1/bird.ctl" show protocols vip | awk '$1 == "vip" {print $4}'; }
vip_is() { [ "$(vip_state)" = "$1" ]; }

vrrp_conf() {  # NODE PRIORITY
    cat <<EOC
global_defs {
    router_id $1
    lvs_backend nftables
}
vrrp_instance VI_1 {
    interface eth0
    version 3
    virtual_router_id 51
    priority $2
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.100/24
    }
}
EOC
}
vrrp_conf n1 150 >"$TMP/n1/halbd.conf"
cat >>"$TMP/n1/halbd.conf" <<EOC
virtual_server 192.0.2.200 8080 {
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 198.51.100.2 8080 { }
}
route_announce {
    bird_socket $TMP/n1/bird.ctl
    withdraw_grace 1
    announce 192.0.2.200 vip
}
EOC
vrrp_conf n2 100 >"$TMP/n2/halbd.conf"

start_n1() {
    HALBD_ONLY= start_halbd n1 "$TMP/n1/halbd.conf"
    wait_until 5 "n1 announces" vip_is up
    holds n1 n2 192.0.2.100
}
# mark: remember how many takeovers n2 logged; takeover: the first one
# after the mark (its reason in parentheses); took_over: there is one.
mark() { seen=$(log_count "$TMP/n2/halbd.log" "VI_1: BACKUP -> MASTER"); }
takeover() { grep "VI_1: BACKUP -> MASTER" "$TMP/n2/halbd.log" | sed -n "$((seen + 1))p"; }
took_over() { [ -n "$(takeover)" ]; }

start_halbd n2 "$TMP/n2/halbd.conf"
start_n1

echo "1. TERM: withdrawn at once, VRRP goes on through the grace, then priority 0"
mark
t0=$(now_ms)
kill -TERM "$H_n1"
wait_until 2 "n1's route withdrawn on TERM" vip_is down
within_ms "TERM -> BIRD's protocol vip down" $(($(now_ms) - t0)) 500
wait_until 5 "n2 takes over" took_over
t1=$(now_ms)
wait "$H_n1"; rc=$?
[ "$rc" = 0 ] && ok || fail "n1 exited $rc after TERM"
echo "  n2: $(takeover)"
takeover | grep -q "released mastership (priority 0)" && ok ||
    fail "n2 took over by its timer during n1's withdraw_grace: $(takeover)"
echo "  TERM -> n2 MASTER: $((t1 - t0)) ms (withdraw_grace 1 s)"
[ $((t1 - t0)) -ge 900 ] && ok || fail "n2 took over $((t1 - t0)) ms after TERM, before the grace was over"
grep -q "stopping: withdraw_grace over" "$TMP/n1/halbd.log" && ok || fail "n1's grace did not end on the loop"
holds n2 n1 192.0.2.100
start_n1

echo "2. a second TERM during the grace: the stop goes on unchanged"
mark
t0=$(now_ms)
kill -TERM "$H_n1"
wait_until 2 "n1's route withdrawn on TERM" vip_is down
kill -TERM "$H_n1"
wait "$H_n1"; rc=$?
t1=$(now_ms)
[ "$rc" = 0 ] && ok || fail "n1 exited $rc after two TERMs"
grep -q "received SIGTERM while stopping: the stop goes on" "$TMP/n1/halbd.log" && ok || fail "the second TERM was not seen"
wait_until 5 "n2 takes over" took_over
echo "  n2: $(takeover)"
takeover | grep -q "released mastership (priority 0)" && ok || fail "after two TERMs: $(takeover)"
[ $((t1 - t0)) -ge 900 ] && ok || fail "n1 exited $((t1 - t0)) ms after TERM: the second TERM cut the grace"
start_n1

echo "3. KILL during the grace (must break): no priority 0, n2's timer takes over"
mark
kill -TERM "$H_n1"
wait_until 2 "n1's route withdrawn on TERM" vip_is down
t0=$(now_ms)
kill -KILL "$H_n1"; wait "$H_n1" 2>/dev/null
within_ms "KILL in the grace -> n1 gone" $(($(now_ms) - t0)) 300
wait_until 5 "n2 takes over" took_over
echo "  n2: $(takeover)"
takeover | grep -q "silent for" && ok || fail "after KILL n2 should take over by its timer: $(takeover)"
[ "$(vip_state)" = down ] && ok || fail "the route came back after KILL: $(vip_state)"

show_daemon_logs 30
finish
