#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/vrrp-routes.sh: virtual_routes/virtual_rules and
# static_ipaddress/static_routes/static_rules on a real kernel. Namespaces a
# (priority 200) and b (100) run halbd on one bridge. Checks: the master has
# the virtual routes (a table, a default via a gateway, IPv6, multipath with
# weights, a blackhole with metrics) and rules (not/fwmark, suppress_prefixlength,
# uidrange, IPv6, ipproto/dport), the backup has none; kill -9 of the master
# moves them; a restarted a clears what its dead run left and takes them back;
# static entries are on both nodes whatever their state; a reload (SIGHUP)
# changes one virtual and one static route and touches nothing else (ip
# monitor); SIGTERM removes the virtual and the static entries (keepalived
# 2.2.7 does the same); with -V the virtual ones stay and the static ones
# still go. Only 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24
# and 2001:db8::/32 inside our namespaces.
set -u
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require

ns_bridge sw
ip -n "$NS_PREFIX-sw" link set br0 type bridge mcast_snooping 0
i=1
for n in a b; do
    ns_new $n
    ns $n sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
    ns_port sw $n eth0
    ip -n "$NS_PREFIX-$n" addr add 192.0.2.$i/24 dev eth0
    ip -n "$NS_PREFIX-$n" addr add 2001:db8::$i/64 dev eth0 nodad
    i=$((i + 1))
done

show_kernels() {
    [ "$fails" = 0 ] && return
    for n in a b; do
        echo "---- kernel of $n" >&2
        ip -n "$NS_PREFIX-$n" route show table all | grep -v "table local" >&2
        ip -n "$NS_PREFIX-$n" -6 route show table all | grep -v "table local" >&2
        ip -n "$NS_PREFIX-$n" rule show >&2
        ip -n "$NS_PREFIX-$n" -6 rule show >&2
    done
}
on_exit show_kernels
on_exit "show_daemon_logs 40"

# conf FILE PRIORITY STATIC_ADDRESS VIA VIA_STATIC
conf() {
    cat >"$1" <<CONF
global_defs {
    router_id $(basename "$1" .conf)
    vrrp_version 3
}
static_ipaddress {
    $3/32 dev eth0
}
static_routes {
    203.0.113.64/26 via $5 dev eth0 table 102
}
static_rules {
    to 203.0.113.64/26 table 102 priority 900
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 41
    priority $2
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.100/24
    }
    virtual_routes {
        198.51.100.0/24 via $4 dev eth0 table 100
        default via 192.0.2.254 dev eth0 table 101
        2001:db8:1::/48 via 2001:db8::fe dev eth0
        203.0.113.0/26 table 100 nexthop via 192.0.2.250 dev eth0 weight 1 nexthop via 192.0.2.251 dev eth0 weight 2
        blackhole 203.0.113.128/25 table 100 mtu lock 1400 advmss 1360
    }
    virtual_rules {
        from 192.0.2.100 table 100 priority 1000
        not fwmark 7/0xff table 101 priority 1001
        from all lookup main suppress_prefixlength 0 priority 1002
        uidrange 1000-1999 table 100 priority 1003
        inet6 from 2001:db8::/64 table 100 priority 1004
        to 198.51.100.0/24 ipproto tcp dport 80-90 table 100 priority 1005
    }
}
CONF
}

