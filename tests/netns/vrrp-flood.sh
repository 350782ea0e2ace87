#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/vrrp-flood.sh: a bounded flood of forged lower-priority adverts
# (issue 11 item 7). Namespace a runs halbd as MASTER (priority 200,
# advert_int 1, notify_master_rx_lower_pri); namespace f sends 2,000 forged
# adverts per second (priority 50, from 192.0.2.2) for 4 s with a raw socket
# (python3). Asserts: the flood arrived; halbd answered at most once per
# advert interval (adverts sent, notify script runs); its adverts stayed
# within 10% of advert_int (halbctl vrrp lateness); the log grew by a few
# lines, not one per packet; no fd was leaked. Only 192.0.2.0/24 inside our
# namespaces.
set -u
: "${NS_PREFIX:=hvfl$$}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
command -v python3 >/dev/null 2>&1 || skip "needs python3"
: "${HALBCTL:=$top_builddir/src/halbctl}"

ns_lan a=192.0.2.1/24 f=192.0.2.2/24
logs_on_failure "$TMP/*/halbd.log"

cat >"$TMP/rx_lower.sh" <<'SH'
#!/bin/sh
echo run >>"$(dirname "$0")/rx_lower.runs"
SH
chmod 755 "$TMP/rx_lower.sh"
: >"$TMP/rx_lower.runs"
cat >"$TMP/a.conf" <<CONF
global_defs {
    router_id a
    vrrp_version 3
    vrrp_garp_master_delay 0
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 71
    priority 200
    advert_int 1
    down_timer_adverts 1
    notify_master_rx_lower_pri "$TMP/rx_lower.sh"
    virtual_ipaddress {
        192.0.2.100/24
    }
}
CONF

# The forger: VRRPv3 adverts (VRID 71, priority 50, 1 s, VIP 192.0.2.100)
# to 224.0.0.18 with TTL 255, RATE per second for SECS seconds.
cat >"$TMP/forge.py" <<'PY'
import socket, struct, sys, time
rate, secs = int(sys.argv[1]), float(sys.argv[2])
src, dst = socket.inet_aton("192.0.2.2"), socket.inet_aton("224.0.0.18")
vip = socket.inet_aton("192.0.2.100")
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
msg = struct.pack("!BBBBH", 0x31, 71, 50, 1, 100) + b"\0\0" + vip
pseudo = src + dst + struct.pack("!BBH", 0, 112, len(msg))
c = csum(pseudo + msg)
msg = msg[:6] + struct.pack("!H", c) + msg[8:]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, src)
s.bind(("192.0.2.2", 0))
batch, sent, start = max(rate // 200, 1), 0, time.monotonic()
while True:
    t = time.monotonic() - start
    if t >= secs: break
    while sent < rate * t:
        for _ in range(batch): s.sendto(msg, ("224.0.0.18", 0))
        sent += batch
    time.sleep(0.005)
print(sent)
PY

start_halbd a "$TMP/a.conf"
wait_until 10 "a becomes MASTER" has_vip a 192.0.2.100
vrrp_a() { ns a "$HALBCTL" -s "$TMP/a/halbd.ctl" vrrp; }
dump_a() { ns a "$HALBCTL" -s "$TMP/a/halbd.ctl" dump; }
counter() { dump_a | sed -n "s/.*$1 \([0-9]*\).*/\1/p" | head -n 1; }
fds() { ls "/proc/$H_a/fd" | wc -l; }
sleep 1.5  # a few adverts of a settled master before the flood
fds0=$(fds)
sent0=$(counter "adverts sent")
lines0=$(wc -l <"$TMP/a/halbd.log")

echo "== 2,000 forged lower-priority adverts per second for 4 s"
t0=$(now_ms)
forged=$(ns f python3 "$TMP/forge.py" 2000 4)
t1=$(now_ms)
secs=$(( (t1 - t0 + 999) / 1000 ))
echo "  forged $forged adverts in $((t1 - t0)) ms"
[ "$forged" -ge 7000 ] && ok || fail "the forger sent $forged adverts, expected about 8,000"
sleep 0.5  # scripts started by the last answer exit

rx=$(counter "lower priority received")
echo "  halbd received $rx lower-priority adverts"
[ "${rx:-0}" -ge 5000 ] && ok || fail "halbd received ${rx:-0} of $forged forged adverts"

sent=$(( $(counter "adverts sent") - sent0 ))
bound=$(( 2 * secs + 2 ))
echo "  adverts sent during the flood: $sent (bound $bound: one per interval plus one answer per interval)"
[ "$sent" -le "$bound" ] && ok || fail "$sent adverts sent in ${secs}s"

runs=$(wc -l <"$TMP/rx_lower.runs")
echo "  notify_master_rx_lower_pri runs: $runs (bound $((secs + 1)))"
[ "$runs" -ge 1 ] && [ "$runs" -le $((secs + 1)) ] && ok || fail "$runs notify runs in ${secs}s"

limited=$(counter "answers limited")
[ "${limited:-0}" -ge 5000 ] && ok || fail "answers limited: ${limited:-0}"

late=$(vrrp_a | sed -n 's/.*advert lateness p99 [0-9.]*s max \([0-9.]*\)s.*/\1/p')
echo "  advert lateness max ${late}s (bound 0.10s)"
awk -v l="${late:-9}" 'BEGIN { exit !(l <= 0.10) }' && ok || fail "advert lateness max ${late}s > 10% of advert_int"

lines=$(( $(wc -l <"$TMP/a/halbd.log") - lines0 ))
echo "  log lines during the flood: $lines"
[ "$lines" -le 20 ] && ok || fail "$lines log lines for $forged packets"

fds1=$(fds)
echo "  fds before $fds0, after $fds1"
[ "$fds1" -le "$fds0" ] && ok || fail "fds grew from $fds0 to $fds1"
vrrp_a | grep -q "VI_1: MASTER" && ok || fail "a is still MASTER"
kids=$(ps -o pid= --ppid "$H_a" | wc -l)
[ "$kids" -eq 0 ] && ok || fail "$kids notify children left"

echo "== the summary line says how many were aggregated"
wait_log "$TMP/a/halbd.log" "with lower priority 50, ours 200, forcing new election (repeated" 12

stop_halbd a
finish
