# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/sync-lib.sh: the failover topology shared by
# the connection-sync tests (sync-failover.sh: two halbd nodes;
# sync-mixed-conntrackd.sh: keepalived + conntrackd beside halbd). Sourced
# after tests/lib.sh and tests/netns/lib.sh.
#   topology            client c; lb1, lb2 on an outside (192.0.2.0/24) and an
#                       inside (198.51.100.0/24) switch, sync link eth2
#                       (203.0.113.0/24); r1, r2 echo servers behind the
#                       gateway VIP 198.51.100.100; nftables DNAT of the
#                       service VIP 192.0.2.100:8000 on lb1 and lb2
#   revive_node NODE    links up, no VIPs, an empty conntrack table (a reboot)
# The stream (stream_start N 192.0.2.100 8000, stream_alive, stream_stop) and
# node_kill are tests/netns/lib.sh's.

topology() {
    ns_switch swo; ns_switch swi
    for n in c lb1 lb2 r1 r2; do ns_new $n; done
    ns_port swo c eth0; ns_port swo lb1 eth0; ns_port swo lb2 eth0
    ns_port swi lb1 eth1; ns_port swi lb2 eth1; ns_port swi r1 eth0; ns_port swi r2 eth0
    ns_link lb1 eth2 lb2 eth2
    ip -n "$NS_PREFIX-c" addr add 192.0.2.10/24 dev eth0
    for i in 1 2; do
        ip -n "$NS_PREFIX-lb$i" addr add 192.0.2.$i/24 dev eth0
        ip -n "$NS_PREFIX-lb$i" addr add 198.51.100.$i/24 dev eth1
        ip -n "$NS_PREFIX-lb$i" addr add 203.0.113.$i/24 dev eth2
        ns lb$i sysctl -qw net.ipv4.ip_forward=1 net.netfilter.nf_conntrack_tcp_loose=0
        ns lb$i nft -f - <<NFT
table ip lb {
    chain lb_pre {
        type nat hook prerouting priority dstnat;
        ip daddr 192.0.2.100 tcp dport 8000 dnat to numgen inc mod 2 map { 0 : 198.51.100.11, 1 : 198.51.100.12 }
    }
    chain lb_forward {
        type filter hook forward priority filter;
        ct state invalid drop
    }
}
NFT
    done
    for i in 1 2; do
        ip -n "$NS_PREFIX-r$i" addr add 198.51.100.1$i/24 dev eth0
        ip -n "$NS_PREFIX-r$i" route add default via 198.51.100.100
        ns_bg r$i "$TMP/r$i.log" python3 "$STREAM" serve 8000
    done
}

revive_node() {  # as after a reboot: no VIPs, an empty conntrack table
    ip -n "$NS_PREFIX-$1" addr del 192.0.2.100/24 dev eth0 2>/dev/null || :
    ip -n "$NS_PREFIX-$1" addr del 198.51.100.100/24 dev eth1 2>/dev/null || :
    for l in eth0 eth1 eth2; do ip -n "$NS_PREFIX-$1" link set $l up; done
    ns $1 conntrack -F 2>/dev/null || :
}
