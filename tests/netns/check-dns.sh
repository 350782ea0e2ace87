#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/check-dns.sh: DNS_CHECK against a real DNS server, dnsmasq in
# namespace "dns" (192.0.2.53, foreground, its own names only: no resolver
# of the host is read or touched), probed by halbd in namespace "lb". Up for
# type A, MX, and AAAA of a name with only an A record (NOERROR without an
# answer passes, as keepalived: only the RCODE counts); a name dnsmasq will
# not resolve (REFUSED) never comes up. dnsmasq stopped -> the A check's
# real server is removed within delay_loop + (retry + 1) x connect_timeout +
# retry x delay_before_retry; back -> added. The name deleted from the zone
# (NXDOMAIN after dnsmasq rereads its hosts file on HUP) -> removed within
# the same bound, the MX check stays; restored -> added back.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
command -v dnsmasq >/dev/null 2>&1 || skip "needs dnsmasq"

ns_new lb >/dev/null || fail "namespace lb"
ns_new dns >/dev/null || fail "namespace dns"
ns_link lb veth0 dns veth1 || fail "veth lb <-> dns"
ns lb ip addr add 192.0.2.1/24 dev veth0
ns dns ip addr add 192.0.2.53/24 dev veth1

# ---- dnsmasq -------------------------------------------------------------------
# -C /dev/null: no /etc/dnsmasq.conf; --no-resolv/--no-hosts: no upstream and
# no /etc/hosts; --local: example.test is answered from the hosts file only
# (NXDOMAIN for a name not in it); anything else is REFUSED (no upstream).
printf '192.0.2.80 www.example.test\n' >"$TMP/hosts"
start_dnsmasq() {
    ns_bg dns "$TMP/dnsmasq.log" dnsmasq --no-daemon -C /dev/null --no-resolv --no-hosts --user=root \
        --listen-address=192.0.2.53 --bind-interfaces --local=/example.test/ --addn-hosts="$TMP/hosts" \
        --mx-host=example.test,mail.example.test,10 --pid-file="$TMP/dnsmasq.pid"
    DNS_PID=$BG_PID
    wait_log "$TMP/dnsmasq.log" "read $TMP/hosts" 10
}
start_dnsmasq

# delay_loop 1, connect_timeout 1, retry 1, delay_before_retry 1: a failure is
# seen at the next attempt (<= delay_loop), which with its retry lasts at most
# (retry + 1) x connect_timeout + retry x delay_before_retry.
BOUND_MS=$(( (1 + 2 * 1 + 1 * 1) * 1000 + 1000 ))  # + 1 s for scheduling and log polling
check() {  # VS-PORT TYPE NAME
    cat <<EOF
virtual_server 192.0.2.100 $1 {
    delay_loop 1
    protocol UDP
    real_server 192.0.2.53 53 {
        DNS_CHECK {
            type $2
            name $3
            connect_timeout 1
            retry 1
            delay_before_retry 1
            alpha
        }
    }
}
EOF
}
{ printf 'global_defs {\n    lvs_backend ipvs\n}\n'
  check 1 A www.example.test; check 2 MX example.test; check 3 AAAA www.example.test
  check 4 A www.example.invalid; } >"$TMP/halbd.conf"
halbd_bg lb "$TMP/halbd.conf"

RS="[192.0.2.53]:53"
A_ADD="DNS_CHECK 192.0.2.53:53 A www.example.test succeeded; adding $RS to VS [192.0.2.100]:1"
A_DEL="removing $RS from VS [192.0.2.100]:1"
wait_log "$LOG" "$A_ADD" 10
wait_log "$LOG" "DNS_CHECK 192.0.2.53:53 MX example.test succeeded; adding $RS to VS [192.0.2.100]:2" 10
wait_log "$LOG" "DNS_CHECK 192.0.2.53:53 AAAA www.example.test succeeded; adding $RS to VS [192.0.2.100]:3" 10
wait_log "$LOG" "DNS_CHECK 192.0.2.53:53 A www.example.invalid rcode REFUSED" 10
[ "$(log_count "$LOG" "to VS [192.0.2.100]:4")" = 0 ] || fail "a REFUSED name was added"

# removed_within WHAT CMD...: runs CMD (the fault), then waits for one more
# removal of the A check's real server and asserts the bound.
removed_within() {
    _what=$1; shift
    _t0=$(now_ms); _base=$(log_count "$LOG" "$A_DEL")
    "$@"
    wait_count "$LOG" "$A_DEL" $((_base + 1)) 15 && within_ms "$_what" $(($(now_ms) - _t0)) "$BOUND_MS"
}
added_back() {  # CMD...
    _base=$(log_count "$LOG" "$A_ADD")
    "$@"
    wait_count "$LOG" "$A_ADD" $((_base + 1)) 15 || :
}

# 1. dnsmasq stops: nothing answers on 53.
stop_dnsmasq() { kill -TERM "$DNS_PID"; wait "$DNS_PID" 2>/dev/null; }
removed_within "dnsmasq stopped -> removed" stop_dnsmasq
# (Refused by ICMP, or no reply when the query was in flight as it stopped.)
grep -F "DNS_CHECK 192.0.2.53:53 A www.example.test" "$LOG" | grep -F "$A_DEL" |
    grep -qE 'refused \(ICMP port unreachable\) \(retry 1/1\)|no reply within 1s \(retry 1/1\)' || fail "stopped detail"
added_back start_dnsmasq

# 2. The name leaves the zone: NXDOMAIN. MX of the zone still answers.
mx_del=$(log_count "$LOG" "removing $RS from VS [192.0.2.100]:2")
drop_name() { : >"$TMP/hosts"; kill -HUP "$DNS_PID"; }
removed_within "name deleted (NXDOMAIN) -> removed" drop_name
grep -qF "DNS_CHECK 192.0.2.53:53 A www.example.test rcode NXDOMAIN (retry 1/1); $A_DEL" "$LOG" || fail "NXDOMAIN detail"
[ "$(log_count "$LOG" "removing $RS from VS [192.0.2.100]:2")" = "$mx_del" ] || fail "MX check removed by an A record change"
restore_name() { printf '192.0.2.80 www.example.test\n' >"$TMP/hosts"; kill -HUP "$DNS_PID"; }
added_back restore_name

finish
