#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/vrrp-interop.sh: halbd against keepalived 2.2 on a real kernel.
# Namespaces a (keepalived, or a second halbd), b (halbd) and c (a client)
# share a bridge. For VRRPv3 IPv4 multicast, VRRPv2 with PASS auth, VRRPv3
# IPv6 and VRRPv3 unicast: the higher priority holds the VIP and the other
# does not; kill -9 / SIGTERM of the master hands over; a restarted higher
# priority preempts, unless nopreempt; the client reaches the VIP and sees the
# new master's GARP / unsolicited NA. Then halbd-halbd handover on SIGTERM.
# Only 192.0.2.0/24 and 2001:db8::/64 inside our namespaces are used.
set -u
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
. "$top_srcdir/tests/netns/vrrp-lib.sh"  # root, namespaces, keepalived
require_commands tcpdump ping arping

vrrp_lan a b c
MAC_A=$(ns a cat /sys/class/net/eth0/address)
MAC_B=$(ns b cat /sys/class/net/eth0/address)

has_vip() { ip -n "$NS_PREFIX-$1" -o addr show dev eth0 | grep -qF " $2/"; }
lacks_vip() { ! has_vip "$1" "$2"; }
# holds NODE OTHER VIP: NODE has the VIP and OTHER does not ("never two masters").
holds() {
    wait_until 10 "$1 holds $3" has_vip "$1" "$3"
    if has_vip "$2" "$3"; then
        wait_until 5 "$2 releases $3 (two masters)" lacks_vip "$2" "$3"
    fi
}
# two_masters_never NODE1 NODE2 VIP: both must not hold it now.
assert_one_master() {
    if has_vip "$1" "$3" && has_vip "$2" "$3"; then fail "$4: both $1 and $2 hold $3"; else ok; fi
}

# kill -9, as a crash: the parent is stopped first so it neither respawns the
# VRRP child nor lets it shut down cleanly.
crash_ka() {
    kill -STOP "$KA_PID"
    kill -KILL "$(cat "$TMP/$1.kvpid")"
    kill -KILL "$KA_PID"
    wait "$KA_PID" 2>/dev/null
}
# tcpdump in the client until COUNT packets matching FILTER are captured.
start_capture() {
    ns_bg c "$TMP/$1.tcpdump.log" tcpdump -i eth0 -n -U -c "$2" -w "$TMP/$1.pcap" "$3"
    CAP_PID=$BG_PID
    wait_log "$TMP/$1.tcpdump.log" "listening on" 5
}
captured() { ! kill -0 "$CAP_PID" 2>/dev/null; }

conf() {  # FILE PRIORITY [extra instance lines...] ; VIP/family from $VIP_LINE, VRID from $VRID
    _f=$1; _prio=$2; shift 2
    {
        echo "global_defs {"
        echo "    router_id $(basename "$_f" .conf)"
        echo "    vrrp_version ${VERSION:-3}"
        echo "}"
        echo "vrrp_instance VI_1 {"
        echo "    state BACKUP"
        echo "    interface eth0"
        echo "    virtual_router_id $VRID"
        echo "    priority $_prio"
        echo "    advert_int ${ADVERT:-0.1}"
        for l in "$@"; do echo "    $l"; done
        echo "    virtual_ipaddress {"
        echo "        $VIP_LINE"
        echo "    }"
        echo "}"
    } >"$_f"
}

echo "== VRRPv3 IPv4 multicast"
VRID=51; VIP=192.0.2.100; VIP_LINE="$VIP/24"
conf "$TMP/ka3.conf" 100
conf "$TMP/h3.conf" 200
conf "$TMP/h3np.conf" 200 nopreempt
start_capture garp 1 "arp and ether src $MAC_B and host $VIP"
start_ka a "$TMP/ka3.conf"
start_halbd b "$TMP/h3.conf"
holds b a $VIP
wait_until 5 "client captures halbd's gratuitous ARP" captured
tcpdump -n -r "$TMP/garp.pcap" 2>/dev/null >"$TMP/out"
expect_output_has "Request who-has $VIP (ff:ff:ff:ff:ff:ff) tell $VIP" "GARP from halbd"
if ns c ping -c1 -W2 $VIP >/dev/null 2>&1; then ok; else fail "client cannot ping $VIP on halbd"; fi
ns c arping -c1 -w2 -I eth0 $VIP >"$TMP/out" 2>&1
if grep -qi "$MAC_B" "$TMP/out"; then ok; else fail "arping $VIP: not answered by halbd ($MAC_B)"; cat "$TMP/out" >&2; fi
wait_until 5 "halbd hears keepalived (valid adverts)" halbd_heard b VI_1 0
grep -q "drops 0" "$TMP/b/halbd.data" && ok || { fail "halbd dropped packets"; grep "drops" "$TMP/b/halbd.data" >&2; }

t0=$(now_ms); stop_halbd b KILL
wait_until 5 "keepalived takes $VIP after halbd kill -9" has_vip a $VIP
echo "   failover halbd (kill -9) -> keepalived: $(($(now_ms) - t0)) ms"
wait_until 3 "client learns keepalived's MAC (GARP)" sh -c "ip -n $NS_PREFIX-c neigh show $VIP | grep -qi $MAC_A"

start_halbd b "$TMP/h3.conf"
wait_log "$TMP/b/halbd.log" "removing stale VIP" 5
t0=$(now_ms)
holds b a $VIP
echo "   preemption by restarted halbd: $(($(now_ms) - t0)) ms after the stale VIP was removed"
wait_until 3 "client learns halbd's MAC (GARP)" sh -c "ip -n $NS_PREFIX-c neigh show $VIP | grep -qi $MAC_B"

