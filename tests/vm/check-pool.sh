#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/vm/check-pool.sh: health checks drive the real IPVS pool. One VM
# boot (the host kernel has no IPVS). In the VM, two real servers live in
# their own network namespaces (reals1: 198.51.100.11, reals2:
# 198.51.100.140), each a busybox nc echo server on port 80; halbd runs
# with TCP_CHECKs (connect_timeout 1, retry 1, delay_before_retry 1,
# delay_loop 1) on three virtual servers:
#   VS1 203.0.113.10:80  both real servers;
#   VS2 203.0.113.11:80  real server .11 with the same check (one probe
#                        serves VS1 and VS2) and inhibit_on_failure;
#   VS3 203.0.113.12:80  real server .140 only, sorry_server .11.
# Then, asserting what `ipvsadm -Sn` shows (not log lines):
#   (a) everything up: VS1 has both, VS2 has .11 at weight 3, VS3 has .140;
#   (b) .11's server stopped: within the keepalived bound (connect_timeout +
#       retry x delay_before_retry + delay_loop, plus one second) .11 leaves
#       VS1, and in VS2 its weight becomes 0 (inhibit); VS3 is unchanged;
#   (c) .11's server back: .11 in VS1 again and weight 3 in VS2;
#   (d) .140's server stopped: VS3 loses it and gets the sorry server .11;
#   (e) the shared checks were one probe each ("2 probe(s) for 4 checker(s)":
#       .11 serves VS1 and VS2, .140 serves VS1 and VS3).
# Exit 0 pass, 77 no VM or no halbd binary, else fail.
set -u

here=$(cd "$(dirname "$0")" && pwd)
command -v bash >/dev/null 2>&1 || { echo "SKIP: the VM harness needs bash"; exit 77; }
if [ -z "${HALBD:-}" ] || [ ! -f "$HALBD" ]; then
    echo "SKIP: no halbd binary (\$HALBD='${HALBD:-}')"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/halbd-check-pool.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/guest.sh" <<'EOF'
. /test/guest-lib.sh
finish() {
    [ -n "${dpid:-}" ] && kill -TERM "$dpid" 2>/dev/null
    for p in ${s1:-} ${s2:-}; do kill "$p" 2>/dev/null; done
    echo "check-pool: $passed passed, $failed failed"
    [ "$failed" = 0 ]
    exit
}
modprobe crc32c_generic
check "modprobe ip_vs" modprobe ip_vs
modprobe ip_vs_wlc
modprobe veth
sysctl -qw net.ipv4.ip_forward=1

# reals1 -- r1a/r1b -- director (198.51.100.1/25); reals2 -- r2a/r2b -- director (198.51.100.129/25)
net() (
    set -e
    for n in 1 2; do
        ip netns add "reals$n"
        ip link add "r${n}a" type veth peer name "r${n}b"
        ip link set "r${n}b" netns "reals$n"
        ip -n "reals$n" link set lo up
    done
    ip addr add 198.51.100.1/25 dev r1a
    ip addr add 198.51.100.129/25 dev r2a
    ip link set r1a up
    ip link set r2a up
    ip -n reals1 addr add 198.51.100.11/25 dev r1b
    ip -n reals2 addr add 198.51.100.140/25 dev r2b
    ip -n reals1 link set r1b up
    ip -n reals2 link set r2b up
    ip -n reals1 route add default via 198.51.100.1
    ip -n reals2 route add default via 198.51.100.129
)
check "two real-server namespaces" net
serve1() { ip netns exec reals1 nc -ll -p 80 -e cat >/dev/null 2>&1 & s1=$!; }
serve2() { ip netns exec reals2 nc -ll -p 80 -e cat >/dev/null 2>&1 & s2=$!; }
serve1
serve2

cat >/tmp/pool.conf <<'CONF'
virtual_server 203.0.113.10 80 {
    lvs_sched wlc
    lvs_method NAT
    protocol TCP
    delay_loop 1
    real_server 198.51.100.11 80 {
        weight 3
        TCP_CHECK {
            connect_timeout 1
            retry 1
            delay_before_retry 1
        }
    }
    real_server 198.51.100.140 80 {
        weight 2
        TCP_CHECK {
            connect_timeout 1
            retry 1
            delay_before_retry 1
        }
    }
}
virtual_server 203.0.113.11 80 {
    lvs_sched wlc
    lvs_method NAT
    protocol TCP
    delay_loop 1
    real_server 198.51.100.11 80 {
        weight 3
        inhibit_on_failure
        TCP_CHECK {
            connect_timeout 1
            retry 1
            delay_before_retry 1
        }
    }
}
virtual_server 203.0.113.12 80 {
    lvs_sched wlc
    lvs_method NAT
    protocol TCP
    delay_loop 1
    sorry_server 198.51.100.11 80
    real_server 198.51.100.140 80 {
        weight 2
        TCP_CHECK {
            connect_timeout 1
            retry 1
            delay_before_retry 1
        }
    }
}
CONF

