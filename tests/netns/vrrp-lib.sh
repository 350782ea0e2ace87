# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/vrrp-lib.sh: helpers of the VRRP netns tests beyond
# tests/netns/lib.sh (sourced after it; has_vip, holds, start_halbd and
# stop_halbd are there). Daemons log under $TMP; on failure the tail of
# every log is printed. Sourcing it skips the test without root, network
# namespaces or keepalived (the reference peer).
#
#   require_commands CMD...   skip the test unless every CMD is installed
#   vrrp_lan NODE...       bridge sw (no multicast snooping) with NODE's eth0 on
#                          it, no DAD; addresses 192.0.2.N/24 and 2001:db8::N/64,
#                          N = 1, 2, ... and 10 for a node named c (the client)
#   halbd_dump NODE        USR1, then $TMP/NODE/halbd.data is written
#   halbd_heard NODE INSTANCE N   the instance received at least N valid adverts
#   start_ka NODE CONF / stop_ka   keepalived 2.2.7 (VRRP child only), pid in $KA_PID

netns_require
command -v keepalived >/dev/null 2>&1 || skip "needs keepalived"

require_commands() {
    for _c in "$@"; do command -v "$_c" >/dev/null 2>&1 || skip "needs $_c"; done
}

logs_on_failure "$TMP/*.log" "$TMP/*/halbd.log"

vrrp_lan() {
    ns_bridge sw
    ip -n "$NS_PREFIX-sw" link set br0 type bridge mcast_snooping 0
    _i=1
    for _n in "$@"; do
        ns_new $_n
        # No DAD: link-local sources and test addresses are usable at once.
        ns $_n sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
        ns_port sw $_n eth0
        [ $_n = c ] && _i=10
        ip -n "$NS_PREFIX-$_n" addr add 192.0.2.$_i/24 dev eth0
        ip -n "$NS_PREFIX-$_n" addr add 2001:db8::$_i/64 dev eth0 nodad
        _i=$((_i + 1))
    done
}

halbd_dump() {
    eval "_p=\$H_$1"
    rm -f "$TMP/$1/halbd.data"
    kill -USR1 "$_p" || return 1
    _n=0
    while [ ! -s "$TMP/$1/halbd.data" ] && [ $_n -lt 100 ]; do sleep 0.01; _n=$((_n + 1)); done
}
# Used inside wait_until, so no nested wait_until.
halbd_heard() {
    halbd_dump "$1" || return 1
    _got=$(sed -n "/^# VRRP instance $2:/{n;s/.*adverts sent [0-9]* received \([0-9]*\),.*/\1/p}" "$TMP/$1/halbd.data")
    [ "${_got:-0}" -ge "$3" ]
}

# keepalived: its own pid files and config id; -P runs only the VRRP child.
start_ka() {
    rm -f "$TMP/$1.kpid" "$TMP/$1.kvpid"
    ns_bg "$1" "$TMP/$1-ka.log" keepalived -n -l -D -P -f "$2" -p "$TMP/$1.kpid" -r "$TMP/$1.kvpid" -i "ka$1"
    KA_PID=$BG_PID
    wait_until 5 "keepalived in $1 writes its VRRP pid file" test -s "$TMP/$1.kvpid"
}
stop_ka() { kill -TERM "$KA_PID"; wait "$KA_PID" 2>/dev/null; }
