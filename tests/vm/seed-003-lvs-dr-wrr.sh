#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/vm/seed-003-lvs-dr-wrr.sh: seed article 003 (LVS DR, wrr, VRRP,
# TCP_CHECK) end to end on IPVS, which only the VM's kernel has. One boot.
# etc/examples/lvs-dr-wrr.conf runs on two directors (-i lb1 / -i lb2)
# through one fixed address map (MAP: 10.10.10.0/24 -> 192.0.2.0/24, the
# article's smtp_server -> 203.0.113.1). In the VM, one LAN (macvlan bridge
# on a dummy: a switch with no bridge module) joins the client c
# (192.0.2.50), lb1 (.30), lb2 (.29) and the real servers rs1 (.31), rs2
# (.32), each holding the VIP 192.0.2.22/32 on lo with the article's
# arp_ignore=1 / arp_announce=2 and a busybox httpd on all addresses.
# Asserted on traffic and on the IPVS table:
#   (a) lb1 holds the VIP, lb2 not; lb1's IPVS has both reals as Route,
#       weight 3; the client's ARP entry for the VIP is lb1's MAC (the real
#       servers keep quiet about it);
#   (b) 20 requests from the one client: 10 on each (wrr 3:3, persistence 0:
#       no stickiness); DR: the director saw the requests but no reply;
#   (c) rs2's web server killed: it leaves lb1's table within the article's
#       check bound (delay_loop 6 + nb_get_retry 3 x delay_before_retry 3 =
#       15 s, +10 s slack under TCG), then every request lands on rs1;
#   (d) lb1 dies (kill -9, link down): lb2 holds the VIP and requests are
#       served through it (rs1 only: lb2 checked rs2 too); the figures;
#   (e) the variant that must break: arp_ignore 0 on rs1: rs1 answers the
#       client's ARP for the VIP too (so arp_ignore is what (a) proved);
#   (f) the article's ipvsadm values (-p 20; rs2 at weight 1 to tell the
#       weights apart), reloaded into lb2 with SIGHUP: eight clients, three
#       requests each: each stays on one server, and the clients split 6:2.
# Exit 0 pass, 77 no VM or no halbd binary, else fail.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
command -v bash >/dev/null 2>&1 || { echo "SKIP: the VM harness needs bash"; exit 77; }
if [ -z "${HALBD:-}" ] || [ ! -f "$HALBD" ]; then
    echo "SKIP: no halbd binary (\$HALBD='${HALBD:-}')"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/halbd-seed-003.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
MAP='s/10\.10\.10\./192.0.2./g; s/192\.168\.80\.1/203.0.113.1/g'
sed "$MAP" "$top/etc/examples/lvs-dr-wrr.conf" >"$tmp/seed.conf"

cat >"$tmp/guest.sh" <<'EOF'
. /test/guest-lib.sh
VIP=192.0.2.22
now_ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
finish() {
    for p in ${h1:-} ${h2:-}; do kill -TERM "$p" 2>/dev/null; done
    for n in rs1 rs2; do ip netns pids $n 2>/dev/null | xargs -r kill 2>/dev/null; done
    if [ "$failed" != 0 ]; then
        for n in lb1 lb2; do echo "# $n log:"; tail -n 25 /tmp/$n.log | sed 's/^/    | /'; done
    fi
    echo "seed-003: $passed passed, $failed failed"
    [ "$failed" = 0 ]
    exit
}
modprobe crc32c_generic
check "modprobe ip_vs" modprobe ip_vs
modprobe ip_vs_wrr
modprobe macvlan
modprobe dummy