# dest VS RS: the weight of RS in VS as ipvsadm -Sn shows it, or "none".
dest() { ipvsadm -Sn | awk -v vs="-t $1" -v rs="-r $2" '
    $1 == "-a" && ($2 " " $3) == vs && ($4 " " $5) == rs { for (i = 6; i <= NF; i++) if ($i == "-w") w = $(i + 1) }
    END { print (w == "" ? "none" : w) }'; }
is() { [ "$(dest "$1" "$2")" = "$3" ]; }
# The keepalived bound for a down real server: connect_timeout 1 + retry 1
# x delay_before_retry 1 + the delay_loop of 1 before the failing attempt
# may start, plus 1 s for halbd and the poll.
bound=4

"$HALBD_IN_VM" -n -l -G -f /tmp/pool.conf -p /run/pool.pid >/tmp/daemon.log 2>&1 &
dpid=$!
if poll 30 is 203.0.113.12:80 198.51.100.140:80 2; then ok "halbd programmed the pool"; else
    bad "halbd programmed the pool"; ipvsadm -Sn; tail -20 /tmp/daemon.log | sed 's/^/    | /'; finish
fi
check "(a) VS1 has .11 weight 3" is 203.0.113.10:80 198.51.100.11:80 3
check "(a) VS1 has .140 weight 2" is 203.0.113.10:80 198.51.100.140:80 2
check "(a) VS2 has .11 weight 3" is 203.0.113.11:80 198.51.100.11:80 3
check "(a) VS3 has no sorry server yet" is 203.0.113.12:80 198.51.100.11:80 none

kill "$s1"; wait "$s1" 2>/dev/null; t0=$(date +%s)
if poll $bound is 203.0.113.10:80 198.51.100.11:80 none; then
    ok "(b) .11 left VS1 within ${bound}s of its server stopping ($(($(date +%s) - t0)) s)"
else bad "(b) .11 left VS1 within ${bound}s"; ipvsadm -Sn; fi
check "(b) VS2 keeps .11 at weight 0 (inhibit_on_failure)" poll 2 is 203.0.113.11:80 198.51.100.11:80 0
check "(b) VS1 keeps .140" is 203.0.113.10:80 198.51.100.140:80 2
check "(b) log says why" grep -q "removing \[198.51.100.11\]:80 from VS \[203.0.113.10\]:80" /tmp/daemon.log

serve1
if poll $bound is 203.0.113.10:80 198.51.100.11:80 3; then ok "(c) .11 back in VS1"; else bad "(c) .11 back in VS1"; ipvsadm -Sn; fi
check "(c) VS2 weight of .11 back to 3" poll 2 is 203.0.113.11:80 198.51.100.11:80 3

kill "$s2"; wait "$s2" 2>/dev/null
if poll $bound is 203.0.113.12:80 198.51.100.140:80 none; then ok "(d) .140 left VS3"; else bad "(d) .140 left VS3"; ipvsadm -Sn; fi
check "(d) VS3 got its sorry server" poll 2 is 203.0.113.12:80 198.51.100.11:80 1
check "(e) one probe per shared check" grep -q "2 probe(s) for 4 checker(s)" /tmp/daemon.log
if [ "$failed" != 0 ]; then tail -n 40 /tmp/daemon.log | sed 's/^/    | /'; fi
finish
EOF

: "${HALBD_VM_TIMEOUT:=300}"
export HALBD_VM_TIMEOUT
{
    bash "$here/run-in-vm.sh" --file "$here/guest-lib.sh:/test/guest-lib.sh" --bin "$HALBD" \
        --env "HALBD_IN_VM=$(basename "$HALBD")" "$tmp/guest.sh"
    echo $? >"$tmp/status"
} | tee "$tmp/output"
status=$(cat "$tmp/status")
[ "$status" = 77 ] && exit 77
if ! grep -Eq '^check-pool: [0-9]+ passed, [0-9]+ failed$' "$tmp/output"; then
    echo "check-pool: 0 passed, 1 failed (the VM gave no result, status $status)"
    exit 1
fi
[ "$status" = 0 ]
