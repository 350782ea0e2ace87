#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/active-active.sh: one VIP served by two nodes at once
# (active_active, seed 004, issue 15) on a real kernel. Nodes a and b and a
# router r share a bridge; 200 clients (203.0.113.1-200 in namespace cl)
# sit behind r, so every request reaches the LAN from r's one MAC (CARP
# arpbalance cannot balance them). Each node runs halbd (VI_1 master on a,
# VI_2 on b; active_active WEB: 16 buckets, VI_1 owns 0-7, VI_2 8-15) and a
# server that greets with its node name.
#  1. r learns the VIP at the cluster MAC; the 200 clients are split 40-60%
#     over a and b, each SYN answered once (r counts the SYN-ACKs).
#  2. kill -9 a's halbd and take a's link down: b serves all 200 within the
#     failover bound. a comes back: the split is restored, client by client.
#  2b. Forwarding through the owner: port 80 of the VIP is DNATed by both
#     nodes to an inside server rs (masqueraded): every connection is
#     forwarded by the node that owns its client, and by that node only.
#  3. Variants that must break: b also owning a's buckets (no bucket filter)
#     answers every SYN twice; without `meta pkttype set host` no
#     connection completes, served locally or forwarded.
# Only documentation ranges, inside our namespaces.
set -u
: "${NS_PREFIX:=haa$$}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
command -v nft >/dev/null 2>&1 || skip "needs nft"
command -v python3 >/dev/null 2>&1 || skip "needs python3"
. "$top_srcdir/tests/netns/nft-lib.sh"  # $PEER: serve NAME PORT / dist VIP PORT N NSRC
logs_on_failure "$TMP/*/halbd.log" "$TMP/*.log"
on_exit 'show_daemon_logs 40'

VIP=192.0.2.100
CMAC=01:00:5e:00:02:64  # 01:00:5e + the low 23 bits of the VIP

ns_lan a=192.0.2.1/24 b=192.0.2.2/24 r=192.0.2.254/24
ns_new cl
ns_link r eth1 cl eth0
ns r ip addr add 198.51.100.1/24 dev eth1
ns r sysctl -qw net.ipv4.ip_forward=1
ns cl ip addr add 198.51.100.2/24 dev eth0
for i in $(seq 1 200); do echo "addr add 203.0.113.$i/32 dev eth0"; done | ns cl ip -batch -
ns cl ip route add default via 198.51.100.1
ns r ip route add 203.0.113.0/24 via 198.51.100.2
# r counts the SYN-ACKs of the VIP it forwards to the clients.
ns r nft -f - <<'NFT'
table ip count {
    chain fw {
        type filter hook forward priority 0;
        ip saddr 192.0.2.100 tcp flags & (syn | ack) == syn | ack counter
    }
}
NFT
synacks() { ns r nft list chain ip count fw | sed -n 's/.*counter packets \([0-9]*\).*/\1/p'; }
# The inside: rs (198.51.100.50) behind both nodes on bridge sw2.
ns_bridge sw2
ns_new rs
ns_port sw2 rs eth0
ns rs ip addr add 198.51.100.50/24 dev eth0
ns_bg rs "$TMP/serve-rs.log" python3 "$PEER" serve rs 8080
i=10
for n in a b; do
    i=$((i + 1))
    ns $n ip route add 203.0.113.0/24 via 192.0.2.254
    ns_bg $n "$TMP/serve-$n.log" python3 "$PEER" serve $n 8080
    ns_port sw2 $n eth1
    ns $n ip addr add 198.51.100.$i/24 dev eth1
    ns $n sysctl -qw net.ipv4.ip_forward=1
    # The nat chain sees a connection's first packet only: its counter
    # counts the connections this node forwarded.
    ns $n nft -f - <<NFT
table ip lb {
    chain pre {
        type nat hook prerouting priority dstnat;
        ip daddr 192.0.2.100 tcp dport 80 counter dnat to 198.51.100.50:8080
    }
    chain post {
        type nat hook postrouting priority srcnat;
        oifname "eth1" masquerade
    }
}
NFT
done
forwarded() { ns $1 nft list chain ip lb pre | sed -n 's/.*counter packets \([0-9]*\).*/\1/p'; }

