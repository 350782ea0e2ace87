#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# ecmp-rps.sh: requests per second through 1, 2 and 3 active halbd nodes
# behind an ECMP router (issue 17), in the topology of
# tests/netns/ecmp-bird.sh (tests/netns/ecmp-lib.sh: a BIRD router with
# multipath, three nodes each with BIRD and halbd NATing to its own real
# server). Real servers are check-listener.c (http: one request, 200,
# close); the client is ecmp-load.c (CONC connections at a time over 100
# source addresses, one HTTP/1.0 request each). For K = 1, 2, 3 the other
# nodes are drained (halbctl drain), the router's ECMP set is checked, and
# the load runs DURATION seconds. Columns:
#   nodes  paths on the router   req/s   errors   per-node share (from each
#   real server's accepted count)   CPU busy % of the whole machine
#   (/proc/stat over the run: all namespaces share the same cores).
# Usage: bench/ecmp-rps.sh   (root; bird, gcc, python3)
# Environment: HALBD, HALBCTL (default ../src/), DURATION (s, default 5),
#   CONC (default 64).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$here/..
: "${HALBD:=$here/../src/halbd}" "${HALBCTL:=$here/../src/halbctl}"
DURATION=${DURATION:-5}
CONC=${CONC:-64}
export HALBD HALBCTL top_srcdir
: "${NS_PREFIX:=becmp$$}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
command -v bird >/dev/null 2>&1 || skip "needs bird (bird2)"
command -v gcc >/dev/null 2>&1 || skip "needs gcc"
. "$top_srcdir/tests/netns/nft-lib.sh"
. "$top_srcdir/tests/netns/ecmp-lib.sh"

gcc -O2 -o "$TMP/listener" "$here/check-listener.c" || exit 2
gcc -O2 -o "$TMP/load" "$here/ecmp-load.c" || exit 2
# The real servers: the C listener (nftpeer.py would be the bottleneck).
rs_start() {
    ns_bg rs$1 "$TMP/rs$1.log" "$TMP/listener" http 8080
    eval "RS$1=\$BG_PID"
}

ecmp_topology 3
mkdir -p "$TMP/r"
cp "$top_srcdir/contrib/bird/router.conf" "$TMP/r/bird.conf"
ns_bg r "$TMP/r/bird.log" bird -f -c "$TMP/r/bird.conf" -s "$TMP/r/bird.ctl" -P "$TMP/r/bird.pid"
for n in 1 2 3; do
    ecmp_node_conf $n
    cat >>"$TMP/n$n/halbd.conf" <<EOC
route_announce {
    bird_socket $TMP/n$n/bird.ctl
    announce $VIP vip
}
EOC
    sed "s/198\.51\.100\.11;/198.51.100.1$n;/; s/local 198\.51\.100\.11 /local 198.51.100.1$n /" \
        "$top_srcdir/contrib/bird/node.conf" >"$TMP/n$n/bird.conf"
    ns_bg n$n "$TMP/n$n/bird.log" bird -f -c "$TMP/n$n/bird.conf" -s "$TMP/n$n/bird.ctl" -P "$TMP/n$n/bird.pid"
    ecmp_start_node $n
done
wait_until 30 "three paths on the router" paths_are "11 12 13" || exit 1

cpu() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8}' /proc/stat; }
# Accepted connections per real server: conntrack on each node counts NATed flows.
flows() { ns n$1 sh -c 'cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null || echo 0'; }

printf '%-6s %-10s %9s %7s %-20s %s\n' nodes paths "req/s" errors "share n1/n2/n3 %" "CPU busy %"
for k in 1 2 3; do
    want=""
    for n in 1 2 3; do
        if [ $n -le $k ]; then ctl n$n undrain >/dev/null; want="$want 1$n"; else ctl n$n drain >/dev/null; fi
    done
    want=${want# }
    wait_until 10 "$k path(s) on the router" paths_are "$want" || exit 1
    for n in 1 2 3; do ns n$n sh -c 'conntrack -F 2>/dev/null' || :; done
    set -- $(cpu); b0=$1; t0=$2
    out=$(ns cl "$TMP/load" "$VIP" 8080 "$DURATION" "$CONC" 203.0.113. 100)
    set -- $(cpu); b1=$1; t1=$2
    req=$(echo "$out" | awk '{print $2}'); err=$(echo "$out" | awk '{print $4}'); secs=$(echo "$out" | awk '{print $6}')
    f1=$(flows 1); f2=$(flows 2); f3=$(flows 3); ft=$((f1 + f2 + f3)); [ "$ft" -gt 0 ] || ft=1
    printf '%-6s %-10s %9.0f %7s %-20s %s\n' "$k" "$want" "$(echo "$req $secs" | awk '{print $1 / $2}')" "$err" \
        "$((100 * f1 / ft))/$((100 * f2 / ft))/$((100 * f3 / ft))" "$(( (b1 - b0) * 100 / (t1 - t0 + 1) ))"
done
echo "($(nproc) CPUs; client, router, nodes and real servers share them; CONC=$CONC, ${DURATION}s per row)"