# One check per line: IP-ARGUMENTS|TEXT its output must contain.
virtual_list() {
    cat <<LIST
route show table 100|198.51.100.0/24 via $1 dev eth0 proto keepalived
route show table 101|default via 192.0.2.254 dev eth0 proto keepalived
-6 route show|2001:db8:1::/48 via 2001:db8::fe dev eth0 proto keepalived
route show table 100|nexthop via 192.0.2.250 dev eth0 weight 1
route show table 100|nexthop via 192.0.2.251 dev eth0 weight 2
route show table 100|blackhole 203.0.113.128/25 proto keepalived mtu lock 1400 advmss 1360
rule show|1000:	from 192.0.2.100 lookup 100 proto keepalived
rule show|1001:	not from all fwmark 0x7/0xff lookup 101 proto keepalived
rule show|1002:	from all lookup main suppress_prefixlength 0 proto keepalived
rule show|1003:	from all uidrange 1000-1999 lookup 100 proto keepalived
-6 rule show|1004:	from 2001:db8::/64 lookup 100 proto keepalived
rule show|1005:	from all to 198.51.100.0/24 ipproto tcp dport 80-90 lookup 100 proto keepalived
LIST
}
static_list() {
    cat <<LIST
-4 addr show dev eth0|inet $2/32 scope global eth0
route show table 102|203.0.113.64/26 via $1 dev eth0 proto keepalived
rule show|900:	from all to 203.0.113.64/26 lookup 102 proto keepalived
LIST
}
virtual_list 192.0.2.254 >"$TMP/virtual"
virtual_list 192.0.2.253 >"$TMP/virtual2"
# What every node must lack once the master's entries are gone: no 1000-1005 rule, no table 100/101 route.
cat >"$TMP/virtual_any" <<LIST
route show table 100|/
route show table 101|default
-6 route show|2001:db8:1::/48
rule show|lookup 100
rule show|lookup 101
rule show|suppress_prefixlength
-6 rule show|lookup 100
LIST

# has NODE LISTFILE: every check holds. lacks NODE LISTFILE: none does.
check() { ip -n "$NS_PREFIX-$1" $2 2>/dev/null | grep -qF -- "$3"; }
has() {
    while IFS='|' read -r args text; do check "$1" "$args" "$text" || return 1; done <"$2"
}
lacks() {
    while IFS='|' read -r args text; do ! check "$1" "$args" "$text" || return 1; done <"$2"
}
has_vip() { ip -n "$NS_PREFIX-$1" -o addr show dev eth0 | grep -qF " $2/"; }
lacks_vip() { ! has_vip "$@"; }
# report WHAT CMD...: one counted check, for states that must already hold.
report() { _what=$1; shift; if "$@"; then ok; else fail "$_what"; fi; }

conf "$TMP/a.conf" 200 192.0.2.50 192.0.2.254 192.0.2.254
conf "$TMP/b.conf" 100 192.0.2.51 192.0.2.254 192.0.2.254
static_list 192.0.2.254 192.0.2.50 >"$TMP/static_a"
static_list 192.0.2.254 192.0.2.51 >"$TMP/static_b"

echo "== the master has the virtual routes and rules, the backup none; statics on both"
start_halbd a "$TMP/a.conf"
start_halbd b "$TMP/b.conf"
wait_until 10 "a becomes master with the VIP" has_vip a 192.0.2.100
wait_until 5 "a has every virtual route and rule" has a "$TMP/virtual"
report "b (backup) has none of the virtual routes and rules" lacks b "$TMP/virtual_any"
wait_until 5 "a has its static address, route and rule" has a "$TMP/static_a"
wait_until 5 "b has its static address, route and rule" has b "$TMP/static_b"
wait_log "$TMP/a/halbd.log" "VI_1: added route 198.51.100.0/24 via 192.0.2.254 dev eth0 table 100 (MASTER)" 2
wait_log "$TMP/b/halbd.log" "static: added rule pref 900 from all to 203.0.113.64/26 lookup 102 (start)" 2

echo "== kill -9 of the master: b takes them; a restarted clears its leftovers and takes them back"
eval "kill -KILL \$H_a"
wait "$H_a" 2>/dev/null
wait_until 10 "b has every virtual route and rule after the failover" has b "$TMP/virtual"
report "b kept its static entries" has b "$TMP/static_b"
start_halbd a "$TMP/a.conf"
wait_log "$TMP/a/halbd.log" "VI_1: removing any of its 5 route(s) and 6 rule(s) a previous run left" 5
wait_until 10 "a (higher priority) has them again" has a "$TMP/virtual"
wait_until 5 "b releases them" lacks b "$TMP/virtual_any"
report "b kept its static entries as backup" has b "$TMP/static_b"
report "a has its static entries" has a "$TMP/static_a"
# Exactly one copy of each rule on a (the dead run's rules were cleared, not duplicated).
report "a has rule 1000 once" test "$(ip -n "$NS_PREFIX-a" rule show | grep -c '^1000:')" = 1