# conf NODE PRIO1 PRIO2
conf() {
    cat >"$TMP/$1.conf" <<CONF
global_defs {
    router_id $1
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $2
    advert_int 1
}
vrrp_instance VI_2 {
    state BACKUP
    interface eth0
    virtual_router_id 52
    priority $3
    advert_int 1
}
active_active WEB {
    interface eth0
    vip $VIP
    buckets 16
    owner VI_1 0-7
    owner VI_2 8-15
}
CONF
}
conf a 200 100
conf b 100 200
for n in a b rs; do
    wait_until 10 "server on $n listening" ns $n python3 -c "import socket; socket.create_connection(('127.0.0.1', 8080), 1)"
done

start_halbd a "$TMP/a.conf"
start_halbd b "$TMP/b.conf"
wait_log "$TMP/a/halbd.log" "active_active WEB: owns buckets 0-7 of 16" 15
wait_log "$TMP/b/halbd.log" "active_active WEB: owns buckets 8-15 of 16" 15
[ "$fails" = 0 ] || { finish; exit 1; }

# dist FILE [N [PORT]]: N (200) connections from 203.0.113.1-N to the VIP's
# PORT (8080), "src server" lines.
dist() { timeout 300 ip netns exec "$NS_PREFIX-cl" python3 "$PEER" dist $VIP "${3:-8080}" "${2:-200}" "${2:-200}" >"$1"; }
count() { grep -c " $2\$" "$1" || true; }
split_ok() {
    _a=$(count "$1" a); _b=$(count "$1" b)
    echo "  $2: a $_a, b $_b, errors $(count "$1" ERROR) of 200"
    [ "$(count "$1" ERROR)" = 0 ] && ok || fail "$2: connections failed"
    if [ "$_a" -ge 80 ] && [ "$_a" -le 120 ] && [ $((_a + _b)) = 200 ]; then ok; else
        fail "$2: a serves $_a and b $_b of 200 clients, expected 40-60% each"; fi
}

echo "== both nodes up"
s0=$(synacks)
dist "$TMP/split1"
split_ok "$TMP/split1" "split"
s1=$(synacks)
# One per connection (a few more would be retransmissions on a loaded host).
if [ $((s1 - s0)) -ge 200 ] && [ $((s1 - s0)) -le 210 ]; then ok; else
    fail "expected one SYN-ACK per connection, r saw $((s1 - s0)) for 200"; fi
