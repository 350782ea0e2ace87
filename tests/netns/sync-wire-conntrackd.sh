#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/sync-wire-conntrackd.sh: FT-FW wire compatibility with the real
# conntrackd 1.4.7. conntrackd (FT-FW over UDP, its own config written here)
# runs in namespace ctd, our FtfwPeer (tests/sync/sync_probe) in namespace
# hal, joined by a veth pair (the sync link). Proven both ways:
#  - connections made in ctd's kernel table (conntrack -I, NAT, mark, zone,
#    timeout) reach the probe intact, and so do their update and delete, and
#    the table conntrackd had before we started (our resync at start);
#  - connections the probe sends land in conntrackd's external cache and,
#    after `conntrackd -c`, in ctd's kernel table with their NAT;
#  - `conntrackd -n` (resync request) is served by the probe;
#  - with 30% of the datagrams dropped each way (nftables numgen), every
#    connection still arrives: NACKs and retransmissions interoperate.
# Then two probes with keys: the same key syncs, a wrong key is refused and
# counted (auth_failures), nothing it sent is taken. Last, the same with
# conntrackd on the multicast group 225.0.0.50, and our channel over IPv6
# (unicast, and a link-scope multicast group; a different group hears nothing).
set -eu
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
command -v conntrackd >/dev/null 2>&1 || skip "needs conntrackd"
command -v conntrack >/dev/null 2>&1 || skip "needs conntrack"
command -v nft >/dev/null 2>&1 || skip "needs nft"
PROBE=$top_builddir/tests/sync/sync_probe
[ -x "$PROBE" ] || skip "tests/sync/sync_probe not built"

ns_new ctd >/dev/null
ns_new hal >/dev/null
ns_link ctd sync0 hal sync1
ip -n "$NS_PREFIX-ctd" addr add 192.0.2.1/24 dev sync0
ip -n "$NS_PREFIX-hal" addr add 192.0.2.2/24 dev sync1

cat >"$TMP/ctd.conf" <<EOF2
Sync {
    Mode FTFW {
        ResendQueueSize 131072
        ACKWindowSize 300
    }
    UDP {
        IPv4_address 192.0.2.1
        IPv4_Destination_Address 192.0.2.2
        Port 3780
        Interface sync0
        SndSocketBuffer 1249280
        RcvSocketBuffer 1249280
        Checksum on
    }
}
General {
    HashSize 8192
    HashLimit 65535
    LogFile $TMP/ctd.log
    Syslog off
    LockFile $TMP/ctd.lock
    UNIX {
        Path $TMP/ctd.ctl
    }
    NetlinkBufferSize 2097152
    NetlinkBufferSizeMaxGrowth 8388608
}
EOF2
ctd() { ns ctd conntrackd -C "$TMP/ctd.conf" "$@"; }
ct() { ns ctd conntrack "$@" >/dev/null 2>&1; }
probe_has() { grep -qE -- "$1" "$TMP/probe.out"; }
probe_count() { grep -cE -- "$1" "$TMP/probe.out" || true; }
ext_has() { ctd -e 2>/dev/null | grep -qE -- "$1"; }
kernel_has() { ns ctd conntrack -L 2>/dev/null | grep -qE -- "$1"; }
on_exit 'if [ "$fails" != 0 ]; then for f in "$TMP"/*.out "$TMP"/ctd.log; do echo "--- $f" >&2; tail -30 "$f" >&2; done; fi'

# A connection conntrackd already holds when the probe starts.
ct -I -p tcp -s 192.0.2.30 -d 198.51.100.90 --sport 41000 --dport 80 --state ESTABLISHED -t 500 \
    -u SEEN_REPLY,ASSURED --mark 5
ns_bg ctd "$TMP/ctd.out" conntrackd -C "$TMP/ctd.conf"
wait_until 10 "conntrackd started" test -S "$TMP/ctd.ctl"
ns_bg hal "$TMP/probe.out" "$PROBE" sync1 192.0.2.1 --source 192.0.2.2 --send-demo
PROBE_PID=$BG_PID

# 1. conntrackd -> us: its table on our resync request at start.
wait_until 10 "probe hears conntrackd" probe_has '^PEER up'
wait_until 10 "resync from conntrackd completes" probe_has '^RESYNC done complete=1'
wait_until 5 "conntrackd's existing connection arrives" \
    probe_has '^CT (new|update) tcp src=192.0.2.30 dst=198.51.100.90 sport=41000 dport=80 .*mark=5 tcpstate=3'
# ... and it arrived before the resync was declared done.
first_ct=$(grep -n 'src=192.0.2.30' "$TMP/probe.out" | head -1 | cut -d: -f1)
done_at=$(grep -n '^RESYNC done' "$TMP/probe.out" | head -1 | cut -d: -f1)
if [ "${first_ct:-999}" -lt "${done_at:-0}" ]; then ok; else fail "resync done (line $done_at) before the table (line $first_ct)"; fi

