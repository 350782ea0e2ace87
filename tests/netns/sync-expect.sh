#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/sync-expect.sh: expectation sync (conntrack_sync's
# expectation_sync, issue 13): an FTP passive transfer announced before a
# failover is accepted after it. sync-lib.sh's topology; the test adds an
# nftables `ct helper` of type "ftp" on port 21 and a DNAT of
# 192.0.2.100:21 to r1, where ftp_pasv.py answers PASV with
# "227 Entering Passive Mode (198,51,100,11,...)"; lb1's nf_nat_ftp rewrites
# it to the VIP and its kernel expects the data connection there.
#  1. expectation_sync on: lb2 gets lb1's expectation; lb1 dies; lb2
#     commits the control connection, then the expectation, then takes the
#     VIPs; the client's data connection to the announced VIP port reaches
#     r1 through lb2.
#  2. expectation_sync off (connections still synced): the same data
#     connection fails (lb2 has no expectation, no DNAT rule for that port).
# Only documentation ranges, inside our namespaces.
set -u
: "${NS_PREFIX:=hse$$}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
command -v nft >/dev/null 2>&1 || skip "needs nft"
command -v python3 >/dev/null 2>&1 || skip "needs python3"
command -v conntrack >/dev/null 2>&1 || skip "needs conntrack"
: "${HALBCTL:=$top_builddir/src/halbctl}"
FTP=$top_srcdir/tests/netns/ftp_pasv.py
. "$top_srcdir/tests/netns/sync-lib.sh"
logs_on_failure "$TMP/*/halbd.log" "$TMP/*.log"

