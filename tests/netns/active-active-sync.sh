#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/active-active-sync.sh: with connection sync on, the sessions a
# dead active_active node was forwarding continue on the survivor (seed 004,
# issue 15). Nodes a and b and a router r share the LAN (VIP 192.0.2.100 at
# the cluster MAC, 16 buckets, hash_seed 4660 = 0x1234: VI_1 owns 0-7 and is
# master on a, VI_2 owns 8-15 on b); clients 203.0.113.1-4 sit behind r.
# Both nodes DNAT port 8000 of the VIP to the inside server rs and SNAT each
# client to the inside address of its bucket's instance (198.51.100.101 is
# VI_1's, .102 VI_2's: a virtual_ipaddress on eth1), so a moved session's
# replies reach the node that now owns its bucket. nf_conntrack_tcp_loose=0
# and `ct state invalid drop`, as in sync-failover.sh: a connection the
# survivor does not know is reset. conntrack_sync follows `instance VI_1
# VI_2` over a dedicated link (eth2). Streams from .2, .3, .4 (a's buckets)
# and .1 (b's) send a numbered line every 10 ms and check every echo.
#  1. kill -9 everything of a and take its links down: b owns all buckets,
#     commits a's connections of buckets 0-7 before VI_1 takes its address,
#     and every stream goes on (the longest stall is printed).
#  2. The same with conntrack_sync following VI_2 only (VI_1's entry commits
#     nothing): a's stream breaks, b's own goes on.
# Only documentation ranges, inside our namespaces.
set -u
: "${NS_PREFIX:=hab$$}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
for t in nft python3 conntrack; do command -v $t >/dev/null 2>&1 || skip "needs $t"; done
: "${HALBCTL:=$top_builddir/src/halbctl}"
logs_on_failure "$TMP/*/halbd.log" "$TMP/*.log" "$TMP/stream*/client.log"
on_exit 'show_daemon_logs 60'

VIP=192.0.2.100
A_CLIENTS="2 3 4"  # jhash ip saddr mod 16 seed 0x1234 < 8 (cluster_test.cc checks the hash)
B_CLIENT=1

ns_lan a=192.0.2.1/24 b=192.0.2.2/24 r=192.0.2.254/24
ns_new cl
ns_link r eth1 cl eth0
ns r ip addr add 203.0.113.254/24 dev eth1
ns r sysctl -qw net.ipv4.ip_forward=1
ns cl ip addr add 203.0.113.253/24 dev eth0
for i in $B_CLIENT $A_CLIENTS; do ns cl ip addr add 203.0.113.$i/32 dev eth0; done
ns cl ip route add default via 203.0.113.254
ns_bridge sw2
ns_new rs
ns_port sw2 rs eth0
ns rs ip addr add 198.51.100.50/25 dev eth0
ns_bg rs "$TMP/rs.log" python3 "$STREAM" serve 8000
ns_link a eth2 b eth2
snat_map=$(for k in $(seq 0 15); do [ $k -lt 8 ] && echo "$k : 198.51.100.101," || echo "$k : 198.51.100.102,"; done | tr '\n' ' ')
i=10
for n in a b; do
    i=$((i + 1))
    ns_port sw2 $n eth1
    ns $n ip addr add 198.51.100.$i/25 dev eth1
    ns $n ip addr add 198.51.100.$((118 + i))/25 dev eth2  # .129 (a), .130 (b)
    ns $n sysctl -qw net.ipv4.ip_forward=1 net.netfilter.nf_conntrack_tcp_loose=0
    ns $n nft -f - <<NFT
table ip lb {
    chain pre {
        type nat hook prerouting priority dstnat;
        ip daddr $VIP tcp dport 8000 counter dnat to 198.51.100.50:8000
    }
    chain post {
        type nat hook postrouting priority srcnat;
        oifname "eth1" snat to jhash ip saddr mod 16 seed 0x1234 map { ${snat_map%, } }
    }
    chain fw {
        type filter hook forward priority filter;
        ct state invalid drop
    }
}
NFT
done
forwarded() { ns $1 nft list chain ip lb pre | sed -n 's/.*counter packets \([0-9]*\).*/\1/p'; }
node_up() {  # the links and routes of NODE, as after a reboot
    for l in eth0 eth1 eth2; do ip -n "$NS_PREFIX-$1" link set $l up; done
    ns $1 ip route replace 203.0.113.0/24 via 192.0.2.254
}
node_up a; node_up b
(umask 077; head -c 32 /dev/urandom >"$TMP/sync.key")

conf() {  # conf NODE PRIO1 PRIO2 "INSTANCES" (conntrack_sync follows them)
    if [ $1 = a ]; then _me=129; _peer=130; else _me=130; _peer=129; fi
    cat <<CONF
global_defs {
    router_id $1
    vrrp_version 3
    vrrp_garp_master_delay 0
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $2
    advert_int 0.1
    virtual_ipaddress {
        198.51.100.101/25 dev eth1
    }
}
vrrp_instance VI_2 {
    state BACKUP
    interface eth0
    virtual_router_id 52
    priority $3
    advert_int 0.1
    virtual_ipaddress {
        198.51.100.102/25 dev eth1
    }
}
active_active WEB {
    interface eth0
    vip $VIP
    buckets 16
    hash_seed 4660
    owner VI_1 0-7
    owner VI_2 8-15
}
conntrack_sync {
    interface eth2
    peer 198.51.100.$_peer
    source_ip 198.51.100.$_me
    instance $4
    bulk_timeout 10
    auth_key_file $TMP/sync.key
}
CONF
}

