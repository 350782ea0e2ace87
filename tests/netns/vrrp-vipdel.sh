#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/vrrp-vipdel.sh: a VIP deleted behind halbd's back (issue 11
# item 8). Namespace a runs halbd as MASTER with two VIPs, one no_track;
# namespace c watches ARP. `ip addr del` of the tracked VIP: halbd puts it
# back at once, with a GARP and a log line, and stays MASTER; of the
# no_track one: it stays missing and halbctl says so. A tool deleting the
# VIP in a tight loop for 2 s: restores are rate-limited, logged with a
# count, and the VIP is there when the fight ends. Only 192.0.2.0/24 inside
# our namespaces.
set -u
: "${NS_PREFIX:=hvdl$$}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
command -v tcpdump >/dev/null 2>&1 || skip "needs tcpdump"
: "${HALBCTL:=$top_builddir/src/halbctl}"

ns_lan a=192.0.2.1/24 c=192.0.2.10/24
logs_on_failure "$TMP/*/halbd.log"

cat >"$TMP/a.conf" <<CONF
global_defs {
    router_id a
    vrrp_version 3
    vrrp_garp_master_delay 0
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 72
    priority 200
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.100/24
        192.0.2.101/24 no_track
    }
}
CONF
start_halbd a "$TMP/a.conf"
wait_until 10 "a becomes MASTER" has_vip a 192.0.2.100
vrrp_a() { ns a "$HALBCTL" -s "$TMP/a/halbd.ctl" vrrp; }
restored() { ns a "$HALBCTL" -s "$TMP/a/halbd.ctl" dump | sed -n 's/.*VIPs restored \([0-9]*\).*/\1/p'; }

ns_bg c "$TMP/arp.log" tcpdump -l -n -i eth0 arp
sleep 1  # tcpdump listening
# A gratuitous ARP for the VIP: a request from it, or a reply about it.
garps() { grep -c "tell 192.0.2.100,\|Reply 192.0.2.100 is-at" "$TMP/arp.log" || true; }
more_garps() { [ "$(garps)" -gt "$1" ]; }
g0=$(garps)

echo "== ip addr del of a VIP: put back with a GARP"
ip -n "$NS_PREFIX-a" addr del 192.0.2.100/24 dev eth0
wait_until 2 "a restores 192.0.2.100" has_vip a 192.0.2.100
wait_log "$TMP/a/halbd.log" "VI_1: VIP 192.0.2.100/24 was removed from eth0 by someone else; restored" 2
wait_until 2 "c sees a GARP for 192.0.2.100" more_garps "$g0"
vrrp_a | grep -q "VI_1: MASTER" && ok || fail "a stays MASTER"
vrrp_a | grep -q "missing" && fail "halbctl shows a missing VIP after the restore" || ok
[ "$(log_count "$TMP/a/halbd.log" "MASTER ->")" -eq 0 ] && ok || fail "a left MASTER"

echo "== ip addr del of a no_track VIP: left missing, shown missing"
ip -n "$NS_PREFIX-a" addr del 192.0.2.101/24 dev eth0
wait_log "$TMP/a/halbd.log" "VIP 192.0.2.101/24 was removed from eth0; not restored (no_track)" 2
sleep 0.5
lacks_vip a 192.0.2.101 && ok || fail "a no_track VIP was restored"
vrrp_a | grep -q "192.0.2.101/24 missing" && ok || fail "halbctl vrrp shows 192.0.2.101/24 missing: $(vrrp_a)"
ns a "$HALBCTL" -s "$TMP/a/halbd.ctl" -j vrrp 2>/dev/null | grep -q '"vips_missing":\["192.0.2.101/24"\]' && ok ||
    fail "halbctl -j vrrp lists 192.0.2.101/24 in vips_missing"

echo "== a tool deleting the VIP in a loop for 2 s"
r0=$(restored)
l0=$(log_count "$TMP/a/halbd.log" "192.0.2.100/24 was removed")
ns a sh -c 'end=$(($(date +%s) + 2)); n=0; while [ $(date +%s) -lt $end ]; do ip addr del 192.0.2.100/24 dev eth0 2>/dev/null && n=$((n + 1)); done; echo $n' >"$TMP/dels"
r1=$(restored)
echo "  deleted $(cat "$TMP/dels") times; restored $((r1 - r0)) times"
[ $((r1 - r0)) -ge 1 ] && [ $((r1 - r0)) -le 20 ] && ok || fail "restored $((r1 - r0)) times in about 2-3 s (bound 20)"
wait_until 2 "the VIP is there after the fight" has_vip a 192.0.2.100
[ $(( $(log_count "$TMP/a/halbd.log" "192.0.2.100/24 was removed") - l0 )) -le 2 ] && ok || fail "one log line per restore"
wait_log "$TMP/a/halbd.log" "by someone else; restored (repeated" 12

stop_halbd a
finish