# 2. A new connection with DNAT, mark, zone, timeout.
ct -I -p tcp -s 192.0.2.21 -d 198.51.100.90 --sport 41000 --dport 80 --state ESTABLISHED -t 500 \
    -u SEEN_REPLY,ASSURED --mark 9 --dst-nat 203.0.113.7:8080 --zone 5 || fail "conntrack -I"
wait_until 5 "DNAT connection arrives intact" probe_has \
    '^CT new tcp src=192.0.2.21 dst=198.51.100.90 sport=41000 dport=80 status=0x1ae timeout=(499|500) mark=9 tcpstate=3 dnat=203.0.113.7 dpat=8080 zone=5$'
ct -D -p tcp -s 192.0.2.21 -w 5 || fail "conntrack -D"
wait_until 5 "its delete arrives" probe_has '^CT delete tcp src=192.0.2.21 dst=198.51.100.90 sport=41000 dport=80 .*zone=5$'
# An update: conntrackd sends one for a state change (not for a mark alone).
ct -I -p tcp -s 192.0.2.22 -d 198.51.100.90 --sport 41001 --dport 80 --state SYN_RECV -t 60 -u SEEN_REPLY \
    || fail "conntrack -I"
wait_until 5 "a SYN_RECV connection arrives" probe_has '^CT new tcp src=192.0.2.22 .* tcpstate=2$'
ct -U -p tcp -s 192.0.2.22 --state ESTABLISHED -u ASSURED -m 6 || fail "conntrack -U"
wait_until 5 "its update arrives" probe_has '^CT update tcp src=192.0.2.22 dst=198.51.100.90 sport=41001 dport=80 .*mark=6 tcpstate=3$'

# An IPv6 connection.
ct -I -p tcp -s 2001:db8::10 -d 2001:db8::20 --sport 41002 --dport 443 --state ESTABLISHED -t 400 \
    -u SEEN_REPLY,ASSURED --mark 11 || fail "conntrack -I (IPv6)"
wait_until 5 "IPv6 connection arrives intact" \
    probe_has '^CT new tcp src=2001:db8::10 dst=2001:db8::20 sport=41002 dport=443 .*timeout=(399|400) mark=11 tcpstate=3'

# 3. us -> conntrackd: external cache, then committed into ctd's kernel.
wait_until 5 "DNAT connection in conntrackd's external cache" \
    ext_has 'tcp +6 ESTABLISHED src=192.0.2.10 dst=198.51.100.80 sport=40001 dport=80 \[ASSURED\] mark=42'
wait_until 5 "SNAT connection in the external cache" ext_has 'src=192.0.2.12 dst=198.51.100.81 sport=40002 dport=443'
wait_until 5 "UDP connection in the external cache" ext_has 'udp +17 src=192.0.2.11 dst=198.51.100.53 sport=5353 dport=53 mark=7'
ctd -c >/dev/null 2>&1
wait_until 5 "committed DNAT connection in the kernel" kernel_has \
    'src=192.0.2.10 dst=198.51.100.80 sport=40001 dport=80 src=203.0.113.5 dst=192.0.2.10 sport=8080 dport=40001 \[ASSURED\] mark=42'
wait_until 5 "committed SNAT connection in the kernel" kernel_has \
    'src=192.0.2.12 dst=198.51.100.81 sport=40002 dport=443 src=198.51.100.81 dst=203.0.113.1 sport=443 dport=61000'
wait_until 5 "committed UDP connection in the kernel" kernel_has 'udp +17 [0-9]+ src=192.0.2.11 dst=198.51.100.53 sport=5353 dport=53 .* mark=7'

# 4. conntrackd -n: it asks us for our table.
ctd -n >/dev/null 2>&1
wait_until 5 "probe serves conntrackd's resync request" probe_has '^RESYNC request'

# 5. Loss both ways: 30% of sync datagrams dropped on each side.
loss='table inet loss {\n chain out {\n  type filter hook output priority 0;\n  udp dport 3780 numgen random mod 100 < 30 drop\n }\n}\n'
# shellcheck disable=SC2059
printf "$loss" | ns ctd nft -f -
i=0
while [ $i -lt 200 ]; do
    ct -I -p tcp -s 192.0.2.40 -d 198.51.100.91 --sport $((30000 + i)) --dport 80 --state ESTABLISHED -t 900 \
        -u SEEN_REPLY,ASSURED || fail "conntrack -I $i"
    i=$((i + 1))
