#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/nft-dr6.sh: nft-dr.sh in IPv6: lb_kind DR on the nftables
# backend (table netdev halbd, `fwd ip6 ... device`) on this kernel. One-armed
# DR: client cl (100 source addresses 2001:db8:c::1-64) behind router r; on
# the bridge sw, the router, lb (halbd, lb_algo mh, lb_kind DR, TCP_CHECK) and
# three real servers rs1-rs3 holding VIP 2001:db8:f::200 on lo (nodad) with
# their default route through the router. The router reaches the VIP through
# lb's address, so nobody solicits it on the bridge. Asserts:
#  1. 300 connections spread over the three servers (each 15-55%), none fails;
#     the same client always reaches the same server; table netdev halbd has
#     one ingress chain on eth0 and the `fwd ip6 to jhash ip6 saddr` rule, and
#     no other table a rule for the VIP.
#  2. Replies bypass lb: lb forwards nothing (IPv6 forwarding off) and a
#     counter at lb's ingress sees the requests but no packet from the VIP,
#     while the router's sees every reply.
#  3. No real server (nor lb) answers a neighbour solicitation for the VIP on
#     the bridge (it is on lo only), while rs1 answers one for its own address.
#  4. rs2 dies: TCP_CHECK removes it; no connection fails, none reaches rs2,
#     and at most 3 clients of rs1 or rs3 move (Maglev).
#  5. Must break: rs3 without the VIP on lo refuses the packets DR hands it
#     unchanged (daddr VIP), so its clients fail while rs1's still work.
#  6. SIGTERM removes table netdev halbd.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
for tool in python3 nft; do command -v $tool >/dev/null 2>&1 || skip "needs $tool"; done
. "$top_srcdir/tests/netns/nft-lib.sh"
set +e
export LC_ALL=C  # sort and join agree
export RS_BIND=:: NFTPEER_SRC=2001:db8:c::%x
VIP=2001:db8:f::200
NET=2001:db8:2

# ns6 NAME: a namespace whose interfaces skip DAD (addresses usable at once;
# a tentative link-local address would hold back neighbour solicitations).
ns6() {
    ns_new $1 || return 1
    ns $1 sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}
# dr_real_server N: rsN on the bridge, holding the VIP on lo only, replying
# through the router.
dr_real_server() {
    ns6 rs$1; ns_port sw rs$1 eth0
    ns rs$1 ip addr add $NET::2$1/64 dev eth0 nodad
    ns rs$1 ip addr add $VIP/128 dev lo nodad
    ns rs$1 ip -6 route add default via $NET::1
    rs_start $1
}

ns6 cl; ns6 r
ns_link cl eth0 r eth0
ns cl ip addr add 2001:db8:1::2/64 dev eth0 nodad
for i in $(seq 1 100); do ns cl ip addr add $(printf '2001:db8:c::%x' $i)/128 dev eth0 nodad; done
ns cl ip -6 route add default via 2001:db8:1::1
ns r ip addr add 2001:db8:1::1/64 dev eth0 nodad
ns r ip -6 route add 2001:db8:c::/64 via 2001:db8:1::2
ns r sysctl -qw net.ipv6.conf.all.forwarding=1
ns_switch sw
ns_port sw r eth1
ns r ip addr add $NET::1/64 dev eth1 nodad
ns r ip -6 route add $VIP/128 via $NET::10
ns6 lb; ns_port sw lb eth0
ns lb ip addr add $NET::10/64 dev eth0 nodad
ns lb ip addr add $VIP/128 dev lo nodad
ns lb sysctl -qw net.ipv6.conf.all.forwarding=0
for n in 1 2 3; do dr_real_server $n; done
for n in 1 2 3; do
    wait_until 10 "rs$n listening" ns lb python3 -c "import socket; socket.create_connection(('$NET::2$n', 8080), 1)"
done

# Counters outside halbd's tables: lb's ingress (before halbd's chain, which
# steals what it forwards) and the router's side of the bridge.
for spec in lb:eth0 r:eth1; do
    ns ${spec%:*} nft -f - <<EOF
