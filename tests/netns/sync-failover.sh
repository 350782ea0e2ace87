#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/sync-failover.sh: connection sync keeps a NATed TCP stream alive
# across a failover (issue 13). Namespaces: client c; load balancers lb1
# (priority 200) and lb2 (100) sharing an outside link (service VIP
# 192.0.2.100) and an inside link (the real servers' gateway VIP
# 198.51.100.100), both VIPs in vrrp_sync_group LB; a dedicated sync link
# (203.0.113.0/24); real servers r1 and r2 routing through the gateway VIP.
# The test installs the NAT: nftables DNAT alternating between r1 and r2,
# nf_conntrack_tcp_loose=0 and `ct state invalid drop` on forwarded traffic
# (nothing drops unknown packets to the load balancer itself, so a
# connection the new master does not know is answered with a RST). A stream
# sends a numbered line every 10 ms and checks every echo. The sync channel
# is sealed (auth_key_file).
#  1. sync on: kill -9 everything in lb1 and take its links down: lb2 takes
#     over, the stream goes on (no reset, every line echoed in order; the
#     longest stall is printed). lb1 comes back (empty conntrack table, as
#     after a reboot), gets lb2's table, then preempts: the stream survives.
#  2. sync off (no conntrack_sync): the same kill breaks the stream.
# Only documentation ranges, inside our namespaces.
set -u
: "${NS_PREFIX:=hsf$$}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
command -v nft >/dev/null 2>&1 || skip "needs nft"
command -v python3 >/dev/null 2>&1 || skip "needs python3"
: "${HALBCTL:=$top_builddir/src/halbctl}"
. "$top_srcdir/tests/netns/sync-lib.sh"
logs_on_failure "$TMP/*/halbd.log" "$TMP/*.log"

conf() {  # conf NODE PRIORITY SYNC(0|1)
    cat <<CONF
global_defs {
    router_id $1
    vrrp_version 3
    vrrp_garp_master_delay 0
}
vrrp_sync_group LB {
    group {
        VI_OUT
        VI_IN
    }
}
vrrp_instance VI_OUT {
    state BACKUP
    interface eth0
    virtual_router_id 81
    priority $2
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.100/24
    }
}
vrrp_instance VI_IN {
    state BACKUP
    interface eth1
    virtual_router_id 82
    priority $2
    advert_int 0.1
    virtual_ipaddress {
        198.51.100.100/24
    }
}
CONF
    [ "$3" = 1 ] || return 0
    peer=203.0.113.$((3 - ${1#lb}))
    cat <<CONF
conntrack_sync {
    interface eth2
    peer $peer
    source_ip 203.0.113.${1#lb}
    sync_group LB
    bulk_timeout 20
    auth_key_file $TMP/sync.key
}
CONF
}

topology
(umask 077; head -c 32 /dev/urandom >"$TMP/sync.key")
for n in lb1 lb2; do conf $n $([ $n = lb1 ] && echo 200 || echo 100) 1 >"$TMP/$n.conf"; done
start_halbd lb1 "$TMP/lb1.conf"
start_halbd lb2 "$TMP/lb2.conf"
wait_until 10 "lb1 holds the VIPs" sh -c "ip -n $NS_PREFIX-lb1 -o addr | grep -qF ' 198.51.100.100/'"
wait_until 10 "lb1 holds the service VIP" has_vip lb1 192.0.2.100
# lb2's external cache grows by the stream's connection (it holds lb1's VRRP
# flows already, which conntrack tracks too).
wait_until 10 "lb2 has lb1's table" sync_full_table lb2
ext0=$(sync_external lb2)
stream_start 1 192.0.2.100 8000
more_external() { [ "$(sync_external lb2)" -gt "$ext0" ]; }
wait_until 10 "lb2 has the stream's connection in its external cache" more_external

echo "== sync on: the master dies"
node_kill lb1 eth0 eth1 eth2
wait_until 10 "lb2 takes the service VIP" has_vip lb2 192.0.2.100
wait_log "$TMP/lb2/halbd.log" "conntrack sync: committed" 5
stream_alive 10 "the stream goes on through lb2"
sync_of lb2 | sed 's/^/  lb2| /'

echo "== the old master returns and preempts once it has the table"
revive_node lb1
: >"$TMP/lb1/halbd.log"
start_halbd lb1 "$TMP/lb1.conf"
wait_log "$TMP/lb1/halbd.log" "conntrack sync: the peer's full table received" 10
wait_until 10 "lb1 takes the service VIP back" has_vip lb1 192.0.2.100
wait_until 5 "lb2 releases it" lacks_vip lb2 192.0.2.100
grep -q "conntrack sync: committed [1-9]" "$TMP/lb1/halbd.log" && ok || fail "lb1 committed the stream before its VIPs"
stream_alive 10 "the stream goes on through lb1"
grep -E "conntrack sync|not preempting" "$TMP/lb1/halbd.log" | sed 's/^[^]]*]: /  lb1| /'
stream_stop
case "$(cat "$SD/result")" in ok*) ok ;; *) fail "with sync: $(cat "$SD/result")" ;; esac

echo "== sync off: the same kill breaks the stream"
for n in lb1 lb2; do stop_halbd $n; done
for n in lb1 lb2; do conf $n $([ $n = lb1 ] && echo 200 || echo 100) 0 >"$TMP/$n.conf"; done
ns lb1 conntrack -F 2>/dev/null || :
ns lb2 conntrack -F 2>/dev/null || :
: >"$TMP/lb1/halbd.log"; : >"$TMP/lb2/halbd.log"
start_halbd lb1 "$TMP/lb1.conf"
start_halbd lb2 "$TMP/lb2.conf"
wait_until 10 "lb1 holds the service VIP" has_vip lb1 192.0.2.100
wait_until 10 "lb1 holds the gateway VIP" sh -c "ip -n $NS_PREFIX-lb1 -o addr | grep -qF ' 198.51.100.100/'"
stream_start 2 192.0.2.100 8000
node_kill lb1 eth0 eth1 eth2
wait_until 10 "lb2 takes the service VIP" has_vip lb2 192.0.2.100
wait_until 10 "the stream breaks without sync" test -f "$SD/result"
echo "  stream without sync: $(cat "$SD/result")"
case "$(cat "$SD/result")" in broken*) ok ;; *) fail "without sync the stream survived" ;; esac
finish
