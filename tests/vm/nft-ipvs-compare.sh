#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/vm/nft-ipvs-compare.sh: the nftables backend balances as IPVS does
# (issue 14). One VM boot (IPVS exists only there); halbd runs the same
# configuration twice, with `lvs_backend ipvs`, then `lvs_backend nftables`,
# and real connections (bench/lb_peer) from 240 client addresses
# 192.0.2.10-249 in netns `client` go through VIP 203.0.113.10 (NAT) to real
# servers 198.51.100.11-20 in netns `reals`, whose server greets each
# connection with the address it was reached on. Asserted, per backend and
# between them:
#   rr  :80 3 servers, 300 connections: 100 each (within 1), both backends;
#   wrr :81 weights 1:2:3, 300 connections: 50/100/150 (within 1), both;
#   sh  :82 3 servers, one connection per client, twice: each client on one
#       server; per-server client counts within N/3 +- 25% under both and
#       within N/8 of each other. Not client by client: IPVS sh hashes the
#       address into 256 buckets dealt round-robin (hash_32), halbd's nft sh
#       looks jhash(address, seed) up in a Maglev table, so the two put a
#       given client on the same server only by chance (~1/3: printed);
#   mh  :83 10 servers; 198.51.100.15 removed by a reload (SIGHUP): no
#       client on it afterwards; printed, for both backends, the fraction of
#       all clients that moved and of those whose server stayed; nft's must
#       be at most 1/10 + 3% and 2% + 1 client. The must-break control:
#       plain `jhash mod N` (nftlb's way; a table of our own, with nft) over
#       the same clients must move more than half of the clients whose
#       server stayed, so this measurement can see instability.
# Every figure is deterministic (fixed addresses; both backends hash with
# configuration-only inputs), so the bounds cannot flake under load.
# Exit 0 pass, 77 no VM here or no halbd/halbctl/"$PEER_IN_VM" binary, else
# fail. Ends with "nft-ipvs-compare: N passed, N failed".
set -u

