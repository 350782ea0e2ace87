#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/vrrp-iptables.sh: no_accept on an iptables host (global_defs
# vrrp_iptables + vrrp_ipsets, keepalived's way): halbd fills keepalived's
# ipsets (libipset) matched by iptables rules in INPUT/OUTPUT, with
# iptables-legacy (halbd runs `iptables` from its PATH: here a directory of
# links to the legacy programs; the host's tables and alternatives are not
# touched: every table is inside the test's namespaces). Namespaces a and b
# run halbd (b the higher priority), c is a client, one bridge. The master's
# set holds the VIP and the client can neither ping nor connect to it; the
# backup's set is empty; failover moves the element; SIGTERM removes the
# rules and destroys the sets. The variant that must pass traffic: `accept`
# -> the client reaches the VIP, no set exists.
set -u
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
. "$top_srcdir/tests/netns/vrrp-lib.sh"
require_commands ping python3 bash ipset /usr/sbin/iptables-legacy /usr/sbin/ip6tables-legacy

vrrp_lan a b c
for n in a b; do ns_bg $n "$TMP/http-$n.log" python3 -m http.server --bind 0.0.0.0 8080 --directory "$TMP"; done
VIP=192.0.2.100
mkdir -p "$TMP/bin"
ln -s /usr/sbin/iptables-legacy "$TMP/bin/iptables"
ln -s /usr/sbin/ip6tables-legacy "$TMP/bin/ip6tables"
PATH="$TMP/bin:$PATH"
export PATH

members() { ns "$1" ipset list keepalived 2>/dev/null | sed -n '/^Members:/,$p' | sed 1d | tr '\n' ' ' | sed 's/ $//'; }
set_is() { [ "$(members "$1")" = "$2" ]; }
no_set() { ! ns "$1" ipset list -n 2>/dev/null | grep -qx keepalived; }
rules() { ns "$1" /usr/sbin/iptables-legacy -S "$2" 2>/dev/null | grep -c -- "-m set --match-set keepalived"; }
can_ping() { ns c ping -c1 -W1 "$1" >/dev/null 2>&1; }
can_connect() { ns c timeout 2 bash -c "exec 3<>/dev/tcp/$1/8080" 2>/dev/null; }

conf() {  # FILE PRIORITY [instance lines...]
    _f=$1; _prio=$2; shift 2
    cat >"$_f" <<EOF2
global_defs {
    router_id $(basename "$_f" .conf)
    vrrp_strict
    vrrp_iptables
    vrrp_ipsets keepalived
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $_prio
    advert_int 0.1
    $*
    virtual_ipaddress {
        $VIP/24
    }
}
EOF2
}

echo "== vrrp_iptables: the master's ipset drops traffic to the VIP"
conf "$TMP/a.conf" 100
conf "$TMP/b.conf" 200
start_halbd a "$TMP/a.conf"
start_halbd b "$TMP/b.conf"
holds b a $VIP
wait_until 5 "b's ipset keepalived holds $VIP" set_is b $VIP
set_is a "" && ok || fail "backup a's set is not empty: '$(members a)'"
[ "$(rules b INPUT)" = 1 ] && ok || fail "b: INPUT rule: $(ns b /usr/sbin/iptables-legacy -S INPUT)"
[ "$(rules b OUTPUT)" = 1 ] && ok || fail "b: OUTPUT rule: $(ns b /usr/sbin/iptables-legacy -S OUTPUT)"
ns b /usr/sbin/iptables-legacy -S INPUT | grep -qx -- "-A INPUT -m set --match-set keepalived dst -j DROP" && ok ||
    fail "b: INPUT rule as keepalived's"
ns b ipset list keepalived6 >/dev/null 2>&1 && fail "an IPv6 set without IPv6 VIPs" || ok
if can_ping $VIP; then fail "client pings $VIP (no_accept, b master)"; else ok; fi
if can_connect $VIP; then fail "client connects to $VIP:8080 (no_accept)"; else ok; fi
if can_connect 192.0.2.2; then ok; else fail "client cannot reach b's own address"; fi
grep -qF "VRRP no_accept: created ipset keepalived (iptables INPUT, OUTPUT)" "$TMP/b/halbd.log" && ok ||
    fail "b's log lacks the create line"

echo "== failover moves the element; SIGTERM removes rules and sets"
stop_halbd b
holds a b $VIP
wait_until 5 "a's ipset holds $VIP after failover" set_is a $VIP
no_set b && ok || fail "b kept ipset keepalived after SIGTERM"
[ "$(rules b INPUT)" = 0 ] && [ "$(rules b OUTPUT)" = 0 ] && ok || fail "b kept its iptables rules after SIGTERM"
if can_ping $VIP; then fail "client pings $VIP (no_accept, a master)"; else ok; fi
stop_halbd a
no_set a && ok || fail "a kept ipset keepalived after SIGTERM"

echo "== accept: the master takes traffic to its VIP, no set"
conf "$TMP/b.conf" 200 accept
start_halbd b "$TMP/b.conf"
wait_until 10 "b alone holds $VIP" has_vip b $VIP
if can_ping $VIP; then ok; else fail "accept: client cannot ping $VIP"; fi
if can_connect $VIP; then ok; else fail "accept: client cannot connect to $VIP:8080"; fi
no_set b && ok || fail "b has ipset keepalived with accept"
stop_halbd b

show_daemon_logs 30
finish
