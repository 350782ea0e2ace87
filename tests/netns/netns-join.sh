#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/netns-join.sh: `net_namespace NAME` and `halbd -s NAME` (issue
# 12). halbd is started in the test's own namespace-free shell and must join
# /run/netns/NAME before opening any socket: the VIP then appears on the
# interface of that namespace (and nowhere else), VRRP adverts go out there,
# -s overrides the configuration, and a namespace that does not exist stops
# halbd before it touches anything. Only 192.0.2.0/24 inside our namespaces;
# the interface name (nsj0) is one the host does not have.
set -u
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
ip link show nsj0 >/dev/null 2>&1 && skip "the host has an interface named nsj0"

ns_new a
ns_new b
ns_new peer
ns_link a nsj0 peer p0
ns_link b nsj0 peer p1
ip -n "$NS_PREFIX-a" addr add 192.0.2.1/24 dev nsj0
ip -n "$NS_PREFIX-b" addr add 192.0.2.2/24 dev nsj0

conf() {
    cat <<CONF
$1
global_defs {
    router_id nsj
}
vrrp_instance VI_1 {
    state MASTER
    interface nsj0
    virtual_router_id 51
    priority 200
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.100/24
    }
}
CONF
}

# host_halbd NAME CONF [FLAG...]: halbd started outside every namespace.
host_halbd() {
    _name=$1; _conf=$2; shift 2
    mkdir -p "$TMP/$_name"
    "$HALBD" -n -l -D -G -P -f "$_conf" -p "$TMP/$_name/halbd.pid" \
        --control-socket "$TMP/$_name/halbd.ctl" "$@" >"$TMP/$_name/halbd.log" 2>&1 &
    eval "H_$_name=\$!"
    _bg_pids="$_bg_pids $!"
}
logs_on_failure "$TMP/*/halbd.log"

echo "== net_namespace in the configuration"
conf "net_namespace $NS_PREFIX-a" >"$TMP/a.conf"
expect_status 0 "-t accepts net_namespace" -- "$HALBD" -t -f "$TMP/a.conf"
host_halbd a "$TMP/a.conf"
wait_log "$TMP/a/halbd.log" "joined network namespace $NS_PREFIX-a" 5
wait_until 5 "namespace a holds the VIP" has_vip a 192.0.2.100
ip -o addr show | grep -qF " 192.0.2.100/" && fail "the VIP is in the host namespace" || ok
lacks_vip b 192.0.2.100 && ok || fail "namespace b holds the VIP"
# The adverts leave from a's nsj0: the peer namespace receives them on p0.
ns peer timeout 3 tcpdump -c 2 -ni p0 'ip proto 112' >"$TMP/adverts" 2>&1 && ok ||
    { command -v tcpdump >/dev/null && fail "no VRRP advert seen leaving namespace a" || ok; }
kill -TERM "$H_a"; wait "$H_a" 2>/dev/null
wait_until 5 "the VIP leaves with halbd" lacks_vip a 192.0.2.100

echo "== -s overrides the configuration"
conf "net_namespace $NS_PREFIX-a" >"$TMP/b.conf"
host_halbd b "$TMP/b.conf" -s "$NS_PREFIX-b"
wait_log "$TMP/b/halbd.log" "joined network namespace $NS_PREFIX-b" 5
wait_until 5 "namespace b holds the VIP" has_vip b 192.0.2.100
lacks_vip a 192.0.2.100 && ok || fail "-s did not override net_namespace"
grep -qF "command line namespace '$NS_PREFIX-b' overrides net_namespace '$NS_PREFIX-a'" "$TMP/b/halbd.log" &&
    ok || fail "no notice of the override"
kill -TERM "$H_b"; wait "$H_b" 2>/dev/null

echo "== a namespace that does not exist"
conf "net_namespace $NS_PREFIX-missing" >"$TMP/c.conf"
expect_status 1 "halbd refuses to start" -- "$HALBD" -n -l -G -P -f "$TMP/c.conf" -p "$TMP/c.pid" \
    --control-socket "$TMP/c.ctl"
expect_output_has "network namespace $NS_PREFIX-missing: open /run/netns/$NS_PREFIX-missing: No such file or directory; not starting" "missing namespace"
[ -e "$TMP/c.pid" ] && fail "a pid file was written" || ok
expect_status 2 "-s with a path is refused (usage error)" -- "$HALBD" -t -s ../etc -f "$TMP/a.conf"
expect_output_has "is not a network namespace name" "-s ../etc"

finish