done
count_lossy() { [ "$(probe_count '^CT new tcp src=192.0.2.40 ')" -ge 200 ]; }
wait_until 30 "all 200 connections arrive through 30% loss" count_lossy
dups=$(grep -E '^CT new tcp src=192.0.2.40 ' "$TMP/probe.out" | sort | uniq -d | wc -l)
[ "$dups" = 0 ] && ok || fail "$dups connections delivered twice as new"
ns ctd nft delete table inet loss

# The other way: the probe sends 300 through loss, conntrackd NACKs, we resend.
kill -TERM "$PROBE_PID"; wait "$PROBE_PID" 2>/dev/null || :
grep -F COUNTERS "$TMP/probe.out" | sed 's/^/    probe 1: /'
nacks=$(sed -n 's/.*nacks_sent=\([0-9]*\).*/\1/p' "$TMP/probe.out")
[ "${nacks:-0}" -gt 0 ] && ok || fail "probe sent no NACK through 30% loss"
# shellcheck disable=SC2059
printf "$loss" | ns hal nft -f -
ns_bg hal "$TMP/probe2.out" "$PROBE" sync1 192.0.2.1 --source 192.0.2.2 --send-many 300
PROBE_PID=$BG_PID
ext_many() { [ "$(ctd -e 2>/dev/null | grep -c 'src=192.0.2.200 dst=198.51.100.1 ')" -ge 300 ]; }
wait_until 30 "all 300 of ours reach conntrackd through 30% loss" ext_many
ns hal nft delete table inet loss
kill -TERM "$PROBE_PID"; wait "$PROBE_PID" 2>/dev/null || :
grep -F COUNTERS "$TMP/probe2.out" | sed 's/^/    probe 2: /'
retrans=$(sed -n 's/.*retransmitted=\([0-9]*\).*/\1/p' "$TMP/probe2.out")
[ "${retrans:-0}" -gt 0 ] && ok || fail "nothing retransmitted through 30% loss"
ctd -s 2>/dev/null | grep -iE 'malformed|lost' | sed 's/^/    conntrackd: /'
malformed=$(ctd -s 2>/dev/null | sed -n 's/^ *\([0-9]*\) Malformed msgs.*/\1/p')
[ "${malformed:-x}" = 0 ] && ok || fail "conntrackd counted ${malformed:-?} malformed messages from us"
ctd -k >/dev/null 2>&1 || :

# 6. Keys: two of our nodes, same key syncs; a wrong key is refused.
umask 077
head -c 32 /dev/urandom >"$TMP/key1"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/key2"
ns_bg ctd "$TMP/k1.out" "$PROBE" sync0 192.0.2.2 --source 192.0.2.1 --port 3790 --key "$TMP/key1" --send-demo
K1=$BG_PID
ns_bg hal "$TMP/k2.out" "$PROBE" sync1 192.0.2.1 --source 192.0.2.2 --port 3790 --key "$TMP/key1"
K2=$BG_PID
has_in() { grep -qE -- "$2" "$1"; }
wait_until 10 "same key: the demo table arrives" has_in "$TMP/k2.out" '^CT new tcp src=192.0.2.10 .*mark=42'
wait_until 5 "same key: all three" has_in "$TMP/k2.out" '^CT new udp src=192.0.2.11 '
kill -TERM "$K2"; wait "$K2" 2>/dev/null || :
grep -q 'auth_failures=0 ' "$TMP/k2.out" && ok || fail "same key: authentication failures counted"
# The wrong key: its datagrams fail, nothing of ours is taken by it or from it.
ns_bg hal "$TMP/k3.out" "$PROBE" sync1 192.0.2.1 --source 192.0.2.2 --port 3790 --key "$TMP/key2" --send-many 5
K3=$BG_PID
wait_until 10 "wrong key: listening" has_in "$TMP/k3.out" '^READY'
sleep 3  # nothing to wait for: the point is that nothing happens
kill -TERM "$K3" "$K1"; wait "$K3" "$K1" 2>/dev/null || :
if has_in "$TMP/k3.out" '^(CT|PEER up)'; then fail "wrong key: something was accepted"; else ok; fi
if has_in "$TMP/k1.out" 'src=192.0.2.200'; then fail "wrong key: its connections were taken"; else ok; fi
k3_auth=$(sed -n 's/.*auth_failures=\([0-9]*\).*/\1/p' "$TMP/k3.out")
k1_auth=$(sed -n 's/.*auth_failures=\([0-9]*\).*/\1/p' "$TMP/k1.out")
echo "    wrong key: auth_failures $k3_auth (it) and $k1_auth (us)"
[ "${k3_auth:-0}" -gt 0 ] && [ "${k1_auth:-0}" -gt 0 ] && ok || fail "wrong key: failures not counted"
# 7. Multicast: conntrackd on group 225.0.0.50, the probe without peers.
sed -e 's|UDP {|Multicast {|' -e 's|IPv4_address 192.0.2.1|IPv4_address 225.0.0.50|' \
    -e 's|IPv4_Destination_Address 192.0.2.2|IPv4_interface 192.0.2.1|' -e 's|Port 3780|Group 3781|' \
    -e "s|$TMP/ctd\.|$TMP/mctd.|g" "$TMP/ctd.conf" >"$TMP/mctd.conf"
