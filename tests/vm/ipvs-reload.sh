#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/vm/ipvs-reload.sh: a SIGHUP reload of a 1,000-service configuration
# changes only what the file changed, with the minimum of netlink writes,
# and leaves unrelated services' connections alone. One VM boot.
#
# In the VM: the topology of ipvs-smoke.sh (client netns -- director --
# reals netns); a generated configuration (no health checkers, so nothing
# changes by itself) with 1,000 NAT services 10.0.x.y:80 of 2 real servers
# each, plus the unrelated service 203.0.113.10:80 -> 198.51.100.11:80
# whose real server is a busybox nc echo server in the reals netns. halbd
# programs it all; three long-lived TCP connections from the client netns
# go through the unrelated service and keep exchanging a line every 0.3 s.
# Then the file is edited (service 10: one real server's weight 1 -> 9;
# service 20: one real server added; service 30: removed), halbd gets
# SIGHUP, and we check:
#   (a) ipvsadm -Sn after = before with exactly those three edits, and
#       ipvsadm -Ln differs from before only in those lines;
#   (b) halbd logs, for the reload, a count of netlink write operations,
#       and it is 3 (update_dest, add_dest, delete_service);
#   (c) the unrelated service's entries in ipvsadm -Lnc (protocol, state,
#       source, virtual, destination; not the expire countdown) are the
#       same before and after, and its connections kept echoing.
# Exit 0 pass, 77 no VM here or no halbd binary, else fail. Ends with
# "ipvs-reload: N passed, N failed". RELOAD_DAEMON=keepalived runs the same
# scenario with keepalived instead (to validate the test itself; the write
# count is then not checked).
set -u

here=$(cd "$(dirname "$0")" && pwd)
command -v bash >/dev/null 2>&1 || { echo "SKIP: the VM harness needs bash"; exit 77; }
daemon=${RELOAD_DAEMON:-halbd}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/halbd-ipvs-reload.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/guest.sh" <<'EOF'
. /test/guest-lib.sh
finish() {
    [ -n "${dpid:-}" ] && kill -TERM "$dpid" 2>/dev/null && poll 20 gone "$dpid"
    for p in ${cpids:-}; do kill "$p" 2>/dev/null; done
    echo "ipvs-reload: $passed passed, $failed failed"
    [ "$failed" = 0 ]
    exit
}
gone() { ! kill -0 "$1" 2>/dev/null; }

# gen_config EDITED: the 1,000 services (+ the unrelated one); EDITED=1
# applies the three edits.
gen_config() {
    awk -v edited="$1" 'BEGIN {
        print "global_defs {\n    router_id reload_test\n}"
        print "virtual_server 203.0.113.10 80 {\n    lvs_sched rr\n    lvs_method NAT\n    protocol TCP"
        print "    real_server 198.51.100.11 80 {\n        weight 1\n    }\n}"
        for (i = 1; i <= 1000; i++) {
            if (edited && i == 30) continue
            printf "virtual_server 10.0.%d.%d 80 {\n    lvs_sched wrr\n    lvs_method NAT\n    protocol TCP\n", int(i / 256), i % 256
            n = (edited && i == 20) ? 3 : 2
            for (j = 1; j <= n; j++) {
                w = (edited && i == 10 && j == 2) ? 9 : j
                printf "    real_server 10.128.%d.%d 8080 {\n        weight %d\n    }\n", int(i / 64), (i % 64) * 4 + j, w
            }
            print "}"
        }
    }'
}

echo "# kernel $(uname -r); daemon $DAEMON"
modprobe crc32c_generic
check "modprobe ip_vs" modprobe ip_vs
modprobe ip_vs_rr
modprobe ip_vs_wrr
modprobe veth
modprobe dummy

check "veth/netns topology set up" director_net 198.51.100.11
# The real server: busybox nc as a persistent echo server (-ll with -e:
# one cat per connection).
ip netns exec reals nc -ll -p 80 -e cat >/dev/null 2>&1 &

gen_config 0 >/test/reload.conf
gen_config 1 >/test/reload.edited
echo "# config: $(grep -c '^virtual_server' /test/reload.conf) services, $(grep -c 'real_server' /test/reload.conf) real servers"

case $DAEMON in
    halbd) "$HALBD_IN_VM" -n -l -f /test/reload.conf -p /run/reload.pid >/tmp/daemon.log 2>&1 & ;;
    keepalived) keepalived -n -l -C -f /test/reload.conf -p /run/reload.pid -c /run/reload-c.pid >/tmp/daemon.log 2>&1 & ;;
