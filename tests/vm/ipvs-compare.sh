#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/vm/ipvs-compare.sh: halbd must program IPVS exactly as keepalived
# does. One VM boot; for every configuration, keepalived programs IPVS from
# it, the table is saved (several ipvsadm views) and cleared, then halbd
# programs it from the same file, and the two saves must be identical.
# Exit 0 = every comparison held, 77 = no VM here or no halbd binary
# ($HALBD; the keepalived half still runs and validates the configs),
# anything else = failure. Ends with "ipvs-compare: N passed, N failed".
#
# Configurations, each copied into the VM once and read by both daemons:
#   ex-*      etc/examples/*.conf that have a virtual_server (seed articles)
#   sample-*  keepalived's own samples with a virtual_server
#             (/usr/share/doc/keepalived/samples, when installed)
#   own-*     tests/vm/ipvs-configs/*.conf: every scheduler, NAT/DR/TUN
#             (ipip, gue, gre), fwmark, virtual_server_group (ranges, CIDR,
#             fwmark, IPv6), IPv6, persistence and granularity, ops,
#             sh-/mh- flags, lvs_timeouts, sorry_server and quorum
#   checked-* tests/vm/ipvs-configs/checked/*.conf, kept with their checkers:
#             issue 12's classes (MISC_CHECK without its script, bindto not
#             local for TCP_CHECK and UDP_CHECK, DNS_CHECK with no route)
#
# VRRP: both daemons run with -C (checker/IPVS part only) and -i lb1, so
# VRRP sections are parsed but not run; dummy interfaces eth0 and eth1
# exist in the VM anyway, for configurations that name them.
#
# Determinism: keepalived adds every real server at start and removes one
# only after its checker fails, which in this VM (no real servers) would
# happen at a random time after the checker's warm-up. So every health
# checker block (HTTP_GET, SSL_GET, TCP_CHECK, MISC_CHECK, SMTP_CHECK,
# DNS_CHECK, UDP_CHECK, PING_CHECK/ICMP_CHECK, BFD_CHECK, FILE_CHECK) is
# stripped from the copies of the examples and samples: a real server
# without a checker is up from the start and stays up. Our own
# configurations have no checkers at all. A daemon is taken as done when
# `ipvsadm -Sn` has stopped changing for 1.5 s (bounded poll, 40 s).
#
# Compared, per configuration: ipvsadm -Ln --sort; with --persistent-conn,
# --thresholds and --tun-info; ipvsadm -Ln --timeout; ipvsadm -Ln --daemon;
# and ipvsadm -Sn (sorted), which also shows scheduler flags and tunnel
# options. Also checked: each daemon removes what it added on SIGTERM.
# Kernel timeouts and sync daemons are reset between runs
# (ipvsadm --set 900 120 300, the kernel defaults).
#
# A configuration naming a scheduler the VM kernel lacks (twos before Linux
# 6.2) is skipped with a note. KEEP_OUTPUT=DIR keeps the guest output.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
command -v bash >/dev/null 2>&1 || { echo "SKIP: the VM harness needs bash"; exit 77; }
samples=${KEEPALIVED_SAMPLES:-/usr/share/doc/keepalived/samples}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/halbd-ipvs-compare.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# strip_checkers < in > out: drop every health-checker block (and bare
# checker keywords such as ICMP_CHECK); everything else passes unchanged.
strip_checkers() {
    awk '
    function braces(s,   t, o, c) {
        sub(/[#!].*/, "", s)
        t = s; o = gsub(/\{/, "", t)
        t = s; c = gsub(/\}/, "", t)
        return o - c
    }
    depth > 0 { depth += braces($0); next }
    pending {
        if ($0 ~ /^[ \t]*$/) next
        pending = 0
        if ($0 ~ /^[ \t]*\{/) { depth = braces($0); next }
    }
    /^[ \t]*(HTTP_GET|SSL_GET|TCP_CHECK|MISC_CHECK|SMTP_CHECK|DNS_CHECK|UDP_CHECK|PING_CHECK|ICMP_CHECK|BFD_CHECK|FILE_CHECK)([ \t{]|$)/ {
        depth = braces($0)
        if (depth <= 0 && $0 !~ /\{/) pending = 1
        next
    }
    { print }'
}

: >"$tmp/list"
add_config() { # NAME SRC: strip, register, and copy into the VM
    # lvs_backend (a seed example may pin nftables) and conntrack_sync are
    # halbd's own: without them both daemons program IPVS.
    sed '/^[[:space:]]*lvs_backend[[:space:]]/d; /^conntrack_sync {/,/^}/d' "$2" | strip_checkers >"$tmp/$1.conf"
    echo "$1 /test/cfg/$1.conf" >>"$tmp/list"
}
files=""
for f in "$top"/etc/examples/*.conf; do
    grep -qs '^[[:space:]]*virtual_server[[:space:]]' "$f" || continue
    n=ex-$(basename "$f" .conf)
    add_config "$n" "$f"
    files="$files $n"
done
if [ -d "$samples" ]; then
    for f in "$samples"/keepalived.conf.*; do
        grep -qs '^[[:space:]]*virtual_server[[:space:]]' "$f" || continue
        n=sample-$(basename "$f" | sed 's/^keepalived\.conf\.//; s/[^A-Za-z0-9_.-]/_/g')
        add_config "$n" "$f"
        files="$files $n"
    done
else
    echo "# note: $samples not found, keepalived's samples are not compared"
fi
for f in "$here"/ipvs-configs/*.conf; do
    [ -f "$f" ] || continue
    n=own-$(basename "$f" .conf)
    add_config "$n" "$f"
    files="$files $n"
done
# ipvs-configs/checked/: issue 12's checker classes, whose outcome is
# stable from the first second; copied with their checkers.
for f in "$here"/ipvs-configs/checked/*.conf; do
    [ -f "$f" ] || continue
    n=checked-$(basename "$f" .conf)
    cp "$f" "$tmp/$n.conf"
    echo "$n /test/cfg/$n.conf" >>"$tmp/list"
    files="$files $n"
done

# The part that runs inside the VM, as root, with /bin/sh (dash).
cat >"$tmp/guest.sh" <<'EOF'
. /test/guest-lib.sh

# The whole IPVS state, as ipvsadm shows it: what is compared.
views() {
    for v in "" "--persistent-conn" "--thresholds" "--tun-info"; do
        echo "## ipvsadm -Ln --sort $v"
        # shellcheck disable=SC2086
        ipvsadm -Ln --sort $v 2>&1
    done
    echo "## ipvsadm -Ln --timeout"
    ipvsadm -Ln --timeout 2>&1
    echo "## ipvsadm -Ln --daemon"
    ipvsadm -Ln --daemon 2>&1
    echo "## ipvsadm -Sn | sort"
    ipvsadm -Sn 2>&1 | sort
}
snap() { { ipvsadm -Sn; ipvsadm -Ln --timeout; } 2>&1 | sort; }
reset_ipvs() {
    ipvsadm -C
    ipvsadm --set 900 120 300
    ipvsadm --stop-daemon master 2>/dev/null
    ipvsadm --stop-daemon backup 2>/dev/null
    return 0
}
alive() { kill -0 "$1" 2>/dev/null; }
gone() { ! kill -0 "$1" 2>/dev/null; }

# settle PID WANT: bounded poll (40 s) until the table has been the same
# for 3 samples 0.5 s apart and is non-empty, or matches WANT (a file,
# optional), or has stayed empty for 8 s, or the daemon has exited.
settle() {
    _pid=$1 _want=${2:-}
    _i=0 _same=0
    snap >/tmp/snap.prev
    while [ $_i -lt 80 ]; do
        sleep 0.5
        _i=$((_i + 1))
        snap >/tmp/snap.now
        if cmp -s /tmp/snap.now /tmp/snap.prev; then _same=$((_same + 1)); else _same=0; fi
        mv /tmp/snap.now /tmp/snap.prev
        if [ -n "$_want" ] && [ $_same -ge 1 ] && cmp -s /tmp/snap.prev "$_want"; then return 0; fi
        if [ $_same -ge 3 ]; then
            if ipvsadm -Sn | grep -q .; then return 0; fi
            [ $_i -ge 16 ] && return 0
        fi
        alive "$_pid" || { sleep 0.5; return 0; }
    done
    return 0
}

# run DAEMON NAME FILE: program IPVS from FILE with DAEMON, save the views
# to /tmp/cmp/NAME.DAEMON, stop it, check that it cleaned up.
run() {
    _d=$1 _n=$2 _f=$3
    reset_ipvs
    _t0=$(date +%s)
    case $_d in
        keepalived)
            keepalived -n -l -G -D -C -i lb1 -f "$_f" \
                -p /run/cmp-ka.pid -c /run/cmp-ka-check.pid >"/tmp/log/$_n.$_d" 2>&1 &
            ;;
        halbd)
            "$HALBD_IN_VM" -n -l -G -C -i lb1 -f "$_f" -p /run/cmp-halbd.pid >"/tmp/log/$_n.$_d" 2>&1 &
            ;;
    esac
    _p=$!
    if [ "$_d" = halbd ]; then settle "$_p" "/tmp/cmp/$_n.keepalived.snap"; else settle "$_p"; fi
    snap >"/tmp/cmp/$_n.$_d.snap"
    views >"/tmp/cmp/$_n.$_d"
    _up=no
    alive "$_p" && _up=yes
    kill -TERM "$_p" 2>/dev/null
    if ! poll 20 gone "$_p"; then
        echo "# $_d did not exit within 20 s of SIGTERM; killed"
        kill -KILL "$_p" 2>/dev/null
    fi
    wait "$_p" 2>/dev/null
    echo "# $_n: $_d ran $(($(date +%s) - _t0)) s; it programmed $(grep -c '^-A' "/tmp/cmp/$_n.$_d")" \
        "services, $(grep -c '^-a' "/tmp/cmp/$_n.$_d") real servers; still running when saved: $_up"
    ipvsadm -Sn >"/tmp/cmp/$_n.$_d.left"
    if [ "$_d" = halbd ] || [ "$_up" = yes ]; then
        check "$_n: $_d removed its services on SIGTERM" test ! -s "/tmp/cmp/$_n.$_d.left"
    fi
    [ "$_up" = yes ] || { echo "# $_n: $_d exited by itself; its log:"; sed 's/^/    | /' "/tmp/log/$_n.$_d" | tail -n 20; }
}

echo "# kernel $(uname -r); $(ipvsadm --version 2>&1); $(keepalived --version 2>&1 | head -n 1)"
modprobe crc32c_generic
check "modprobe ip_vs" modprobe ip_vs
modprobe dummy
missing=""
for s in rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos; do
    modprobe "ip_vs_$s" 2>/dev/null || missing="$missing $s"
done
[ -n "$missing" ] && echo "# schedulers this kernel lacks:$missing"
for i in eth0 eth1; do
    ip link add "$i" type dummy && ip link set "$i" up
done
mkdir -p /tmp/cmp /tmp/log

while read -r name file; do
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
    run keepalived "$name" "$file"
    if ! grep -q . "/tmp/cmp/$name.keepalived.left" && ! grep -Eq '^-A' "/tmp/cmp/$name.keepalived"; then
        echo "# note: keepalived programmed nothing from $name"
    fi
    if [ -z "${HALBD_IN_VM:-}" ]; then
        sed 's/^/    | /' "/tmp/cmp/$name.keepalived"
        continue
    fi
    run halbd "$name" "$file"
    if diff -u "/tmp/cmp/$name.keepalived" "/tmp/cmp/$name.halbd" >/tmp/diff 2>&1; then
        ok "$name: halbd programs IPVS exactly as keepalived"
    else
        bad "$name: halbd programs IPVS exactly as keepalived (- keepalived, + halbd)"
        sed 's/^/    | /' /tmp/diff
        echo "    | halbd log (last 25 lines):"
        sed 's/^/    | /' "/tmp/log/$name.halbd" | tail -n 25
    fi
done </test/cfg/list
reset_ipvs
echo "ipvs-compare: $passed passed, $failed failed"
[ "$failed" = 0 ]
EOF

set -- --file "$tmp/list:/test/cfg/list"
for n in $files; do
    set -- "$@" --file "$tmp/$n.conf:/test/cfg/$n.conf"
done
have_halbd=no
if [ -n "${HALBD:-}" ] && [ -f "$HALBD" ] && [ "$(head -c 4 "$HALBD" | od -An -c | tr -d ' ')" = '177ELF' ]; then
    set -- "$@" --bin "$HALBD" --env "HALBD_IN_VM=$(basename "$HALBD")"
    have_halbd=yes
else
    echo "# no halbd binary (\$HALBD='${HALBD:-}'): only keepalived runs; the result is a skip"
fi

: "${HALBD_VM_TIMEOUT:=1200}"
export HALBD_VM_TIMEOUT
{
    bash "$here/run-in-vm.sh" --file "$here/guest-lib.sh:/test/guest-lib.sh" "$@" "$tmp/guest.sh"
    echo $? >"$tmp/status"
} | tee "$tmp/output"
status=$(cat "$tmp/status")
if [ -n "${KEEP_OUTPUT:-}" ]; then
    mkdir -p "$KEEP_OUTPUT" && cp "$tmp/output" "$tmp"/*.conf "$KEEP_OUTPUT/"
fi

[ "$status" = 77 ] && exit 77
if ! grep -Eq '^ipvs-compare: [0-9]+ passed, [0-9]+ failed$' "$tmp/output"; then
    echo "ipvs-compare: 0 passed, 1 failed (the VM gave no result, status $status)"
    exit 1
fi
[ "$status" = 0 ] || exit 1
[ "$have_halbd" = yes ] || exit 77
exit 0