mctd() { ns ctd conntrackd -C "$TMP/mctd.conf" "$@"; }
ns_bg ctd "$TMP/mctd.out" conntrackd -C "$TMP/mctd.conf"
wait_until 10 "conntrackd (multicast) started" test -S "$TMP/mctd.ctl"
ns_bg hal "$TMP/m.out" "$PROBE" sync1 --port 3781 --send-demo
M=$BG_PID
wait_until 10 "multicast: conntrackd's table arrives" has_in "$TMP/m.out" '^CT (new|update) tcp src=192.0.2.30 '
mext_has() { mctd -e 2>/dev/null | grep -qE -- "$1"; }
wait_until 10 "multicast: ours reach conntrackd" mext_has 'src=192.0.2.10 dst=198.51.100.80 sport=40001 dport=80 .*mark=42'
ct -I -p udp -s 192.0.2.50 -d 198.51.100.50 --sport 5000 --dport 5001 -t 60 || fail "conntrack -I (multicast)"
wait_until 5 "multicast: a new connection arrives" has_in "$TMP/m.out" '^CT new udp src=192.0.2.50 dst=198.51.100.50 sport=5000 dport=5001'
kill -TERM "$M"; wait "$M" 2>/dev/null || :
mctd -k >/dev/null 2>&1 || :

# 8. The channel over IPv6 (two of our nodes; conntrackd's UDP is IPv4 here).
ip -n "$NS_PREFIX-ctd" addr add 2001:db8::1/64 dev sync0 nodad
ip -n "$NS_PREFIX-hal" addr add 2001:db8::2/64 dev sync1 nodad
ns_bg ctd "$TMP/v6a.out" "$PROBE" sync0 2001:db8::2 --source 2001:db8::1 --port 3792 --send-demo
V6A=$BG_PID
ns_bg hal "$TMP/v6b.out" "$PROBE" sync1 2001:db8::1 --source 2001:db8::2 --port 3792
V6B=$BG_PID
wait_until 10 "IPv6 channel: the table arrives" has_in "$TMP/v6b.out" '^CT new tcp src=192.0.2.10 .*mark=42'
wait_until 5 "IPv6 channel: resync completes" has_in "$TMP/v6b.out" '^RESYNC done complete=1'
kill -TERM "$V6A" "$V6B"; wait "$V6A" "$V6B" 2>/dev/null || :
# 9. ... and over an IPv6 multicast group (link scope, joined on the sync link).
ns_bg ctd "$TMP/m6a.out" "$PROBE" sync0 --group ff02::db8:50 --port 3793 --send-demo
M6A=$BG_PID
ns_bg hal "$TMP/m6b.out" "$PROBE" sync1 --group ff02::db8:50 --port 3793
M6B=$BG_PID
wait_until 10 "IPv6 multicast: the table arrives" has_in "$TMP/m6b.out" '^CT new tcp src=192.0.2.10 .*mark=42'
wait_until 5 "IPv6 multicast: resync completes" has_in "$TMP/m6b.out" '^RESYNC done complete=1'
kill -TERM "$M6A" "$M6B"; wait "$M6A" "$M6B" 2>/dev/null || :
# The same two on different groups hear nothing of each other (the group is what joins them).
ns_bg ctd "$TMP/m6c.out" "$PROBE" sync0 --group ff02::db8:51 --port 3794 --send-demo
M6C=$BG_PID
ns_bg hal "$TMP/m6d.out" "$PROBE" sync1 --group ff02::db8:52 --port 3794
M6D=$BG_PID
wait_until 10 "IPv6 multicast, other group: listening" has_in "$TMP/m6d.out" '^READY'
sleep 2  # nothing to wait for: the point is that nothing arrives
kill -TERM "$M6C" "$M6D"; wait "$M6C" "$M6D" 2>/dev/null || :
if has_in "$TMP/m6d.out" '^(CT|PEER up)'; then fail "IPv6 multicast: another group's table arrived"; else ok; fi

# A key file others may read is refused.
chmod 644 "$TMP/key1"
expect_status 1 "key file readable by others" -- ns hal "$PROBE" sync1 192.0.2.1 --port 3791 --key "$TMP/key1"
expect_output_has "chmod 600" "key file refusal names the fix"
finish
