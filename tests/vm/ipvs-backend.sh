#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/vm/ipvs-backend.sh: IpvsBackend against a real kernel. On the host
# (no IPVS there) ipvs_probe must give its one clear error and exit 3; then
# ONE VM boots, ipvs_probe programs services and destinations of every kind
# (loading ip_vs itself), and the real ipvsadm must show exactly that.
# Exit 0 = all checks held, 77 = no VM here, else fail.
# The probe: $IPVS_PROBE, else $top_builddir/tests/vm/ipvs_probe.
set -u

here=$(cd "$(dirname "$0")" && pwd)
probe=${IPVS_PROBE:-${top_builddir:-.}/tests/vm/ipvs_probe}
command -v bash >/dev/null 2>&1 || { echo "SKIP: the VM harness needs bash"; exit 77; }
[ -x "$probe" ] || { echo "ipvs-backend: no probe at $probe (make check builds it)"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/halbd-ipvs-backend.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
host_passed=0
host_failed=0

# 1. The host: only where nothing can change, i.e. IPVS is absent and
# `modprobe -n ip_vs` finds no module to load.
if [ ! -e /proc/net/ip_vs ] && ! modprobe -n -q ip_vs 2>/dev/null; then
    "$probe" --expect-no-ipvs >"$tmp/host.out" 2>"$tmp/host.err"
    rc=$?
    cat "$tmp/host.err"
    want="ipvs_probe: the kernel has no IPVS (generic netlink family 'IPVS' not found, modprobe ip_vs failed): virtual servers cannot be programmed"
    if [ "$rc" = 3 ] && [ "$(cat "$tmp/host.err")" = "$want" ]; then
        host_passed=1
        echo "ok - host without IPVS: one clear error, exit 3"
    else
        host_failed=1
        echo "not ok - host without IPVS: exit $rc, stderr above"
    fi
else
    echo "skip - host check: this kernel has IPVS or could load it"
fi

# 2. The VM.
cat >"$tmp/guest.sh" <<'EOF'
. /test/guest-lib.sh
# same NAME EXPECTED-FILE ACTUAL-FILE
same() {
    if diff -u "$2" "$3" >/tmp/diff; then ok "$1"; else bad "$1"; sed 's/^/    | /' /tmp/diff; fi
}

# crc32c first (see README); ip_vs itself is left for the probe to load.
modprobe crc32c_generic
modprobe dummy  # makes dummy0 (numdummies=1) on most kernels
ip link show dummy0 >/dev/null 2>&1 || ip link add dummy0 type dummy
ip link set dummy0 up
[ -e /proc/net/ip_vs ] && bad "ip_vs loaded before the probe ran" || ok "ip_vs not loaded yet"

mkdir -p /tmp/p
start=$(date +%s)
if ipvs_probe program /tmp/p; then ok "ipvs_probe program"; else bad "ipvs_probe program"; fi
echo "probe program took $(( $(date +%s) - start )) s"
[ -e /proc/net/ip_vs ] && ok "the probe loaded ip_vs" || bad "the probe loaded ip_vs"

ipvsadm -Ln --sort >/tmp/Ln.txt 2>&1
ipvsadm -Ln --timeout >/tmp/timeout.txt 2>&1
ipvsadm -Ln --daemon >/tmp/daemon.txt 2>&1
echo "=== ipvsadm -Ln --sort"; cat /tmp/Ln.txt
echo "=== ipvsadm -Ln --timeout"; cat /tmp/timeout.txt
echo "=== ipvsadm -Ln --daemon"; cat /tmp/daemon.txt
echo "=== ipvsadm -Ln --tun-info (for the record)"; ipvsadm -Ln --tun-info 2>&1 | grep -A7 '10.0.0.1:8000 '
same "ipvsadm -Ln --sort shows exactly what was programmed" /tmp/p/expect-Ln.txt /tmp/Ln.txt
same "ipvsadm -Ln --timeout shows the timeouts set" /tmp/p/expect-timeout.txt /tmp/timeout.txt
same "ipvsadm -Ln --daemon shows both sync daemons" /tmp/p/expect-daemon.txt /tmp/daemon.txt

if ipvs_probe cleanup; then ok "ipvs_probe cleanup"; else bad "ipvs_probe cleanup"; fi
n=$(ipvsadm -Ln | tail -n +4 | wc -l)
[ "$n" = 0 ] && ok "ipvsadm -Ln: no service left" || bad "ipvsadm -Ln: $n lines left"
[ -z "$(ipvsadm -Ln --daemon)" ] && ok "ipvsadm -Ln --daemon: none left" || bad "daemons left"

echo "ipvs-backend: $passed passed, $failed failed"
[ "$failed" = 0 ]
EOF

{
    bash "$here/run-in-vm.sh" --file "$here/guest-lib.sh:/test/guest-lib.sh" --bin "$probe" "$tmp/guest.sh"
    echo $? >"$tmp/status"
} | tee "$tmp/output"
status=$(cat "$tmp/status")

[ "$status" = 77 ] && exit 77
if [ "$status" = 0 ] && [ "$host_failed" = 0 ] &&
    grep -Eq '^ipvs-backend: [0-9]+ passed, 0 failed$' "$tmp/output"; then
    exit 0
fi
if ! grep -Eq '^ipvs-backend: [0-9]+ passed, [0-9]+ failed$' "$tmp/output"; then
    echo "ipvs-backend: 0 passed, 1 failed (the VM gave no result, status $status)"
fi
exit 1
