#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/vm/ipvs-smoke.sh: proves the VM harness gives us a kernel with working
# IPVS. One boot; inside it: load the modules, program a service with
# ipvsadm, let keepalived program one from a config, and send HTTP through
# that NAT service between two network namespaces joined by veth pairs.
# Exit 0 = all assertions held, 77 = no VM here (no qemu or kernel), else fail.
# If $HALBD names an ELF binary it is copied in and its libraries checked.
set -u

here=$(cd "$(dirname "$0")" && pwd)
command -v bash >/dev/null 2>&1 || { echo "SKIP: the VM harness needs bash"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/halbd-ipvs-smoke.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# keepalived's view of the service: two real servers, no health checkers (a
# real server without a checker is taken as up).
cat >"$tmp/keepalived.conf" <<'EOF'
global_defs {
    router_id halbd_vm_smoke
}
virtual_server 203.0.113.10 80 {
    delay_loop 2
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 198.51.100.11 80 {
        weight 1
    }
    real_server 198.51.100.12 80 {
        weight 2
    }
}
EOF

# The part that runs inside the VM, as root, with /bin/sh.
cat >"$tmp/guest.sh" <<'EOF'
. /test/guest-lib.sh
ipvs_has() { ipvsadm -Ln | grep -Eq "$1"; }
ipvs_lacks() { ! ipvsadm -Ln | grep -Eq "$1"; }

echo "# kernel $(uname -r)"

# 1. Modules. libcrc32c asks the crypto API for crc32c at load time, which
# busybox/kmod-less modprobe does not resolve as a soft dependency.
check "modprobe crc32c_generic" modprobe crc32c_generic
check "modprobe ip_vs" modprobe ip_vs
for s in rr wrr lc wlc sh; do
    check "modprobe ip_vs_$s" modprobe "ip_vs_$s"
done
check "modprobe veth" modprobe veth
check "/proc/net/ip_vs exists" test -e /proc/net/ip_vs

# 2. ipvsadm by hand.
check "ipvsadm -A -t 10.0.0.1:80 -s rr" ipvsadm -A -t 10.0.0.1:80 -s rr
check "ipvsadm -a -t 10.0.0.1:80 -r 10.0.0.2:80 -m -w 3" \
    ipvsadm -a -t 10.0.0.1:80 -r 10.0.0.2:80 -m -w 3
ipvsadm -Ln
check "ipvsadm -Ln shows the service" ipvs_has '^TCP +10\.0\.0\.1:80 +rr'
check "ipvsadm -Ln shows the real server (Masq, weight 3)" \
    ipvs_has '^ +-> 10\.0\.0\.2:80 +Masq +3 '
check "ipvsadm -C" ipvsadm -C
check "table empty after ipvsadm -C" ipvs_lacks '^TCP'

# 3. Network: client netns -- c0/c1 -- director (the VM's own netns, holding
# the VIP on a dummy link) -- r0/r1 -- reals netns with both real servers.
# Documentation-only ranges; nothing leaves the VM (it has no NIC).
setup_net() (
    set -e
    director_net 198.51.100.11 198.51.100.12
    mkdir -p /www/a /www/b
    echo real-a >/www/a/index.html
    echo real-b >/www/b/index.html
    ip netns exec reals httpd -p 198.51.100.11:80 -h /www/a
    ip netns exec reals httpd -p 198.51.100.12:80 -h /www/b
)
# fetch NETNS IP: the body of GET / from IP:80. Not busybox wget: the static
# Debian busybox crashes in its name-service code; bash's /dev/tcp works.
fetch() {
    ip netns exec "$1" timeout 5 bash -c \
        'exec 3<>"/dev/tcp/$0/80" && printf "GET / HTTP/1.0\r\n\r\n" >&3 && cat <&3' "$2" |
        tr -d '\r' | sed '1,/^$/d' | grep .
}
check "veth/netns topology set up" setup_net
check "real server a answers directly" poll 5 fetch reals 198.51.100.11
check "real server b answers directly" poll 5 fetch reals 198.51.100.12

# 4. keepalived programs the virtual server from its config.
keepalived -n -l -C -f /test/keepalived.conf >/tmp/keepalived.log 2>&1 &
ka=$!
check "keepalived adds 203.0.113.10:80 with both real servers" \
    poll 20 ipvs_has '^ +-> 198\.51\.100\.12:80 +Masq +2 '
ipvsadm -Ln --sort
check "service rr from keepalived" ipvs_has '^TCP +203\.0\.113\.10:80 +rr'
check "real server .11 weight 1" ipvs_has '^ +-> 198\.51\.100\.11:80 +Masq +1 '

# 5. Traffic through the NAT service: rr alternates between the two reals.
: >/tmp/answers
i=0
while [ $i -lt 4 ]; do
    fetch client 203.0.113.10 >>/tmp/answers 2>&1
    i=$((i + 1))
done
echo "# answers through the VIP: $(tr '\n' ' ' </tmp/answers)"
check "4 requests through the VIP answered" test "$(grep -c '^real-' /tmp/answers)" = 4
check "real server a served 2 of them" test "$(grep -c '^real-a$' /tmp/answers)" = 2
check "real server b served 2 of them" test "$(grep -c '^real-b$' /tmp/answers)" = 2
# The kernel folds its per-CPU counters into these figures every 2 s.
ipvs_has_conns() { ipvsadm -Ln --stats | grep -Eq '^TCP +203\.0\.113\.10:80 +4 '; }
check "IPVS counted 4 connections" poll 10 ipvs_has_conns
ipvsadm -Ln --stats --sort

# 6. keepalived stops and takes its service away.
kill -TERM "$ka" 2>/dev/null
ka_gone() { ! kill -0 "$ka" 2>/dev/null; }
check "keepalived exits on SIGTERM" poll 20 ka_gone
wait "$ka" 2>/dev/null
check "keepalived removed its service" ipvs_lacks '203\.0\.113\.10:80'
if [ "$failed" != 0 ]; then
    echo "# keepalived log:"
    sed 's/^/    | /' /tmp/keepalived.log | tail -n 40
fi

# 7. The binary under test, if one was passed: present, libraries resolved.
if [ -n "${HALBD_IN_VM:-}" ]; then
    check "$HALBD_IN_VM copied in" test -x "/usr/local/bin/$HALBD_IN_VM"
    no_missing_libs() { ! /lib64/ld-linux-x86-64.so.2 --list "$1" 2>&1 | grep -q 'not found'; }
    check "$HALBD_IN_VM: shared libraries resolve" no_missing_libs "/usr/local/bin/$HALBD_IN_VM"
fi

for p in $(pidof httpd); do kill "$p"; done
echo "ipvs-smoke: $passed passed, $failed failed"
[ "$failed" = 0 ]
EOF

set -- --file "$tmp/keepalived.conf:/test/keepalived.conf"
# The binary under test rides along when it is a real ELF file.
if [ -n "${HALBD:-}" ] && [ -f "$HALBD" ] && [ "$(head -c 4 "$HALBD" | od -An -c | tr -d ' ')" = '177ELF' ]; then
    set -- "$@" --bin "$HALBD" --env "HALBD_IN_VM=$(basename "$HALBD")"
fi

{
    bash "$here/run-in-vm.sh" --file "$here/guest-lib.sh:/test/guest-lib.sh" "$@" "$tmp/guest.sh"
    echo $? >"$tmp/status"
} | tee "$tmp/output"
status=$(cat "$tmp/status")

[ "$status" = 77 ] && exit 77
if [ "$status" = 0 ] && grep -Eq '^ipvs-smoke: [0-9]+ passed, 0 failed$' "$tmp/output"; then
    exit 0
fi
if ! grep -Eq '^ipvs-smoke: [0-9]+ passed, [0-9]+ failed$' "$tmp/output"; then
    echo "ipvs-smoke: 0 passed, 1 failed (the VM gave no result, status $status)"
fi
exit 1