here=$(cd "$(dirname "$0")" && pwd)
command -v bash >/dev/null 2>&1 || { echo "SKIP: the VM harness needs bash"; exit 77; }
peer=${LB_PEER:-${top_builddir:-.}/bench/lb_peer}
nft_bin=$(command -v nft || echo /usr/sbin/nft)
is_elf() { [ -f "$1" ] && [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; }
for b in "${HALBD:-}" "${HALBCTL:-}" "$peer"; do
    is_elf "$b" || { echo "SKIP: needs the halbd, halbctl and bench/lb_peer binaries (missing: '$b')"; exit 77; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/halbd-nft-ipvs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/guest.sh" <<'EOF'
. /test/guest-lib.sh
VIP=203.0.113.10
REALS="198.51.100.11 198.51.100.12 198.51.100.13 198.51.100.14 198.51.100.15 198.51.100.16 198.51.100.17 198.51.100.18 198.51.100.19 198.51.100.20"
THREE="198.51.100.11 198.51.100.12 198.51.100.13"
GONE=198.51.100.15
NCL=240
finish() {
    [ -n "${dpid:-}" ] && kill -TERM "$dpid" 2>/dev/null
    echo "nft-ipvs-compare: $passed passed, $failed failed"
    [ "$failed" = 0 ]
    exit
}
gone() { ! kill -0 "$1" 2>/dev/null; }
modprobe crc32c_generic
check "modprobe ip_vs" modprobe ip_vs
for m in ip_vs_rr ip_vs_wrr ip_vs_sh ip_vs_mh nf_tables nft_chain_nat nft_nat nft_numgen nft_hash nft_ct veth dummy; do
    modprobe $m || bad "modprobe $m"
done
check "veth/netns topology set up" director_net $REALS
i=10
while [ $i -lt $((10 + NCL)) ]; do echo "addr add 192.0.2.$i/24 dev c1"; i=$((i + 1)); done >/tmp/addrs
check "$NCL client addresses" ip -n client -batch /tmp/addrs
ip netns exec reals "$PEER_IN_VM" serve 8080 >/dev/null 2>&1 &
ip netns exec reals "$PEER_IN_VM" serve 84 >/dev/null 2>&1 &
check "real servers answer" poll 20 ip netns exec client "$PEER_IN_VM" dist 198.51.100.20 8080 192.0.2.10 1 1

vs() {  # vs PORT SCHED "ADDR:WEIGHT..."
    printf 'virtual_server %s %s {\n  lb_algo %s\n  lb_kind NAT\n  protocol TCP\n' $VIP "$1" "$2"
    for r in $3; do printf '  real_server %s 8080 {\n    weight %s\n  }\n' "${r%:*}" "${r#*:}"; done
    printf '}\n'
}
conf() {  # conf BACKEND [REMOVED]
    printf 'global_defs {\n  router_id vm\n  lvs_backend %s\n}\n' "$1"
    vs 80 rr "$(for r in $THREE; do printf '%s:1 ' $r; done)"
    vs 81 wrr "198.51.100.11:1 198.51.100.12:2 198.51.100.13:3"
    vs 82 sh "$(for r in $THREE; do printf '%s:1 ' $r; done)"
    vs 83 mh "$(for r in $REALS; do [ "$r" = "${2:-}" ] || printf '%s:1 ' $r; done)"
}
programmed() { halbctl -s /run/cmp.ctl status 2>/dev/null | grep -qi "forwarding: $1 .* 4 service(s), $2 destination(s)"; }
dist() {  # dist PORT COUNT OUT: COUNT connections, "client server" lines
    ip netns exec client "$PEER_IN_VM" dist $VIP "$1" 192.0.2.10 $NCL "$2" >"$3" 2>&1 ||
        bad "$(basename "$3"): $(grep -c ERROR "$3") of $2 connections failed"
}
cnt() { grep -c " $2\$" "$1"; }
counts() { for r in $2; do printf '%s ' "$(cnt "$1" "$r")"; done; }

# run BACKEND: the scenario under halbd with BACKEND; results in /tmp/BACKEND.*
run() {
    b=$1
    conf "$b" >/tmp/cmp.conf
    "$HALBD_IN_VM" -n -l -C -f /tmp/cmp.conf -p /run/cmp.pid --control-socket /run/cmp.ctl >"/tmp/$b.log" 2>&1 &
    dpid=$!
    if poll 60 programmed "$b" 19; then ok "$b: halbd programmed 4 services, 19 real servers"; else
        bad "$b: halbd programmed 4 services, 19 real servers"
        halbctl -s /run/cmp.ctl status; tail -n 20 "/tmp/$b.log" | sed 's/^/    | /'
        kill -KILL $dpid; dpid=
        return
    fi
    dist 80 300 "/tmp/$b.rr"
    dist 81 300 "/tmp/$b.wrr"
    dist 82 $NCL "/tmp/$b.sh"
    dist 82 $NCL "/tmp/$b.sh2"
    dist 83 $NCL "/tmp/$b.mh"
    conf "$b" $GONE >/tmp/cmp.conf
    kill -HUP $dpid
    if poll 30 programmed "$b" 18; then ok "$b: reload removed $GONE"; else bad "$b: reload removed $GONE"; fi
    dist 83 $NCL "/tmp/$b.mh2"
    kill -TERM $dpid
    poll 20 gone $dpid || { bad "$b: halbd exits on TERM"; kill -KILL $dpid; }
    dpid=
    echo "# $b: rr $(counts /tmp/$b.rr "$THREE")| wrr $(counts /tmp/$b.wrr "$THREE")| sh clients $(counts /tmp/$b.sh "$THREE")"
}
run ipvs
check "ipvs: halbd removed its IPVS services" test -z "$(ipvsadm -Sn)"
run nftables
check "nftables: halbd removed table halbd" sh -c '! nft list table ip halbd >/dev/null 2>&1'

near() {  # near WHAT GOT WANT TOL
    d=$(($2 - $3)); [ $d -lt 0 ] && d=$((-d))
    if [ $d -le "$4" ]; then ok "$1: $2 (want $3 +- $4)"; else bad "$1: $2, want $3 +- $4"; fi
}
set -- 100 100 100
for r in $THREE; do
    near "rr ipvs $r" "$(cnt /tmp/ipvs.rr $r)" "$1" 1
    near "rr nftables $r" "$(cnt /tmp/nftables.rr $r)" "$1" 1
    near "rr nftables - ipvs $r" "$(cnt /tmp/nftables.rr $r)" "$(cnt /tmp/ipvs.rr $r)" 1
    shift
done
set -- 50 100 150
for r in $THREE; do
    near "wrr ipvs $r" "$(cnt /tmp/ipvs.wrr $r)" "$1" 1
    near "wrr nftables $r" "$(cnt /tmp/nftables.wrr $r)" "$1" 1
    near "wrr nftables - ipvs $r" "$(cnt /tmp/nftables.wrr $r)" "$(cnt /tmp/ipvs.wrr $r)" 1
    shift
done
for b in ipvs nftables; do
    check "sh $b: every client on the same server twice" cmp /tmp/$b.sh /tmp/$b.sh2
    for r in $THREE; do near "sh $b clients of $r" "$(cnt /tmp/$b.sh $r)" $((NCL / 3)) $((NCL / 12)); done
done
for r in $THREE; do near "sh nftables - ipvs clients of $r" "$(cnt /tmp/nftables.sh $r)" "$(cnt /tmp/ipvs.sh $r)" $((NCL / 8)); done
same=$(paste -d' ' /tmp/ipvs.sh /tmp/nftables.sh | awk '$2 == $4' | wc -l)
echo "# sh: clients on the same server under IPVS and nftables: $same of $NCL (independent hashes: ~1/3 expected)"

# moved BEFORE AFTER: "all others removed_left" over the clients
moved() {
    paste -d' ' "$1" "$2" | awk -v g=$GONE '
        $2 != $4 { all++ } $2 != g { o++; if ($2 != $4) om++ } $4 == g { left++ }
        END { printf "%d %d %d %d\n", all, om, o, left }'
}
for b in ipvs nftables; do
    set -- $(moved /tmp/$b.mh /tmp/$b.mh2)
    echo "# mh $b, one of 10 removed: $1 of $NCL clients moved ($(awk "BEGIN { printf \"%.1f\", 100 * $1 / $NCL }")%);" \
        "of the $3 whose server stayed, $2 moved ($(awk "BEGIN { printf \"%.1f\", 100 * $2 / $3 }")%)"
    check "mh $b: no client left on $GONE" test "$4" = 0
    [ $b = nftables ] || continue
    near "mh nftables: clients moved" "$1" 0 $((NCL / 10 + NCL * 3 / 100))
    near "mh nftables: clients whose server stayed that moved" "$2" 0 $(($3 / 50 + 1))
done

# The control: plain jhash mod N in a table of our own (nft(8)).
jmap() { i=0; for r in $1; do [ $i = 0 ] || printf ', '; printf '%s : %s' $i $r; i=$((i + 1)); done; }
jtable() {  # jtable REALS
    n=$(echo $1 | wc -w)
    printf 'table ip ctl {\n chain pre {\n  type nat hook prerouting priority dstnat - 5; policy accept;\n'
    printf '  ip daddr %s tcp dport 84 dnat to jhash ip saddr mod %s map { %s }\n }\n}\n' $VIP "$n" "$(jmap "$1")"
}
if command -v nft >/dev/null 2>&1; then
    jtable "$REALS" >/tmp/ctl.nft
    check "control table loaded" nft -f /tmp/ctl.nft
    dist 84 $NCL /tmp/ctl.mh
    nft delete table ip ctl
    jtable "$(echo $REALS | tr ' ' '\n' | grep -vx $GONE)" >/tmp/ctl.nft
    check "control table reloaded" nft -f /tmp/ctl.nft
    dist 84 $NCL /tmp/ctl.mh2
    nft delete table ip ctl
    set -- $(moved /tmp/ctl.mh /tmp/ctl.mh2)
    echo "# control, jhash mod 10 -> mod 9: $1 of $NCL clients moved; of the $3 whose server stayed, $2 moved"
    if [ $(($2 * 2)) -gt "$3" ]; then ok "control: jhash mod N moves most clients whose server stayed"
    else bad "control: jhash mod N should move most clients whose server stayed ($2 of $3)"; fi
else
    bad "no nft in the VM for the control"
fi
finish
EOF

: "${HALBD_VM_TIMEOUT:=240}"
export HALBD_VM_TIMEOUT
{
    bash "$here/run-in-vm.sh" --file "$here/guest-lib.sh:/test/guest-lib.sh" --bin "$HALBD" --bin "$HALBCTL" \
        --bin "$peer" --bin "$nft_bin" --env "HALBD_IN_VM=$(basename "$HALBD")" \
        --env "PEER_IN_VM=$(basename "$peer")" "$tmp/guest.sh"
    echo $? >"$tmp/status"
} | tee "$tmp/output"
status=$(cat "$tmp/status")
[ "$status" = 77 ] && exit 77
if ! grep -Eq '^nft-ipvs-compare: [0-9]+ passed, [0-9]+ failed$' "$tmp/output"; then
    echo "nft-ipvs-compare: 0 passed, 1 failed (the VM gave no result, status $status)"
    exit 1
fi
[ "$status" = 0 ]
