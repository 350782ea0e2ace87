#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/nft-dr.sh: lb_kind DR on the nftables backend (table netdev
# halbd, dr_ruleset.hh) on this kernel. One-armed DR: client cl (100 source
# addresses 203.0.113.1-100) behind router r; on the bridge sw, the router,
# lb (halbd, lb_algo mh, lb_kind DR) and three real servers rs1-rs3 holding
# VIP 192.0.2.200 on lo with arp_ignore=1/arp_announce=2 and their default
# route through the router, so they answer the clients straight (lb forwards
# nothing: ip_forward off, no NAT). Asserts:
#  1. 300 connections spread over the three servers (each 15-55%), none fails;
#     the same client always reaches the same server; table netdev halbd has
#     one ingress chain on eth0, and table ip halbd no rule for the VIP.
#  2. rs2 dies: TCP_CHECK removes it; no connection fails, none reaches rs2,
#     and at most 3 clients of rs1 or rs3 move (Maglev).
#  3. Must break: rs3 without the VIP on lo refuses the packets DR hands it
#     unchanged (daddr VIP), so its clients fail while rs1's still work.
#  4. SIGTERM removes table netdev halbd.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
for tool in python3 nft; do command -v $tool >/dev/null 2>&1 || skip "needs $tool"; done
. "$top_srcdir/tests/netns/nft-lib.sh"
set +e
export LC_ALL=C  # sort and join agree
VIP=192.0.2.200

# dr_real_server N: rsN on the bridge, holding the VIP on lo without
# answering ARP for it, replying through the router.
dr_real_server() {
    ns_new rs$1; ns_port sw rs$1 eth0
    ns rs$1 sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
    ns rs$1 ip addr add 198.51.100.2$1/25 dev eth0
    ns rs$1 ip addr add $VIP/32 dev lo
    ns rs$1 ip route add default via 198.51.100.1
    rs_start $1
}

ns_new cl; ns_new r
ns_link cl eth0 r eth0
ns cl ip addr add 192.0.2.2/25 dev eth0
for i in $(seq 1 100); do ns cl ip addr add 203.0.113.$i/32 dev eth0; done
ns cl ip route add default via 192.0.2.1
ns r ip addr add 192.0.2.1/25 dev eth0
ns r ip route add 203.0.113.0/24 via 192.0.2.2
ns r sysctl -qw net.ipv4.ip_forward=1
ns_bridge sw
ns_port sw r eth1
ns r ip addr add 198.51.100.1/25 dev eth1
ns r ip route add $VIP/32 via 198.51.100.10
ns_new lb; ns_port sw lb eth0
ns lb ip addr add 198.51.100.10/25 dev eth0
ns lb ip addr add $VIP/32 dev lo
ns lb sysctl -qw net.ipv4.ip_forward=0
for n in 1 2 3; do dr_real_server $n; done
for n in 1 2 3; do
    wait_until 10 "rs$n listening" ns lb python3 -c "import socket; socket.create_connection(('198.51.100.2$n', 8080), 1)"
done

dr_conf $VIP 198.51.100.21 198.51.100.22 198.51.100.23
halbd_bg lb "$TMP/halbd.conf"
H=$BG_PID
slots_are() { dr_slots_are tcp_192_0_2_200_8080_slots '198\.51\.100\.2[0-9]' "$1"; }
wait_until 15 "the DR service programmed with three servers" slots_are "198.51.100.21 198.51.100.22 198.51.100.23"

echo "1. distribution, same client -> same server, the tables"
dr_spread $VIP
dr_netdev 'fwd ip to jhash ip saddr mod 4093 seed'
! ns lb nft list table ip halbd 2>/dev/null | grep -q 'tcp_192_0_2_200' && ok || fail "the DR service is in table ip halbd too"

echo "2. rs2 dies: it leaves; no other client moves"
rs_stop 2
wait_until 15 "rs2 leaves the slots" slots_are "198.51.100.21 198.51.100.23"
dr_rs2_gone $VIP

echo "3. must break: rs3 without the VIP refuses what DR hands it"
ns rs3 ip addr del $VIP/32 dev lo
dr_rs3_refuses $VIP
ns rs3 ip addr add $VIP/32 dev lo

echo "4. SIGTERM removes table netdev halbd"
kill -TERM $H; wait $H
ns lb nft list table netdev halbd >/dev/null 2>&1 && fail "table netdev halbd left after TERM" || ok
finish
