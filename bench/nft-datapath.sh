#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# bench/nft-datapath.sh: what the nftables backend costs on the data path
# (issue 14, bench/README.md). Traffic from bench/lb_peer (build it:
# `make bench/lb_peer`), short-lived TCP connections and requests on
# kept-alive connections, measured as req/s and p99 latency.
#
#   bench/nft-datapath.sh [host]   (root) in scratch namespaces here: client
#       -> lb -> rs1; through VIP 192.0.2.10:80 (halbd, lvs_backend nftables,
#       NAT to rs1 only) versus straight to rs1 198.51.100.11:8080 (routed
#       by lb, no NAT, halbd's table still loaded); ratios VIP/direct.
#   bench/nft-datapath.sh vm       in the IPVS VM (tests/vm): two halbd at
#       once, lvs_backend ipvs (NAT) on VIP 203.0.113.10:80 and lvs_backend
#       nftables on :81, same real server; ratios nftables/IPVS. TCG
#       emulation: absolute figures mean nothing there.
#
# Rounds alternate the two paths (ROUNDS of SECONDS_PER_RUN seconds each,
# default 3 x 3 s with 4 clients on the host, 8 x 1.5 s with 2 in the VM;
# THREADS clients) and each figure is the median of its
# rounds, so a neighbour's burst of CPU hits both sides alike.
# Env: HALBD (default build/release/src/halbd), HALBCTL, LB_PEER.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
mode=${1:-host}
rounds=${ROUNDS:-$([ "$mode" = vm ] && echo 8 || echo 3)}
secs=${SECONDS_PER_RUN:-$([ "$mode" = vm ] && echo 1.5 || echo 3)}
threads=${THREADS:-$([ "$mode" = vm ] && echo 2 || echo 4)}
HALBD=${HALBD:-$top/build/release/src/halbd}
HALBCTL=${HALBCTL:-$top/build/release/src/halbctl}
LB_PEER=${LB_PEER:-$top/build/release/bench/lb_peer}
for b in "$HALBD" "$HALBCTL" "$LB_PEER"; do
    [ -x "$b" ] || { echo "nft-datapath: no $b (build it first)" >&2; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/halbd-nft-datapath.XXXXXX")

# report FILE A B: medians of the "A:mode=..." and "B:mode=..." lines, and B/A.
report() {
    awk -v a="$2" -v b="$3" '
    function med(arr, n,   i, j, t) {
        for (i = 2; i <= n; i++) for (j = i; j > 1 && arr[j - 1] > arr[j]; j--) { t = arr[j]; arr[j] = arr[j - 1]; arr[j - 1] = t }
        return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
    }
    {
        split($1, w, ":"); path = w[1]; sub(/^mode=/, "", w[2]); m = w[2]
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        k = path SUBSEP m; n[k]++; rps[k, n[k]] = v["rps"]; p99[k, n[k]] = v["p99_us"]; err[k] += v["errors"]
        modes[m] = 1
    }
    END {
        printf "%-6s %-10s %10s %10s %7s\n", "mode", "path", "req/s", "p99 us", "errors"
        for (m in modes) {
            for (s = 0; s < 2; s++) {
                p = s ? b : a; k = p SUBSEP m
                for (i = 1; i <= n[k]; i++) { r[i] = rps[k, i]; q[i] = p99[k, i] }
                R[p] = med(r, n[k]); Q[p] = med(q, n[k])
                printf "%-6s %-10s %10.0f %10.0f %7d\n", m, p, R[p], Q[p], err[k]
            }
            printf "%-6s %s/%s: req/s x%.2f, p99 x%.2f\n", m, b, a, R[b] / R[a], Q[b] / Q[a]
        }
    }' "$1"
}

if [ "$mode" = vm ]; then
    cat >"$tmp/guest.sh" <<EOF
. /test/guest-lib.sh
rounds=$rounds secs=$secs threads=$threads
EOF
    cat >>"$tmp/guest.sh" <<'EOF'
modprobe crc32c_generic
for m in ip_vs ip_vs_rr nf_tables nft_chain_nat nft_nat nft_numgen nft_hash nft_ct veth dummy; do modprobe $m; done
director_net 198.51.100.11 >/dev/null
# One client address per backend: both reach the same real server, and
# their connections must never share a tuple there (or in conntrack).
ip -n client addr add 192.0.2.3/24 dev c1
ip netns exec reals "$PEER_IN_VM" serve 8080 >/dev/null 2>&1 &
poll 20 ip netns exec client "$PEER_IN_VM" dist 198.51.100.11 8080 192.0.2.2 1 1
# Two halbd at once, one per backend, on two ports of the VIP: IPVS NAT
# on :80, nftables DNAT on :81; every packet meets both hooks, and the
# measurements interleave in short slices.
port=80
for b in ipvs nftables; do
    printf 'global_defs {\n  lvs_backend %s\n}\nvirtual_server 203.0.113.10 %s {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n  real_server 198.51.100.11 8080 {\n  }\n}\n' $b $port >/tmp/$b.conf
    "$HALBD_IN_VM" -n -l -C -f /tmp/$b.conf -p /run/$b.pid --control-socket /run/$b.ctl >/tmp/$b.log 2>&1 &
    poll 60 sh -c "halbctl -s /run/$b.ctl status | grep -qi 'forwarding: $b .*1 destination'" || { echo "halbd $b not ready"; tail /tmp/$b.log; }
    port=81
done
r=0
while [ $r -lt $rounds ]; do
    for m in short keep; do
        printf 'ipvs:'; ip netns exec client "$PEER_IN_VM" load 203.0.113.10 80 $m $secs $threads 192.0.2.2
        printf 'nftables:'; ip netns exec client "$PEER_IN_VM" load 203.0.113.10 81 $m $secs $threads 192.0.2.3
    done
    r=$((r + 1))
done
EOF
    HALBD_VM_TIMEOUT=${HALBD_VM_TIMEOUT:-$((rounds * 4 * 3 * 3 + 240))} flock /tmp/halbd-vm.lock \
        bash "$top/tests/vm/run-in-vm.sh" --file "$top/tests/vm/guest-lib.sh:/test/guest-lib.sh" \
        --bin "$HALBD" --bin "$HALBCTL" --bin "$LB_PEER" --env "HALBD_IN_VM=$(basename "$HALBD")" --env "PEER_IN_VM=$(basename "$LB_PEER")" \
        "$tmp/guest.sh" | tee "$tmp/out"
    echo "# VM (TCG emulation, $threads clients, $rounds x ${secs}s per path): ratios only"
    grep -E '^(ipvs|nftables):mode=' "$tmp/out" >"$tmp/lines" || true
    report "$tmp/lines" ipvs nftables
    rm -rf "$tmp"
    exit 0
fi

# ---- host: scratch namespaces ---------------------------------------------------
[ "$(id -u)" = 0 ] || { echo "nft-datapath: needs root (namespaces)" >&2; exit 1; }
p=hdp$$
cleanup() {
    [ -n "${hpid:-}" ] && kill -TERM "$hpid" 2>/dev/null && wait "$hpid" 2>/dev/null
    [ -n "${spid:-}" ] && kill "$spid" 2>/dev/null
    for n in cl lb rs; do ip netns del "$p-$n" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
for n in cl lb rs; do ip netns add "$p-$n"; ip -n "$p-$n" link set lo up; done
ip link add "$p-c" netns "$p-cl" type veth peer name eth0 netns "$p-lb"
ip link add "$p-r" netns "$p-rs" type veth peer name eth1 netns "$p-lb"
ip -n "$p-cl" link set "$p-c" name eth0
ip -n "$p-rs" link set "$p-r" name eth0
ip -n "$p-cl" addr add 192.0.2.2/24 dev eth0
ip -n "$p-lb" addr add 192.0.2.1/24 dev eth0
ip -n "$p-lb" addr add 192.0.2.10/32 dev eth0
ip -n "$p-lb" addr add 198.51.100.1/24 dev eth1
ip -n "$p-rs" addr add 198.51.100.11/24 dev eth0
for n in cl lb rs; do ip -n "$p-$n" link set eth0 up; done
ip -n "$p-lb" link set eth1 up
ip -n "$p-cl" route add default via 192.0.2.1
ip -n "$p-rs" route add default via 198.51.100.1
ip netns exec "$p-lb" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$p-cl" sysctl -qw net.ipv4.ip_local_port_range="1024 65000"
ip netns exec "$p-rs" "$LB_PEER" serve 8080 >/dev/null 2>&1 &
spid=$!
cat >"$tmp/halbd.conf" <<'CONF'
global_defs {
  lvs_backend nftables
}
virtual_server 192.0.2.10 80 {
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 198.51.100.11 8080 {
  }
}
CONF
ip netns exec "$p-lb" "$HALBD" -n -l -C -f "$tmp/halbd.conf" -p "$tmp/halbd.pid" --control-socket "$tmp/halbd.ctl" \
    >"$tmp/halbd.log" 2>&1 &
hpid=$!
ready() { ip netns exec "$p-lb" "$HALBCTL" -s "$tmp/halbd.ctl" status 2>/dev/null | grep -q 'forwarding: nftables .*1 destination'; }
i=0
until ready && ip netns exec "$p-cl" "$LB_PEER" dist 192.0.2.10 80 192.0.2.2 1 1 >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 100 ] || { echo "nft-datapath: halbd not serving the VIP" >&2; cat "$tmp/halbd.log" >&2; exit 1; }
    sleep 0.1  # a bounded poll: halbd's progress cannot be waited on here
done
r=0
while [ $r -lt "$rounds" ]; do
    for m in short keep; do
        printf 'direct:'; ip netns exec "$p-cl" "$LB_PEER" load 198.51.100.11 8080 $m "$secs" "$threads"
        printf 'vip:'; ip netns exec "$p-cl" "$LB_PEER" load 192.0.2.10 80 $m "$secs" "$threads"
    done | tee -a "$tmp/lines"
    r=$((r + 1))
done
echo "# host $(uname -r), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); $threads clients, $rounds x ${secs}s per path"
report "$tmp/lines" direct vip
