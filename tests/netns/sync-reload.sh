#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/sync-reload.sh: a reload that adds or removes conntrack_sync
# while the node is MASTER (issue 13). Two halbd nodes, a (priority 200,
# MASTER of VI_1 with 192.0.2.100) and b, on a VRRP link and a sync link
# (203.0.113.0/24); both start without the block. `ip monitor address`
# records every address change on a:
#  1. `halbctl reload` adds the block on b, then on a: a logs that it follows
#     a MASTER, its channel runs (a connection made in a's kernel reaches
#     b's external cache, b's one reaches a's), and 192.0.2.100 was never
#     deleted (no VIP flap) and no state change was logged;
#  2. a reload removes it on a: the channel stops (halbctl sync says so, the
#     UDP port is closed), the VIP again untouched;
#  3. the variant that must flap: restarting a (instead of a reload) deletes
#     and re-adds the VIP, and the monitor sees it, so steps 1 and 2 could
#     have failed. Only documentation ranges, inside our namespaces.
set -u
: "${NS_PREFIX:=hsr$$}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
command -v conntrack >/dev/null 2>&1 || skip "needs conntrack"
: "${HALBCTL:=$top_builddir/src/halbctl}"
logs_on_failure "$TMP/*/halbd.log" "$TMP/*.log"

for n in a b; do ns_new $n; done
ns_link a eth0 b eth0
ns_link a eth2 b eth2
ip -n "$NS_PREFIX-a" addr add 192.0.2.1/24 dev eth0
ip -n "$NS_PREFIX-b" addr add 192.0.2.2/24 dev eth0
ip -n "$NS_PREFIX-a" addr add 203.0.113.1/24 dev eth2
ip -n "$NS_PREFIX-b" addr add 203.0.113.2/24 dev eth2

conf() {  # conf NODE(a|b) SYNC(0|1)
    i=$([ "$1" = a ] && echo 1 || echo 2)
    cat <<EOF
global_defs {
    router_id $1
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 61
    priority $([ "$1" = a ] && echo 200 || echo 100)
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.100/24
    }
}
EOF
    [ "$2" = 1 ] || return 0
    cat <<EOF
conntrack_sync {
    interface eth2
    peer 203.0.113.$((3 - i))
    source_ip 203.0.113.$i
    instance VI_1
    bulk_timeout 10
}
EOF
}
ctl() { _n=$1; shift; ns "$_n" "$HALBCTL" -s "$TMP/$_n/halbd.ctl" "$@"; }
external_of() { ctl "$1" sync | sed -n 's/.*external \([0-9]*\).*/\1/p'; }
external_at_least() { [ "$(external_of "$1")" -ge "$2" ] 2>/dev/null; }
vip_deleted() { grep -q "^Deleted.*192\.0\.2\.100/" "$TMP/mon.log"; }
port_closed() { ! ns a ss -Huln "sport = :3780" | grep -q 3780; }
state_changes() { grep -cE "VI_1: [A-Z]+ -> " "$TMP/a/halbd.log"; }

conf a 0 >"$TMP/a.conf"; conf b 0 >"$TMP/b.conf"
start_halbd a "$TMP/a.conf"
start_halbd b "$TMP/b.conf"
wait_until 10 "a holds the VIP" has_vip a 192.0.2.100
wait_log "$TMP/b/halbd.log" "VI_1: INIT -> BACKUP" 10
ns_bg a "$TMP/mon.log" ip monitor address
MON=$BG_PID
sleep 0.2  # ip monitor has no ready signal; it subscribes at once
changes0=$(state_changes)

echo "== a reload adds conntrack_sync on the BACKUP, then on the MASTER"
conf b 1 >"$TMP/b.conf"
ctl b reload >/dev/null 2>&1 || fail "reload b"
wait_log "$TMP/b/halbd.log" "conntrack sync: started on eth2, following instance VI_1;" 10
conf a 1 >"$TMP/a.conf"
ctl a reload >/dev/null 2>&1 || fail "reload a"
wait_log "$TMP/a/halbd.log" "conntrack sync: started on eth2, following instance VI_1 (MASTER);" 10
ctl a sync >"$TMP/out" 2>&1
expect_output_has "MASTER" "halbctl sync on a: following a MASTER"
# a's connection reaches b, b's reaches a.
ns a conntrack -I -p tcp -s 192.0.2.30 -d 198.51.100.90 --sport 41000 --dport 80 --state ESTABLISHED -t 500 \
    -u SEEN_REPLY,ASSURED >/dev/null 2>&1 || fail "conntrack -I in a"
wait_until 10 "a's new connection in b's external cache" external_at_least b 1
ns b conntrack -I -p tcp -s 192.0.2.31 -d 198.51.100.91 --sport 41001 --dport 80 --state ESTABLISHED -t 500 \
    -u SEEN_REPLY,ASSURED >/dev/null 2>&1 || fail "conntrack -I in b"
wait_until 10 "b's connection in a's external cache" external_at_least a 1
has_vip a 192.0.2.100 && ! vip_deleted && ok || fail "the VIP flapped on a when the block was added"
[ "$(state_changes)" = "$changes0" ] && ok || fail "a VRRP state change on a during the reload"
grep -q "committed" "$TMP/a/halbd.log" && fail "a committed on a reload while MASTER" || ok

echo "== a reload removes it on the MASTER"
conf a 0 >"$TMP/a.conf"
ctl a reload >/dev/null 2>&1 || fail "reload a"
wait_log "$TMP/a/halbd.log" "conntrack sync: stopped (conntrack_sync removed from the configuration)" 10
ctl a sync >"$TMP/out" 2>&1
expect_output_has "no conntrack_sync block" "halbctl sync on a: not running"
wait_until 5 "a's sync port is closed" port_closed
has_vip a 192.0.2.100 && ! vip_deleted && ok || fail "the VIP flapped on a when the block was removed"
[ "$(state_changes)" = "$changes0" ] && ok || fail "a VRRP state change on a during the reload"

echo "== the variant that must flap: a restart instead of a reload"
stop_halbd a
start_halbd a "$TMP/a.conf"
wait_until 10 "a holds the VIP again" has_vip a 192.0.2.100
wait_until 5 "the monitor saw the VIP deleted (it would have seen a flap)" vip_deleted
kill "$MON" 2>/dev/null || :
finish