esac
dpid=$!
t0=$(date +%s)
programmed() { [ "$(ipvsadm -Sn | grep -c '^-A')" = 1001 ] && [ "$(ipvsadm -Sn | grep -c '^-a')" = 2001 ]; }
if poll 240 programmed; then
    ok "$DAEMON programmed 1,001 services, 2,001 real servers ($(($(date +%s) - t0)) s)"
else
    bad "$DAEMON programmed 1,001 services, 2,001 real servers"
    ipvsadm -Sn | grep -c .
    tail -n 30 /tmp/daemon.log | sed 's/^/    | /'
    finish
fi
# Let it settle (a bounded poll until two listings 1 s apart agree).
ipvsadm -Sn | sort >/tmp/sn.prev
i=0
while [ $i -lt 20 ]; do
    sleep 1
    ipvsadm -Sn | sort >/tmp/sn.before
    cmp -s /tmp/sn.before /tmp/sn.prev && break
    mv /tmp/sn.before /tmp/sn.prev
    i=$((i + 1))
done

# Traffic: three clients, each sending a line every 0.3 s (600 times) through
# the VIP and counting the echoes it gets back.
cpids=""
for c in 1 2 3; do
    ip netns exec client bash -c '
        exec 3<>/dev/tcp/203.0.113.10/80 || exit 1
        n=0
        while [ $n -lt 600 ]; do
            echo "ping $n" >&3
            read -r -t 5 line <&3 || { echo "lost at $n" >>"$0.err"; exit 1; }
            n=$((n + 1)); echo "$n" >"$0"
            sleep 0.3
        done' "/tmp/client$c" &
    cpids="$cpids $!"