conf() {  # conf NODE PRIORITY EXPECTATION_SYNC(on|off)
    cat <<CONF
global_defs {
    router_id $1
    vrrp_version 3
    vrrp_garp_master_delay 0
}
vrrp_sync_group LB {
    group {
        VI_OUT
        VI_IN
    }
}
vrrp_instance VI_OUT {
    state BACKUP
    interface eth0
    virtual_router_id 83
    priority $2
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.100/24
    }
}
vrrp_instance VI_IN {
    state BACKUP
    interface eth1
    virtual_router_id 84
    priority $2
    advert_int 0.1
    virtual_ipaddress {
        198.51.100.100/24
    }
}
conntrack_sync {
    interface eth2
    peer 203.0.113.$((3 - ${1#lb}))
    source_ip 203.0.113.${1#lb}
    sync_group LB
    bulk_timeout 20
    expectation_sync $3
}
CONF
}

topology
for i in 1 2; do
    ns lb$i nft -f - <<NFT
table ip ftp {
    ct helper ftp21 {
        type "ftp" protocol tcp
    }
    chain pre_nat {
        type nat hook prerouting priority dstnat;
        ip daddr 192.0.2.100 tcp dport 21 dnat to 198.51.100.11
    }
    chain pre_helper {
        type filter hook prerouting priority filter;
        ct original ip daddr 192.0.2.100 tcp dport 21 ct helper set "ftp21"
    }
}
NFT
done
ns_bg r1 "$TMP/ftp.log" python3 "$FTP" serve 21

exp_of() { sync_of "$1" | sed -n "s/^expectations: .*$2 \([0-9]*\).*/\1/p"; }
peer_exps() { [ "$(exp_of "$1" "peer's")" -ge 1 ]; }
kernel_expects() { ns "$1" conntrack -L expect 2>/dev/null | grep -q "dport=$2 "; }

run() {  # run ON|OFF DIR: start both nodes, announce a transfer, kill lb1
    for n in lb1 lb2; do conf $n $([ $n = lb1 ] && echo 200 || echo 100) "$1" >"$TMP/$n.conf"; done
    start_halbd lb1 "$TMP/lb1.conf"
    start_halbd lb2 "$TMP/lb2.conf"
    wait_until 10 "lb1 holds the service VIP" has_vip lb1 192.0.2.100
    wait_until 10 "lb1 holds the gateway VIP" has_vip lb1 198.51.100.100
    wait_until 10 "lb2 has lb1's table" sync_full_table lb2
    D=$2; mkdir -p "$D"; mkfifo "$D/go"
    ns_bg c "$D/client.log" python3 "$FTP" client 192.0.2.100 21 "$D"
    wait_until 20 "the client got the 227 answer" test -f "$D/pasv"
    read -r addr port <"$D/pasv"
    echo "  227 announces $addr:$port"
    [ "$addr" = 192.0.2.100 ] && ok || fail "lb1's nf_nat_ftp rewrote the 227 to the VIP (got $addr)"
    wait_until 5 "lb1's kernel expects the data connection" kernel_expects lb1 "$port"
    ns lb1 conntrack -L expect 2>/dev/null | sed 's/^/  lb1 expect| /'
    if [ "$1" = on ]; then
        wait_until 5 "lb2 has lb1's expectation" peer_exps lb2
    fi
    node_kill lb1 eth0 eth1 eth2
    wait_until 10 "lb2 takes the service VIP" has_vip lb2 192.0.2.100
    wait_log "$TMP/lb2/halbd.log" "conntrack sync: committed" 5
}

echo "== expectation_sync on: the data connection announced on lb1 goes through lb2"
run on "$TMP/on"
wait_until 5 "lb2's kernel has the expectation" kernel_expects lb2 "$port"
sync_of lb2 | sed 's/^/  lb2| /'
[ "$(exp_of lb2 committed)" -ge 1 ] && ok || fail "halbctl sync counts the committed expectation"
ns lb2 "$HALBCTL" -s "$TMP/lb2/halbd.ctl" -j sync | grep -q '"exp_committed":[1-9]' && ok ||
    fail "halbctl -j sync has exp_committed"
grep -F "conntrack sync: committed" "$TMP/lb2/halbd.log" | sed 's/^[^]]*]: /  lb2| /'
# Connections, then expectations, then the addresses.
ct_at=$(grep -nF "conntrack sync: committed" "$TMP/lb2/halbd.log" | grep -F "connection(s)" | head -1 | cut -d: -f1)
exp_at=$(grep -nF "expectation(s)" "$TMP/lb2/halbd.log" | head -1 | cut -d: -f1)
vip_at=$(grep -nF "added 1 VIP(s): 192.0.2.100/24" "$TMP/lb2/halbd.log" | head -1 | cut -d: -f1)
[ -n "$ct_at" ] && [ -n "$exp_at" ] && [ -n "$vip_at" ] && [ "$ct_at" -lt "$exp_at" ] && [ "$exp_at" -lt "$vip_at" ] && ok ||
    fail "lb2 committed connections ($ct_at), then expectations ($exp_at), then added the VIP ($vip_at)"
echo go >"$D/go"
wait_until 10 "the data connection ends" test -f "$D/result"
echo "  data connection: $(cat "$D/result")"
case "$(cat "$D/result")" in "ok DATA-OK 192.0.2.10") ok ;; *) fail "with expectation_sync: $(cat "$D/result")" ;; esac

echo "== expectation_sync off: the same data connection fails"
stop_halbd lb2
revive_node lb1
ns lb2 conntrack -F 2>/dev/null || :
ns lb2 conntrack -F expect 2>/dev/null || :
ip -n "$NS_PREFIX-lb2" addr del 192.0.2.100/24 dev eth0 2>/dev/null || :
ip -n "$NS_PREFIX-lb2" addr del 198.51.100.100/24 dev eth1 2>/dev/null || :
run off "$TMP/off"
if kernel_expects lb2 "$port"; then fail "lb2 has an expectation without expectation_sync"; else ok; fi
echo go >"$D/go"
wait_until 15 "the data connection ends" test -f "$D/result"
echo "  data connection without expectation_sync: $(cat "$D/result")"
case "$(cat "$D/result")" in broken*) ok ;; *) fail "without expectation_sync the data connection went through" ;; esac
finish