# stream N SRC: a stream from client 203.0.113.SRC, state in $TMP/streamN.
stream() {
    SD=$TMP/stream$1; mkdir -p "$SD"
    ns_bg cl "$SD/client.log" python3 "$STREAM" client $VIP 8000 "$SD" 203.0.113.$2
    wait_until 20 "stream $1 runs" stream_progressed 20
}
# up FOLLOW: both nodes started, each owning its buckets.
up() {
    conf a 200 100 "$1" >"$TMP/a.conf"
    conf b 100 200 "$1" >"$TMP/b.conf"
    start_halbd a "$TMP/a.conf"
    start_halbd b "$TMP/b.conf"
    wait_log "$TMP/a/halbd.log" "active_active WEB: owns buckets 0-7 of 16" 15
    wait_log "$TMP/b/halbd.log" "active_active WEB: owns buckets 8-15 of 16" 15
    wait_until 10 "a holds VI_1's inside address" has_vip a 198.51.100.101
    wait_until 15 "b has a's full table" sync_full_table b
}
# a_dies: kill -9 of everything in a, its links down; b takes every bucket.
a_dies() {
    t0=$(now_ms)
    node_kill a eth0 eth1 eth2
    wait_log "$TMP/b/halbd.log" "active_active WEB: owns buckets 0-15 of 16" 15
    within_ms "b owns every bucket after a died" $(($(now_ms) - t0)) 5000
    wait_until 5 "b holds VI_1's inside address" has_vip b 198.51.100.101
}

echo "== sync on, following VI_1 and VI_2: a dies"
up "VI_1 VI_2"
[ "$fails" = 0 ] || { finish; exit 1; }
ext0=$(sync_external b)
n=0
for c in $A_CLIENTS $B_CLIENT; do n=$((n + 1)); stream $n $c; done
fa=$(forwarded a); fb=$(forwarded b)
echo "  connections forwarded: a $fa, b $fb"
[ "$fa" = 3 ] && [ "$fb" = 1 ] && ok || fail "a forwarded $fa and b $fb of the 4 streams, expected 3 and 1"
# b learns a's three streams (its external cache holds a's table) and
# commits none of them while a serves them (VI_2 owns no bucket of theirs).
more_external() { [ "$(sync_external b)" -ge $((ext0 + 3)) ]; }
wait_until 10 "b's external cache has a's three streams" more_external
b_has=$(ns b conntrack -L -p tcp --dport 8000 2>/dev/null | grep -c 'src=203.0.113.[234] ' || true)
[ "$b_has" = 0 ] && ok || fail "b's kernel has $b_has of a's streams before a died"
a_dies
wait_log "$TMP/b/halbd.log" "conntrack sync: committed" 5
grep "conntrack sync: committ" "$TMP/b/halbd.log" | sed 's/^[^]]*]: /  b| /'
grep -qE "committing [3-9][0-9]* of the peer's .* before VI_1 takes" "$TMP/b/halbd.log" && ok ||
    fail "b did not commit a's three streams on VI_1's MASTER entry"
for k in 1 2 3 4; do SD=$TMP/stream$k; stream_alive 10 "stream $k goes on through b"; done
for k in 1 2 3 4; do SD=$TMP/stream$k; stream_stop; case "$(cat "$SD/result")" in ok*) ok ;; *) fail "stream $k: $(cat "$SD/result")" ;; esac; done
stall=0
for k in 1 2 3 4; do s=$(sed -n 's/.*max_stall_ms \([0-9]*\).*/\1/p' "$TMP/stream$k/result"); [ "$s" -gt $stall ] && stall=$s; done
echo "  longest stall of the four streams: $stall ms"

echo "== commit disabled (conntrack_sync follows VI_2 only): a dies"
stop_halbd b
for n in a b; do
    ns $n conntrack -F 2>/dev/null || :
    for x in 198.51.100.101 198.51.100.102; do ip -n "$NS_PREFIX-$n" addr del $x/25 dev eth1 2>/dev/null || :; done
    ip -n "$NS_PREFIX-$n" addr del $VIP/32 dev eth0 2>/dev/null || :
done
node_up a
up "VI_2"
stream 5 2
stream 6 $B_CLIENT
a_dies
SD=$TMP/stream6; stream_alive 10 "b's own stream goes on"
SD=$TMP/stream5
wait_until 15 "a's stream breaks without the commit" test -f "$SD/result"
echo "  a's stream without the commit: $(cat "$SD/result")"
case "$(cat "$SD/result")" in broken*) ok ;; *) fail "without the commit a's stream survived" ;; esac
grep -q "before VI_1 takes" "$TMP/b/halbd.log" && fail "b committed on VI_1's entry while following VI_2 only" || ok
stop_halbd b
finish