done
echoes() { cat /tmp/client1 /tmp/client2 /tmp/client3 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
flowing() { [ -s /tmp/client1 ] && [ -s /tmp/client2 ] && [ -s /tmp/client3 ]; }
check "3 clients exchange lines through 203.0.113.10:80" poll 20 flowing
conns() { ipvsadm -Lnc | awk '$5 ~ /^203\.0\.113\.10:80$/ { print $1, $3, $4, $5, $6 }' | sort; }
conns >/tmp/conns.before
echo "# connections before the reload:"
sed 's/^/    | /' /tmp/conns.before
check "3 ESTABLISHED entries for the unrelated service" \
    test "$(grep -c ' ESTABLISHED ' /tmp/conns.before)" = 3
e0=$(echoes)

# The edit and the reload.
ipvsadm -Ln --sort >/tmp/ln.before
bytes=$(wc -c </tmp/daemon.log)
cp /test/reload.edited /test/reload.conf
kill -HUP "$dpid"
th=$(date +%s)
after_hup() { tail -c "+$((bytes + 1))" /tmp/daemon.log; }
# A reload is reported when a line with a netlink write count appears
# (halbd), else when "configuration reloaded"/"Reload finished" is seen.
reported() { after_hup | grep -Eiq '[0-9]+ (netlink )?(write|request)s?\b'; }
reloaded() { after_hup | grep -Eiq 'configuration reloaded|reload finished|reloaded'; }
reported_or_reloaded() { reported || reloaded; }
poll 60 reported_or_reloaded
[ "$DAEMON" = halbd ] && ! reported && poll 3 reported
echo "# log after SIGHUP ($(($(date +%s) - th)) s):"
after_hup | sed 's/^/    | /' | tail -n 20
# Bounded poll until the listing is the expected one (keepalived applies
# its diff after logging).
sed -e 's/^\(-a -t 10\.0\.0\.10:80 -r 10\.128\.0\.42:8080 -m -w\) 2$/\1 9/' \
    -e '/ 10\.0\.0\.30:80 /d' /tmp/sn.before >/tmp/sn.expected
echo '-a -t 10.0.0.20:80 -r 10.128.0.83:8080 -m -w 3' >>/tmp/sn.expected
sort -o /tmp/sn.expected /tmp/sn.expected
as_expected() { ipvsadm -Sn | sort >/tmp/sn.after && cmp -s /tmp/sn.after /tmp/sn.expected; }
poll 30 as_expected
check "(a) ipvsadm -Sn after = before + exactly the three edits" diff -u /tmp/sn.expected /tmp/sn.after
ipvsadm -Ln --sort >/tmp/ln.after
# (busybox diff only writes unified diffs and has no comm: a set
# difference in awk instead, lines with whitespace squeezed)
tr -s ' ' </tmp/ln.before | sed 's/ $//' >/tmp/ln.b
tr -s ' ' </tmp/ln.after | sed 's/ $//' >/tmp/ln.a
awk 'NR == FNR { b[$0] = 1; next } { a[$0] = 1 }
     END { for (k in b) if (!(k in a)) print "< " k
           for (k in a) if (!(k in b)) print "> " k }' /tmp/ln.b /tmp/ln.a | sort >/tmp/ln.diff
echo "# ipvsadm -Ln --sort, before (<) and after (>):"
sed 's/^/    | /' /tmp/ln.diff
cat >/tmp/ln.want <<'W'
< TCP  10.0.0.30:80 wrr
<   -> 10.128.0.121:8080             Masq    1      0          0         
<   -> 10.128.0.122:8080             Masq    2      0          0         
<   -> 10.128.0.42:8080              Masq    2      0          0         
>   -> 10.128.0.42:8080              Masq    9      0          0         
>   -> 10.128.0.83:8080              Masq    3      0          0         
W
ln_ok() {
    tr -s ' ' </tmp/ln.diff | sed 's/ $//' | sort >/tmp/a
    tr -s ' ' </tmp/ln.want | sed 's/ $//' | sort >/tmp/b
    diff -u /tmp/b /tmp/a
}
check "(a) ipvsadm -Ln changed in exactly those lines" ln_ok

if [ "$DAEMON" = halbd ]; then
    wl=$(after_hup | grep -Ei '[0-9]+ (netlink )?(write|request)s?\b' | tail -n 1)
    n=$(echo "$wl" | sed -En 's/.*[^0-9]([0-9]+) (netlink )?([Ww]rite|[Rr]equest).*/\1/p')
    echo "# write count line: ${wl:-none}"
    if [ -z "$wl" ]; then
        # No count line (yet): count the per-change lines instead, one per
        # write for the edits made here.
        n=$(after_hup | grep -Ec 'IPVS: (added|removed|weight of|real server .* changed|.* changed:)')
        echo "# no write-count line; $n per-change 'IPVS:' lines after SIGHUP instead"
        bad "(b) halbd logs the number of netlink writes of the reload (no such line)"
    fi
    check "(b) the reload took 3 netlink writes (got '${n:-none}')" test "${n:-x}" = 3
fi

sleep 1
conns >/tmp/conns.after
check "(c) the unrelated service's connection entries survived" diff -u /tmp/conns.before /tmp/conns.after
e1=$(echoes)
grew() { [ "$(echoes)" -gt "$e1" ]; }
check "(c) the clients kept getting echoes after the reload ($e0 before, $e1 at the reload)" poll 10 grew
check "(c) no client lost its connection" test ! -e /tmp/client1.err -a ! -e /tmp/client2.err -a ! -e /tmp/client3.err
check "$DAEMON is still running" kill -0 "$dpid"
finish
EOF

set -- --env "DAEMON=$daemon"
have_halbd=no
if [ "$daemon" = halbd ]; then
    if [ -n "${HALBD:-}" ] && [ -f "$HALBD" ] && [ "$(head -c 4 "$HALBD" | od -An -c | tr -d ' ')" = '177ELF' ]; then
        set -- "$@" --bin "$HALBD" --env "HALBD_IN_VM=$(basename "$HALBD")"
        have_halbd=yes
    else
        echo "SKIP: no halbd binary (\$HALBD='${HALBD:-}')"
        echo "ipvs-reload: 0 passed, 0 failed"
        exit 77
    fi
fi

: "${HALBD_VM_TIMEOUT:=600}"
export HALBD_VM_TIMEOUT
{
    bash "$here/run-in-vm.sh" --file "$here/guest-lib.sh:/test/guest-lib.sh" "$@" "$tmp/guest.sh"
    echo $? >"$tmp/status"
} | tee "$tmp/output"
status=$(cat "$tmp/status")

[ "$status" = 77 ] && exit 77
if ! grep -Eq '^ipvs-reload: [0-9]+ passed, [0-9]+ failed$' "$tmp/output"; then
    echo "ipvs-reload: 0 passed, 1 failed (the VM gave no result, status $status)"
    exit 1
fi
[ "$status" = 0 ] || exit 1
[ "$have_halbd" = yes ] || exit 77
exit 0