echo "== reload: one virtual and one static route change, nothing else is touched"
ns_bg a "$TMP/monitor.log" ip monitor route rule address
MON=$BG_PID
# The monitor listens once it reports a change of ours (an add or a delete,
# repeated until then: replacing an identical route may not be reported).
marker() {
    ip -n "$NS_PREFIX-a" route add blackhole "$1" table 250 2>/dev/null ||
        ip -n "$NS_PREFIX-a" route del blackhole "$1" table 250
    grep -qF "$1" "$TMP/monitor.log"
}
wait_until 5 "ip monitor runs" marker 203.0.113.250
conf "$TMP/a.conf" 200 192.0.2.50 192.0.2.253 192.0.2.252
kill -HUP "$H_a"
wait_log "$TMP/a/halbd.log" "instance(s) after reload" 5
wait_until 5 "a has the changed virtual route" has a "$TMP/virtual2"
static_list 192.0.2.252 192.0.2.50 >"$TMP/static_a2"
wait_until 5 "a has the changed static route" has a "$TMP/static_a2"
wait_until 5 "ip monitor has seen everything before the second marker" marker 203.0.113.251
kill "$MON"
grep -vF -e 203.0.113.250 -e 203.0.113.251 "$TMP/monitor.log" >"$TMP/changes"
report "the reload removed the old virtual route" grep -qF "Deleted 198.51.100.0/24 via 192.0.2.254 dev eth0 table 100" "$TMP/changes"
report "the reload added the new static route" grep -qF "203.0.113.64/26 via 192.0.2.252 dev eth0 table 102" "$TMP/changes"
if grep -vF -e "198.51.100.0/24 via" -e "203.0.113.64/26 via" "$TMP/changes" >"$TMP/other"; then
    fail "the reload touched other routes, rules or addresses:"
    sed 's/^/    | /' "$TMP/other" >&2
else
    ok
fi
report "exactly four changes (two routes replaced)" test "$(wc -l <"$TMP/changes")" = 4

echo "== SIGTERM: the master's virtual and static entries go, b takes the virtual ones"
stop_halbd a
report "a has none of the virtual routes and rules after SIGTERM" lacks a "$TMP/virtual_any"
report "a has no static address after SIGTERM" lacks a "$TMP/static_a2"
report "a has no static rule after SIGTERM" test "$(ip -n "$NS_PREFIX-a" rule show | grep -c 'lookup 102')" = 0
report "a has no static route after SIGTERM" test -z "$(ip -n "$NS_PREFIX-a" route show table 102 2>/dev/null)"
wait_until 10 "b has every virtual route and rule" has b "$TMP/virtual"
stop_halbd b
report "b has none of the virtual routes and rules after SIGTERM" lacks b "$TMP/virtual_any"
report "b has no static route after SIGTERM" test -z "$(ip -n "$NS_PREFIX-b" route show table 102 2>/dev/null)"

echo "== -V: the master's virtual routes and rules stay, its static entries go (keepalived 2.2.7)"
start_halbd b "$TMP/b.conf" -V
wait_until 10 "b alone has every virtual route and rule" has b "$TMP/virtual"
wait_until 5 "b has its static entries" has b "$TMP/static_b"
stop_halbd b
report "b kept the virtual routes and rules with -V" has b "$TMP/virtual"
report "b removed its static route with -V too" test -z "$(ip -n "$NS_PREFIX-b" route show table 102 2>/dev/null)"
report "b removed its static address with -V too" lacks_vip b 192.0.2.51

finish