table netdev probe {
    chain in { type filter hook ingress device "${spec#*:}" priority -500; policy accept;
        ip6 daddr $VIP tcp dport 8080 counter name requests
        ip6 saddr $VIP tcp sport 8080 counter name replies
    }
    counter requests { }
    counter replies { }
}
EOF
done
# packets NODE COUNTER: its packet count
packets() { ns $1 nft list counter netdev probe $2 | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }

dr_conf $VIP $NET::21 $NET::22 $NET::23
halbd_bg lb "$TMP/halbd.conf"
H=$BG_PID
slots_are() { dr_slots_are tcp_$(echo $VIP | tr : _)_8080_slots "$NET::2[0-9]" "$1"; }
wait_until 15 "the DR service programmed with three servers" slots_are "$NET::21 $NET::22 $NET::23"

echo "1. distribution, same client -> same server, the tables"
dr_spread $VIP
dr_netdev 'fwd ip6 to jhash ip6 saddr mod 4093 seed .* device "eth0"'
others=$(ns lb nft list ruleset | sed '/^table netdev halbd/,/^}/d; /^table netdev probe/,/^}/d' | grep -c -e 2001_db8_f__200 -e "$VIP")
[ "$others" = 0 ] && ok || fail "the DR service is in another table too: $(ns lb nft list ruleset)"

echo "2. replies bypass lb"
[ "$(ns lb sysctl -n net.ipv6.conf.all.forwarding)" = 0 ] && ok || fail "lb forwards IPv6"
lq=$(packets lb requests); lp=$(packets lb replies); rp=$(packets r replies)
echo "  lb ingress: $lq request packets, $lp reply packets; router: $rp reply packets"
[ "$lq" -ge 900 ] && ok || fail "lb saw only $lq request packets of 300 connections"
[ "$lp" = 0 ] && ok || fail "$lp reply packet(s) reached lb"
[ "$rp" -ge 600 ] && ok || fail "the router saw only $rp reply packets of 300 connections"

echo "3. nobody answers a neighbour solicitation for the VIP on the bridge"
cat >"$TMP/ns_probe.py" <<'PY'
# ns_probe.py IF TARGET: send a neighbour solicitation for TARGET on IF and
# print the source of every advertisement for it within a second.
import socket, struct, sys, time
dev, target = sys.argv[1], socket.inet_pton(socket.AF_INET6, sys.argv[2])
mac = bytes.fromhex(open("/sys/class/net/%s/address" % dev).read().strip().replace(":", ""))
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
group = socket.inet_ntop(socket.AF_INET6, bytes.fromhex("ff0200000000000000000001ff") + target[13:])
s.sendto(struct.pack("!BBHI", 135, 0, 0, 0) + target + bytes([1, 1]) + mac, (group, 0, 0, socket.if_nametoindex(dev)))
end = time.time() + 1
while time.time() < end:
    s.settimeout(max(end - time.time(), 0.01))
    try:
        data, src = s.recvfrom(1500)
    except socket.timeout:
        break
    if data[0] == 136 and data[8:24] == target: print("NA", src[0])
PY
na_vip=$(ns r python3 "$TMP/ns_probe.py" eth1 $VIP)
na_rs1=$(ns r python3 "$TMP/ns_probe.py" eth1 $NET::21)
echo "  for the VIP: ${na_vip:-none}; for rs1's address: ${na_rs1:-none}"
[ -z "$na_vip" ] && ok || fail "the VIP is advertised on the bridge: $na_vip"
[ "$na_rs1" = "NA $NET::21" ] && ok || fail "the probe saw no advertisement from rs1: '$na_rs1'"

echo "4. rs2 dies: it leaves; no other client moves"
rs_stop 2
wait_until 15 "rs2 leaves the slots" slots_are "$NET::21 $NET::23"
dr_rs2_gone $VIP

echo "5. must break: rs3 without the VIP refuses what DR hands it"
ns rs3 ip addr del $VIP/128 dev lo
dr_rs3_refuses $VIP
ns rs3 ip addr add $VIP/128 dev lo nodad

echo "6. SIGTERM removes table netdev halbd"
kill -TERM $H; wait $H
ns lb nft list table netdev halbd >/dev/null 2>&1 && fail "table netdev halbd left after TERM" || ok
finish