t0=$(now_ms); stop_halbd b TERM
wait_until 5 "keepalived takes $VIP after halbd SIGTERM" has_vip a $VIP
echo "   handover halbd (SIGTERM, priority 0) -> keepalived: $(($(now_ms) - t0)) ms"
assert_one_master a b $VIP "after SIGTERM"
grep -qF "MASTER -> STOP" "$TMP/b/halbd.log" && ok || fail "halbd log lacks MASTER -> STOP"

# nopreempt: halbd (higher) stays backup while keepalived is master.
start_halbd b "$TMP/h3np.conf"
wait_until 5 "nopreempt halbd hears 20 adverts" halbd_heard b VI_1 20
assert_one_master a b $VIP "nopreempt"
has_vip a $VIP && ok || fail "nopreempt: keepalived lost $VIP"
stop_halbd b TERM
stop_ka a

echo "== VRRPv2 PASS authentication (advert_int 1)"
VERSION=2; ADVERT=1; VRID=52; VIP=192.0.2.102; VIP_LINE="$VIP/24"
AUTH='authentication {
        auth_type PASS
        auth_pass x
    }'
conf "$TMP/ka2.conf" 100 "$AUTH"
conf "$TMP/h2.conf" 200 "$AUTH"
start_ka a "$TMP/ka2.conf"
wait_until 6 "v2: keepalived alone takes $VIP" has_vip a $VIP
start_halbd b "$TMP/h2.conf"
holds b a $VIP
wait_until 5 "halbd heard keepalived v2 (PASS)" halbd_heard b VI_1 1
# VI_1's block of the dump (up to the next "# " header line).
awk '/^# [^ ]/ { on = ($2 " " $3 " " $4 == "VRRP instance VI_1:") } on' "$TMP/b/halbd.data" | grep -q "^#   drops 0" && ok ||
    fail "v2: halbd dropped adverts"
t0=$(now_ms); stop_halbd b TERM
wait_until 5 "v2: keepalived takes $VIP after SIGTERM" has_vip a $VIP
echo "   v2 handover halbd (SIGTERM) -> keepalived: $(($(now_ms) - t0)) ms"
stop_ka a
unset VERSION ADVERT

echo "== VRRPv3 IPv6"
VRID=61; VIP=2001:db8::100; VIP_LINE="$VIP/64"
conf "$TMP/ka6.conf" 200
conf "$TMP/h6.conf" 100
start_ka a "$TMP/ka6.conf"
start_halbd b "$TMP/h6.conf"
holds a b $VIP
wait_until 5 "halbd hears keepalived over IPv6" halbd_heard b VI_1 5
if ns c ping -6 -c1 -W2 $VIP >/dev/null 2>&1; then ok; else fail "client cannot ping $VIP on keepalived"; fi
start_capture na 1 "icmp6 and ether src $MAC_B and ip6[40] == 136"
t0=$(now_ms); crash_ka a
wait_until 5 "halbd takes $VIP after keepalived kill -9" has_vip b $VIP
echo "   IPv6 failover keepalived (kill -9) -> halbd: $(($(now_ms) - t0)) ms"
wait_until 5 "client captures halbd's unsolicited NA" captured
tcpdump -n -v -r "$TMP/na.pcap" 2>/dev/null >"$TMP/out"
expect_output_has "neighbor advertisement" "unsolicited NA"
expect_output_has "tgt is $VIP" "NA target"
wait_until 3 "client learns halbd's MAC (NA)" sh -c "ip -n $NS_PREFIX-c -6 neigh show $VIP | grep -qi $MAC_B"
ip -n "$NS_PREFIX-a" addr del $VIP/64 dev eth0  # the crashed node's stale VIP
start_ka a "$TMP/ka6.conf"
holds a b $VIP
stop_halbd b TERM
stop_ka a

echo "== VRRPv3 unicast"
VRID=71; VIP=192.0.2.101; VIP_LINE="$VIP/24"
conf "$TMP/kau.conf" 100 "unicast_src_ip 192.0.2.1" "unicast_peer {" "    192.0.2.2" "}"
conf "$TMP/hu.conf" 200 "unicast_src_ip 192.0.2.2" "unicast_peer {" "    192.0.2.1" "}"
start_ka a "$TMP/kau.conf"
wait_until 5 "unicast: keepalived alone takes $VIP" has_vip a $VIP
start_halbd b "$TMP/hu.conf"
holds b a $VIP
wait_until 5 "halbd heard keepalived (unicast)" halbd_heard b VI_1 1
t0=$(now_ms); stop_halbd b TERM
wait_until 5 "unicast: keepalived takes $VIP" has_vip a $VIP
echo "   unicast handover halbd (SIGTERM) -> keepalived: $(($(now_ms) - t0)) ms"
start_halbd b "$TMP/hu.conf"
holds b a $VIP
stop_halbd b TERM
stop_ka a

echo "== halbd - halbd"
VRID=81; VIP=192.0.2.103; VIP_LINE="$VIP/24"
conf "$TMP/ha.conf" 100
conf "$TMP/hb.conf" 200
start_halbd a "$TMP/ha.conf"
start_halbd b "$TMP/hb.conf"
holds b a $VIP
t0=$(now_ms); stop_halbd b TERM
wait_until 5 "halbd a takes $VIP after SIGTERM of b" has_vip a $VIP
echo "   handover halbd -> halbd (SIGTERM): $(($(now_ms) - t0)) ms"
assert_one_master a b $VIP "halbd-halbd"
start_halbd b "$TMP/hb.conf"
holds b a $VIP
stop_halbd b TERM
stop_halbd a TERM
lacks_vip a $VIP && ok || fail "halbd a left $VIP after SIGTERM"

finish
