#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/vm/ipvs-halbctl.sh: `halbctl ipvs` prints what halbd programmed
# exactly as the kernel's own `ipvsadm -Ln --sort` shows it. One VM boot;
# for each of tests/vm/ipvs-configs (every scheduler, NAT/DR/TUN, fwmark,
# virtual_server_group, IPv6 with persistence and granularity, ops, sh-/mh-
# flags; no health checkers, so every real server is up from the start):
# halbd -C programs IPVS, and then
#   (a) halbctl ipvs == ipvsadm -Ln --sort, byte for byte;
#   (b) halbctl ipvs --json lists as many services and destinations;
#   (c) halbctl status counts the same services;
# then TERM. The control socket is created once the first configuration is
# applied, so no settling is needed: its appearance is the signal.
# Last, halbd starts with no virtual server (forwarding not running) and
# `halbctl reload` of a file that adds one programs it into IPVS.
# Exit 0 pass, 77 no VM here or no halbd/halbctl binary, else fail. Ends
# with "ipvs-halbctl: N passed, N failed".
set -u

here=$(cd "$(dirname "$0")" && pwd)
command -v bash >/dev/null 2>&1 || { echo "SKIP: the VM harness needs bash"; exit 77; }

is_elf() { [ -n "${1:-}" ] && [ -f "$1" ] && [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; }
if ! is_elf "${HALBD:-}" || ! is_elf "${HALBCTL:-}"; then
    echo "SKIP: needs the halbd and halbctl binaries (\$HALBD='${HALBD:-}', \$HALBCTL='${HALBCTL:-}')"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/halbd-ipvs-halbctl.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/guest.sh" <<'EOF'
. /test/guest-lib.sh
gone() { ! kill -0 "$1" 2>/dev/null; }
modprobe crc32c_generic
check "modprobe ip_vs" modprobe ip_vs
missing=""
for s in rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos; do
    modprobe "ip_vs_$s" 2>/dev/null || missing="$missing $s"
done
modprobe dummy
for i in eth0 eth1; do ip link add "$i" type dummy && ip link set "$i" up; done
sock=/run/halbd.ctl

for file in /test/cfg/*.conf; do
    name=$(basename "$file" .conf)
    need=$(awk '$1 == "lb_algo" || $1 == "lvs_sched" { print $2 }' "$file" | sort -u)
    skip=""
    for s in $need; do
        case " $missing " in *" $s "*) skip="$skip $s" ;; esac
    done
    if [ -n "$skip" ]; then
        echo "# SKIP $name: the kernel lacks scheduler(s)$skip"
        continue
    fi
    echo "# === $name"
    ipvsadm -C
    halbd -n -l -G -C -i lb1 -f "$file" -p /run/halbd.pid >"/tmp/$name.log" 2>&1 &
    pid=$!
    if ! poll 40 test -S "$sock"; then
        bad "$name: the control socket appeared"
        sed 's/^/    | /' "/tmp/$name.log" | tail -n 20
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        continue
    fi
    halbctl ipvs >"/tmp/$name.halbctl" 2>&1
    ipvsadm -Ln --sort >"/tmp/$name.ipvsadm" 2>&1
    if grep -q '^  ->' "/tmp/$name.ipvsadm" && diff -u "/tmp/$name.ipvsadm" "/tmp/$name.halbctl" >/tmp/diff 2>&1; then
        ok "$name: halbctl ipvs is ipvsadm -Ln --sort ($(grep -c '^[A-Z]' "/tmp/$name.ipvsadm") lines of services)"
    else
        bad "$name: halbctl ipvs is ipvsadm -Ln --sort (- ipvsadm, + halbctl)"
        sed 's/^/    | /' /tmp/diff
    fi
    services=$(ipvsadm -Sn | grep -c '^-A')
    dests=$(ipvsadm -Sn | grep -c '^-a')
    halbctl ipvs --json >"/tmp/$name.json" 2>&1
    js=$(grep -o '"scheduler":' "/tmp/$name.json" | wc -l)
    jd=$(grep -o '"method":' "/tmp/$name.json" | wc -l)
    if [ "$js" = "$services" ] && [ "$jd" = "$dests" ] && head -c 19 "/tmp/$name.json" | grep -qF '{"ok":true,"data":['; then
        ok "$name: halbctl ipvs --json has $services service(s), $dests destination(s)"
    else
        bad "$name: halbctl ipvs --json has $js service(s) and $jd destination(s), ipvsadm $services and $dests"
        head -c 600 "/tmp/$name.json" | sed 's/^/    | /'
    fi
    halbctl status >/tmp/status 2>&1
    check "$name: halbctl status counts $services service(s)" \
        grep -qE "^forwarding: IPVS \(.*\), $services service\(s\), $dests destination\(s\)$" /tmp/status
    kill -TERM "$pid"
    poll 20 gone "$pid" || { bad "$name: halbd exited on TERM"; kill -KILL "$pid"; }
    wait "$pid" 2>/dev/null
    check "$name: the control socket is removed on stop" test ! -e "$sock"
done

echo "# === the first virtual_server arrives with a reload"
ipvsadm -C
printf 'global_defs {\n    router_id lb1\n}\n' >/tmp/first.conf
halbd -n -l -G -C -i lb1 -f /tmp/first.conf -p /run/halbd.pid >/tmp/first.log 2>&1 &
pid=$!
if poll 40 test -S "$sock"; then
    halbctl ipvs >/tmp/first.ipvs 2>&1
    check "no virtual_server: halbctl ipvs says forwarding is not running" \
        grep -qF "forwarding is not running: the configuration has no virtual_server" /tmp/first.ipvs
    cat /test/cfg/"$(ls /test/cfg | head -1)" >/tmp/first.conf
    halbctl reload >/tmp/first.reload 2>&1
    check "halbctl reload accepts the file with virtual servers" grep -qF "configuration reloaded" /tmp/first.reload
    check "the reload programmed IPVS" sh -c 'ipvsadm -Sn | grep -q "^-A"'
    halbctl ipvs >/tmp/first.halbctl 2>&1
    ipvsadm -Ln --sort >/tmp/first.ipvsadm 2>&1
    check "after the reload, halbctl ipvs is ipvsadm -Ln --sort" diff -u /tmp/first.ipvsadm /tmp/first.halbctl
else
    bad "no virtual_server: the control socket appeared"
    sed 's/^/    | /' /tmp/first.log | tail -n 20
fi
kill -TERM "$pid"
poll 20 gone "$pid" || { bad "halbd exited on TERM"; kill -KILL "$pid"; }
wait "$pid" 2>/dev/null
check "TERM removed what the reload programmed" sh -c '! ipvsadm -Sn | grep -q "^-A"'
ipvsadm -C
echo "ipvs-halbctl: $passed passed, $failed failed"
[ "$failed" = 0 ]
EOF

set --
for f in "$here"/ipvs-configs/*.conf; do
    set -- "$@" --file "$f:/test/cfg/$(basename "$f")"
done
: "${HALBD_VM_TIMEOUT:=600}"
export HALBD_VM_TIMEOUT
{
    bash "$here/run-in-vm.sh" --file "$here/guest-lib.sh:/test/guest-lib.sh" --bin "$HALBD" --bin "$HALBCTL" \
        "$@" "$tmp/guest.sh"
    echo $? >"$tmp/status"
} | tee "$tmp/output"
status=$(cat "$tmp/status")
[ "$status" = 77 ] && exit 77
if ! grep -Eq '^ipvs-halbctl: [0-9]+ passed, [0-9]+ failed$' "$tmp/output"; then
    echo "ipvs-halbctl: 0 passed, 1 failed (the VM gave no result, status $status)"
    exit 1
fi
[ "$status" = 0 ]