ns r ip neigh show $VIP | grep -q "lladdr $CMAC" && ok || fail "r has $(ns r ip neigh show $VIP), expected $CMAC"
for n in a b; do
    ns $n ip maddr show dev eth0 | grep -q "link  *$CMAC" && ok || fail "$n does not accept $CMAC"
    drops=$(ns $n nft list chain ip halbd_cluster prerouting | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
    [ "${drops:-0}" -gt 0 ] && ok || fail "$n dropped none of the other node's clients"
done
# The state dump (USR1) says what each node owns.
for n in a b; do
    rm -f "$TMP/$n/halbd.data"
    eval "kill -USR1 \$H_$n"
    wait_until 5 "$n writes its state dump" test -s "$TMP/$n/halbd.data"
done
grep -q "^# active_active WEB: owns buckets 0-7 of 16" "$TMP/a/halbd.data" && ok || fail "a's dump: $(grep active_active "$TMP/a/halbd.data")"
grep -q "^# active_active WEB: owns buckets 8-15 of 16" "$TMP/b/halbd.data" && ok || fail "b's dump: $(grep active_active "$TMP/b/halbd.data")"
dist "$TMP/split1b"
cmp -s "$TMP/split1" "$TMP/split1b" && ok || fail "a client changed node without a failure"

echo "== forwarded to rs by the owner"
dist "$TMP/fwd" 40 80
fa=$(forwarded a); fb=$(forwarded b); want=$(head -n 40 "$TMP/split1" | grep -c " a\$" || true)
echo "  40 connections: rs answered $(count "$TMP/fwd" rs), a forwarded $fa (its clients: $want), b $fb"
[ "$(count "$TMP/fwd" rs)" = 40 ] && ok || fail "rs answered $(count "$TMP/fwd" rs) of 40 forwarded connections"
if [ "$fa" = "$want" ] && [ $((fa + fb)) = 40 ]; then ok; else
    fail "a forwarded $fa and b $fb of 40 connections; a owns $want of those clients"; fi

echo "== a dies"
t0=$(now_ms)
stop_halbd a KILL
ip -n "$NS_PREFIX-a" link set eth0 down
wait_log "$TMP/b/halbd.log" "active_active WEB: owns buckets 0-15 of 16" 15
# Master_Down_Interval = 3 * 1 s + skew (0.6 s); the bound allows a loaded machine.
within_ms "b owns every bucket after a died" $(($(now_ms) - t0)) 8000
dist "$TMP/dead"
[ "$(count "$TMP/dead" b)" = 200 ] && ok || fail "b serves $(count "$TMP/dead" b) of 200 with a dead ($(count "$TMP/dead" ERROR) errors)"

echo "== a comes back"
ip -n "$NS_PREFIX-a" link set eth0 up
ns a ip route add 203.0.113.0/24 via 192.0.2.254  # went with the link
start_halbd a "$TMP/a.conf"
wait_log "$TMP/a/halbd.log" "active_active WEB: owns buckets 0-7 of 16" 15
wait_log "$TMP/b/halbd.log" "owns buckets 8-15 of 16 (was 0-15; VI_1 BACKUP)" 15
dist "$TMP/split2"
cmp -s "$TMP/split1" "$TMP/split2" && ok || fail "the split after a came back differs from the first"
split_ok "$TMP/split2" "split after a came back"

echo "== variant: no bucket filter (b owns a's buckets too)"
ns b nft add element ip halbd_cluster owned_0 '{ 0, 1, 2, 3, 4, 5, 6, 7 }'
s0=$(synacks)
dist "$TMP/nofilter" 50
s1=$(synacks)
# a's clients (per the first split) now get a SYN-ACK from both nodes.
dups=$(head -n 50 "$TMP/split1" | grep -c " a\$" || true)
echo "  SYN-ACKs for 50 connections: $((s1 - s0)) ($dups of them a's clients); errors $(count "$TMP/nofilter" ERROR)"
if [ "$dups" -ge 10 ] && [ $((s1 - s0)) -ge $((50 + dups)) ]; then ok; else
    fail "without the bucket filter r saw $((s1 - s0)) SYN-ACKs for 50 connections ($dups answered twice expected)"; fi
ns b nft flush set ip halbd_cluster owned_0
ns b nft add element ip halbd_cluster owned_0 '{ 8, 9, 10, 11, 12, 13, 14, 15 }'

echo "== variant: no pkttype rewrite"
for n in a b; do
    h=$(ns $n nft -a list chain ip halbd_cluster prerouting | sed -n 's/.*pkttype set host # handle \([0-9]*\)/\1/p')
    ns $n nft delete rule ip halbd_cluster prerouting handle "$h"
done
dist "$TMP/nohost" 4
[ "$(count "$TMP/nohost" ERROR)" = 4 ] && ok || fail "without pkttype set host $(grep -vc ERROR "$TMP/nohost") connections completed"
dist "$TMP/nohostfwd" 2 80
[ "$(count "$TMP/nohostfwd" ERROR)" = 2 ] && ok || fail "without pkttype set host $(grep -vc ERROR "$TMP/nohostfwd") forwarded connections completed"

stop_halbd a
stop_halbd b
for n in a b; do
    ns $n nft list tables | grep -q halbd_cluster && fail "$n: halbd_cluster left behind on stop" || ok
    has_vip $n $VIP && fail "$n: VIP left behind on stop" || ok
done
finish
