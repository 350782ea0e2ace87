#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/vrrp-relink.sh: an interface deleted and created again while
# halbd runs (what keepalived 2.2.7 follows). Namespaces a (priority 200) and
# b (priority 100) run halbd on one bridge. a's eth0 is deleted: a goes to
# FAULT and b takes the VIP; an eth0 with the same name and address is
# created (a new ifindex): a opens a socket on it, learns its advert source,
# preempts again, and b hears its adverts. Only 192.0.2.0/24 inside our
# namespaces.
set -u
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
: "${HALBCTL:=$top_builddir/src/halbctl}"

ns_lan a=192.0.2.1/24 b=192.0.2.2/24

logs_on_failure "$TMP/*/halbd.log"

vrrp_of() { ns "$1" "$HALBCTL" -s "$TMP/$1/ctl" vrrp; }
# adverts received by NODE's VI_1, from `halbctl vrrp`
received() { vrrp_of "$1" | sed -n 's/.*adverts sent [0-9]* received \([0-9]*\).*/\1/p'; }
more_received() { [ "$(received "$1")" -gt "$2" ]; }

for n in a b; do
    mkdir -p "$TMP/$n"
    prio=100; [ $n = a ] && prio=200
    cat >"$TMP/$n.conf" <<CONF
global_defs {
    router_id $n
    vrrp_version 3
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 61
    priority $prio
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.100/24
    }
}
CONF
    ns_bg $n "$TMP/$n/halbd.log" "$HALBD" -n -l -D -P -f "$TMP/$n.conf" -p "$TMP/$n/halbd.pid" \
        --control-socket "$TMP/$n/ctl"
    wait_log "$TMP/$n/halbd.log" "started with configuration" 5
done
holds a b 192.0.2.100

echo "== the master's interface is deleted"
old_index=$(ip -n "$NS_PREFIX-a" -o link show eth0 | cut -d: -f1)
ip -n "$NS_PREFIX-a" link del eth0
wait_log "$TMP/a/halbd.log" "VRRP: eth0 (IPv4) index $old_index removed; socket closed" 5
wait_log "$TMP/a/halbd.log" "VI_1: MASTER -> FAULT" 5
wait_until 10 "b takes the VIP" has_vip b 192.0.2.100
vrrp_of a | grep -q "FAULT" && ok || fail "halbctl vrrp shows a in FAULT"

echo "== an eth0 with the same name and address comes back"
ns_port sw a eth0
ip -n "$NS_PREFIX-a" addr add 192.0.2.1/24 dev eth0
new_index=$(ip -n "$NS_PREFIX-a" -o link show eth0 | cut -d: -f1)
[ "$new_index" != "$old_index" ] && ok || fail "the new eth0 has a new index"
wait_log "$TMP/a/halbd.log" "VRRP: listening on eth0" 5
wait_log "$TMP/a/halbd.log" "VI_1: FAULT -> BACKUP" 5
holds a b 192.0.2.100
wait_log "$TMP/a/halbd.log" "VI_1: sending adverts from 192.0.2.1 (eth0)" 5
wait_log "$TMP/b/halbd.log" "VI_1: MASTER -> BACKUP" 5
# b keeps hearing a's adverts on the new interface
n0=$(received b)
wait_until 5 "b receives adverts from the new eth0" more_received b "$n0"
vrrp_of a | grep -q "MASTER" && ok || fail "halbctl vrrp shows a MASTER again"
ns a "$HALBCTL" -s "$TMP/a/ctl" dump | grep -q "VRRP socket eth0 IPv4: open (index $new_index)" && ok ||
    fail "a's socket is bound to index $new_index"

finish
