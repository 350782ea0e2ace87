#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/vrrp-partition.sh: split brain and healing on a real kernel.
# Namespaces a and b are two VRRP routers and c a client, on one bridge. The
# bridge stops forwarding between a and b (nftables in the bridge's
# namespace; the client still reaches both): both become master, as VRRP
# must. When the partition heals, the lower priority must yield within one
# advert interval or so, and the higher must send gratuitous ARPs again so
# the client's ARP entry points at it (keepalived issues #2649 and #2387:
# VIPs left unreachable after healing). Run for halbd over keepalived,
# keepalived over halbd, and halbd over halbd.
# Only 192.0.2.0/24 and 2001:db8::/64 inside our namespaces.
set -u
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
. "$top_srcdir/tests/netns/vrrp-lib.sh"  # root, namespaces, keepalived
require_commands nft tcpdump arping

vrrp_lan a b c  # bridge ports p1 (a), p2 (b), p3 (c)
MAC_A=$(ns a cat /sys/class/net/eth0/address)
MAC_B=$(ns b cat /sys/class/net/eth0/address)
VIP=192.0.2.100

partition() {
    ns sw nft -f - <<'NFT'
table bridge partition {
    chain forward {
        type filter hook forward priority 0; policy accept;
        iifname "p1" oifname "p2" drop
        iifname "p2" oifname "p1" drop
    }
}
NFT
}
heal() { ns sw nft delete table bridge partition; }

# conf FILE PRIORITY [LINE]: VI_1, VRRPv3, advert_int 0.1, no delayed second
# GARP burst (so that a GARP seen after the partition comes from the healing).
conf() {
    cat >"$1" <<CONF
global_defs {
    router_id $(basename "$1" .conf)
    vrrp_version 3
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 61
    priority $2
    advert_int 0.1
    garp_master_delay 0
    ${3:-}
    virtual_ipaddress {
        $VIP/24
    }
}
CONF
}

# start KIND NODE CONF / stop KIND NODE: halbd or keepalived (one at a time).
start() { if [ "$1" = halbd ]; then start_halbd "$2" "$3"; else start_ka "$2" "$3"; fi; }
stop() { if [ "$1" = halbd ]; then stop_halbd "$2"; else stop_ka; fi; }

# case HIGH_KIND LOW_KIND: b runs HIGH_KIND at priority 200, a LOW_KIND at 100.
run_case() {
    echo "== $1 (priority 200) over $2 (priority 100)"
    conf "$TMP/high.conf" 200
    # The winner re-sends its GARPs when it hears the loser's lower-priority
    # advert. Whichever hears the other first after the heal is a race: a
    # loser that hears first must send one advert before yielding
    # (higher_prio_send_advert: halbd's default, keepalived's is off).
    if [ "$2" = keepalived ]; then
        conf "$TMP/low.conf" 100 higher_prio_send_advert
    else
        conf "$TMP/low.conf" 100
    fi
    start "$2" a "$TMP/low.conf"
    start "$1" b "$TMP/high.conf"
    holds b a $VIP

    partition
    wait_until 5 "partitioned: a becomes master as well" has_vip a $VIP
    if has_vip b $VIP; then ok; else fail "partitioned: b gave up $VIP"; fi
    # Only GARPs sent from now on count: the healing ones.
    ns_bg c "$TMP/garp.tcpdump.log" tcpdump -i eth0 -n -U -c 1 -w "$TMP/garp.pcap" \
        "arp and ether src $MAC_B and host $VIP"
    cap=$BG_PID
    wait_log "$TMP/garp.tcpdump.log" "listening on" 5

    t0=$(now_ms)
    heal
    wait_until 3 "healed: a yields $VIP" lacks_vip a $VIP
    t1=$(now_ms)
    echo "   a released $VIP $((t1 - t0)) ms after the heal (advert_int 100 ms)"
    # One interval for b's next advert to reach a (20-76 ms on a quiet host),
    # plus scheduling and this poll: CI runs four such tests at once on two
    # cores, where 317 ms was seen. The bound catches a yield that waits for
    # something else (a timeout, a second split), not a slow host.
    if [ $((t1 - t0)) -le 1000 ]; then ok; else fail "a yielded after $((t1 - t0)) ms (> 1000)"; fi
    if has_vip b $VIP; then ok; else fail "healed: b lost $VIP"; fi
    wait_until 5 "healed: the client sees b's gratuitous ARP" eval "! kill -0 $cap 2>/dev/null"
    tcpdump -n -r "$TMP/garp.pcap" 2>/dev/null >"$TMP/out"
    expect_output_has "Request who-has $VIP (ff:ff:ff:ff:ff:ff) tell $VIP" "GARP from b after healing"
    ns c arping -c1 -w2 -I eth0 $VIP >"$TMP/out" 2>&1
    if grep -qi "$MAC_B" "$TMP/out" && ! grep -qi "$MAC_A" "$TMP/out"; then ok; else
        fail "after healing, $VIP is not answered by b alone"; cat "$TMP/out" >&2
    fi
    stop "$1" b
    stop "$2" a
}

run_case halbd keepalived
run_case keepalived halbd
run_case halbd halbd

finish