# One LAN: macvlan devices in bridge mode on one dummy parent reach each
# other (broadcast and multicast too), as ports of a switch.
lan() (
    set -e
    ip link add lan0 type dummy
    ip link set lan0 up
    for spec in c=50 lb1=30 lb2=29 rs1=31 rs2=32; do
        n=${spec%%=*}
        ip netns add $n
        ip link add link lan0 name m$n type macvlan mode bridge
        ip link set m$n netns $n
        ip -n $n link set m$n name eth0
        ip -n $n addr add 192.0.2.${spec#*=}/24 dev eth0
        ip -n $n link set eth0 up
        ip -n $n link set lo up
    done
    for n in rs1 rs2; do
        ip -n $n addr add $VIP/32 dev lo
        ip netns exec $n sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.lo.arp_ignore=1 \
            net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.lo.arp_announce=2
        mkdir -p /www/$n
        echo $n >/www/$n/index.html
    done
)
check "the LAN: c, lb1, lb2, rs1, rs2" lan
serve() { ip netns exec $1 httpd -f -p 80 -h /www/$1 & eval "w_$1=\$!"; }
serve rs1
serve rs2
# fetch [NS]: the body of GET / from the VIP, from the client c or NS (bash's /dev/tcp).
fetch() {
    ip netns exec ${1:-c} timeout 3 bash -c \
        'exec 3<>"/dev/tcp/$0/80" && printf "GET / HTTP/1.0\r\n\r\n" >&3 && cat <&3' $VIP 2>/dev/null |
        tr -d '\r' | sed '1,/^$/d' | grep . || echo ERROR
}
fetches() { i=0; : >"$2"; while [ $i -lt "$1" ]; do fetch >>"$2"; i=$((i + 1)); done; }
count() { grep -c "^$2\$" "$1"; }
dest() { ip netns exec lb1 ipvsadm -Ln | grep -E "^ +-> 192\.0\.2\.$1:80 +Route +3 "; }
no_dest() { ! ip netns exec lb1 ipvsadm -Ln | grep -q "192\.0\.2\.$1:80"; }
has_vip() { ip -n $1 -o addr show dev eth0 | grep -q " $VIP/"; }
mac() { ip -n $1 -o link show eth0 | sed 's/.*link\/ether \([0-9a-f:]*\).*/\1/'; }
vip_mac_is() { ip -n c neigh show $VIP | grep -q "lladdr $1"; }

ip netns exec lb1 "$HALBD_IN_VM" -n -l -D -G -f /test/seed.conf -i lb1 -p /run/lb1.pid \
    --control-socket /run/lb1.ctl >/tmp/lb1.log 2>&1 &
h1=$!
cp /test/seed.conf /run/lb2.conf  # (f) reloads lb2 with the article's ipvsadm values
ip netns exec lb2 "$HALBD_IN_VM" -n -l -D -G -f /run/lb2.conf -i lb2 -p /run/lb2.pid \
    --control-socket /run/lb2.ctl >/tmp/lb2.log 2>&1 &
h2=$!

echo "# (a) lb1 master, DR wrr to both"
check "(a) lb1 holds the VIP" poll 30 has_vip lb1
check "(a) lb1's IPVS: rs1 Route weight 3" poll 30 dest 31
check "(a) lb1's IPVS: rs2 Route weight 3" poll 30 dest 32
check "(a) lb2 does not hold the VIP" sh -c "! ip -n lb2 -o addr show dev eth0 | grep -q ' $VIP/'"
ip netns exec lb1 ipvsadm -Ln | sed 's/^/# lb1| /'

echo "# (b) 20 requests from one client"
fetches 20 /tmp/b
echo "# rs1 $(count /tmp/b rs1) rs2 $(count /tmp/b rs2) failed $(count /tmp/b ERROR)"
check "(b) 10 requests on each real server, none failed" \
    test "$(count /tmp/b rs1) $(count /tmp/b rs2) $(count /tmp/b ERROR)" = "10 10 0"
check "(a) the client's ARP entry for the VIP is lb1's MAC $(mac lb1)" vip_mac_is "$(mac lb1)"
# ipvsadm -Ln --stats: Conns InPkts OutPkts ...; DR never sees the replies.
ip netns exec lb1 ipvsadm -Ln --stats | sed 's/^/# lb1| /'
stats() { ip netns exec lb1 ipvsadm -Ln --stats | awk -v vs="$VIP:80" '$2 == vs { print $3, $4, $5 }'; }
dr_stats() { set -- $(stats); [ "${1:-0}" -ge 20 ] && [ "${2:-0}" -gt 0 ] && [ "${3:-1}" = 0 ]; }
check "(b) DR: lb1 counted 20 connections and their packets in, no packet out" poll 10 dr_stats

echo "# (c) rs2's web server dies"
kill "$w_rs2"; wait "$w_rs2" 2>/dev/null
t=$(now_ms)
if poll 25 no_dest 32; then
    ok "(c) rs2 left lb1's pool $(($(now_ms) - t)) ms after its server died (bound 15 s + 10 s)"
else bad "(c) rs2 left lb1's pool within 25 s"; ip netns exec lb1 ipvsadm -Ln; fi
check "(c) rs1 stays" dest 31
fetches 10 /tmp/c
check "(c) 10 requests, all on rs1" test "$(count /tmp/c rs1)" = 10

echo "# (d) lb1 dies"
lb2_ready() { ! ip netns exec lb2 ipvsadm -Ln | grep -q "192\.0\.2\.32:80"; }
check "(d) lb2 has dropped rs2 as well (it checks too)" poll 25 lb2_ready
t=$(now_ms)
ip netns pids lb1 | xargs -r kill -KILL
ip -n lb1 link set eth0 down
check "(d) lb2 takes the VIP" poll 15 has_vip lb2
echo "# lb2 holds the VIP $(($(now_ms) - t)) ms after the kill"
served() { [ "$(fetch)" = rs1 ]; }
check "(d) a request is served through lb2" poll 15 served
echo "# first request served through lb2 $(($(now_ms) - t)) ms after the kill"
fetches 10 /tmp/d
check "(d) 10 requests through lb2, all on rs1" test "$(count /tmp/d rs1)" = 10
check "(d) the client's ARP entry for the VIP is lb2's MAC" vip_mac_is "$(mac lb2)"

echo "# (e) without arp_ignore the real server answers ARP for the VIP"
# MACs compared without leading zeros (busybox arping prints them as
# ether_ntoa does, ip with them).
unpad() { tr 'A-F' 'a-f' | sed 's/\[0\([0-9a-f]\)/[\1/; s/:0\([0-9a-f]\)/:\1/g'; }
rs1_mac=$(echo "[$(mac rs1)]" | unpad)
arp_replies() {
    ip netns exec c arping -c 3 -w 2 -I eth0 $VIP >/tmp/arping.raw 2>&1
    sed 's/^/# /' /tmp/arping.raw
    unpad </tmp/arping.raw >/tmp/arping
}
arp_replies
check "(e) with arp_ignore 1 rs1 ($rs1_mac) does not answer the ARP request for the VIP" \
    sh -c "grep -q 'reply from' /tmp/arping && ! grep -qF '$rs1_mac' /tmp/arping"
ip netns exec rs1 sysctl -qw net.ipv4.conf.all.arp_ignore=0 net.ipv4.conf.lo.arp_ignore=0 \
    net.ipv4.conf.eth0.arp_ignore=0
arp_replies
check "(e) with arp_ignore 0 it does" grep -qF "$rs1_mac" /tmp/arping
ip netns exec rs1 sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.lo.arp_ignore=1 \
    net.ipv4.conf.eth0.arp_ignore=1

echo "# (f) the article's ipvsadm values on lb2: -p 20, rs2 at weight 1 (reload)"
serve rs2
sed 's/persistence_timeout 0/persistence_timeout 20/' /test/seed.conf |
    awk '/weight 3/ && ++n == 2 { sub(/weight 3/, "weight 1") } { print }' >/run/lb2.conf
kill -HUP "$h2"
p20() { ip netns exec lb2 ipvsadm -Ln | grep -q "^TCP  $VIP:80 wrr persistent 20" &&
    ip netns exec lb2 ipvsadm -Ln | grep -Eq "^ +-> 192\.0\.2\.32:80 +Route +1 "; }
check "(f) lb2's IPVS: persistent 20, rs2 back at weight 1" poll 30 p20
ip netns exec lb2 ipvsadm -Ln | sed 's/^/# lb2| /'
clients() (
    set -e
    for k in 1 2 3 4 5 6 7 8; do
        ip netns add k$k
        ip link add link lan0 name mk$k type macvlan mode bridge
        ip link set mk$k netns k$k
        ip -n k$k addr add 192.0.2.6$k/24 dev mk$k
        ip -n k$k link set mk$k up
    done
)
check "(f) eight more clients" clients
: >/tmp/f
for round in 1 2 3; do
    for k in 1 2 3 4 5 6 7 8; do echo "k$k $(fetch k$k)" >>/tmp/f; done
done
sort -u /tmp/f >/tmp/f.pairs
echo "# clients per server: rs1 $(grep -c ' rs1$' /tmp/f.pairs) rs2 $(grep -c ' rs2$' /tmp/f.pairs)"
check "(f) 24 requests, none failed" test "$(grep -c ' ERROR$' /tmp/f)" = 0
check "(f) each client stays on one server (persistence)" test "$(cut -d' ' -f1 /tmp/f.pairs | uniq -d | wc -l)" = 0
check "(f) wrr 3:1 over the clients: rs1 6, rs2 2" \
    test "$(grep -c ' rs1$' /tmp/f.pairs) $(grep -c ' rs2$' /tmp/f.pairs)" = "6 2"
finish
EOF

: "${HALBD_VM_TIMEOUT:=300}"
export HALBD_VM_TIMEOUT
{
    bash "$here/run-in-vm.sh" --file "$here/guest-lib.sh:/test/guest-lib.sh" --file "$tmp/seed.conf:/test/seed.conf" \
        --bin "$HALBD" --env "HALBD_IN_VM=$(basename "$HALBD")" "$tmp/guest.sh"
    echo $? >"$tmp/status"
} | tee "$tmp/output"
status=$(cat "$tmp/status")
[ "$status" = 77 ] && exit 77
if ! grep -Eq '^seed-003: [0-9]+ passed, [0-9]+ failed$' "$tmp/output"; then
    echo "seed-003: 0 passed, 1 failed (the VM gave no result, status $status)"
    exit 1
fi
[ "$status" = 0 ]
