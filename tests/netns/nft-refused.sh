# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/nft-refused.sh: one change set, one kernel transaction, proven
# on the kernel (issue 14). A reload of more than 2048 commands and map
# elements (a new mh service's 4093 slots, a new persistent service, a
# deleted plain one, real servers added to a persistent, a fwmark-with-ports
# and a DR service, across tables ip and netdev halbd) is refused by the
# kernel at the deletion of one chain, which the operator keeps busy (a jump
# from a chain of their own): afterwards both tables list exactly as before,
# nothing of the change set is in. Once the operator lets go, the next reload
# applies all of it. Needs root, python3, nft.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
for tool in python3 nft; do command -v $tool >/dev/null 2>&1 || skip "needs $tool"; done
. "$top_srcdir/tests/netns/nft-lib.sh"
set +e

nft_topology || fail "topology"

vs() {  # vs VIP PORT ALGO KIND EXTRA REALS...: one virtual_server
    _vip=$1 _port=$2 _algo=$3 _kind=$4 _extra=$5; shift 5
    if [ "$_vip" = fwmark ]; then printf 'virtual_server fwmark %s {\n' "$_port"
    else printf 'virtual_server %s %s {\n  protocol TCP\n' "$_vip" "$_port"; fi
    printf '  lb_algo %s\n  lb_kind %s\n' "$_algo" "$_kind"
    [ -n "$_extra" ] && printf '  %s\n' "$_extra"
    for n in "$@"; do printf '  real_server 198.51.100.1%s 8080 {\n    weight 1\n  }\n' "$n"; done
    printf '}\n'
}
conf_a() {
    printf 'global_defs {\n  router_id lb\n  lvs_backend nftables\n}\n'
    vs 192.0.2.10 80 rr NAT "" 1 2 3
    vs 192.0.2.10 84 rr NAT "persistence_timeout 30" 1
    vs fwmark 3 rr NAT "" 1
    vs 192.0.2.11 8080 sh DR "" 1
}
conf_b() {
    printf 'global_defs {\n  router_id lb\n  lvs_backend nftables\n}\n'
    vs 192.0.2.10 81 mh NAT "" 1 2 3
    vs 192.0.2.10 84 rr NAT "persistence_timeout 30" 1 2
    vs 192.0.2.10 88 rr NAT "persistence_timeout 60" 3
    vs fwmark 3 rr NAT "" 1 2
    vs 192.0.2.11 8080 sh DR "" 1 2
}
conf_a >"$TMP/halbd.conf"
halbd_bg lb "$TMP/halbd.conf"
H=$BG_PID
dr_has() { ns lb nft list table netdev halbd | grep -qF "$1"; }
wait_until 15 "configuration A programmed" dr_has 198.51.100.11
tables() { ns lb nft list table ip halbd; ns lb nft list table netdev halbd; }

# The operator's hold: service 80's chain cannot be deleted while a rule jumps to it.
ns lb nft add chain ip halbd operator_hold && ns lb nft add rule ip halbd operator_hold jump tcp_192_0_2_10_80 \
    && ok || fail "operator's chain"
tables >"$TMP/before"
grep -q "chain tcp_192_0_2_10_84" "$TMP/before" && grep -q "chain fwm_3" "$TMP/before" && ok \
    || fail "configuration A incomplete"

conf_b >"$TMP/halbd.conf"
kill -HUP "$H"
wait_log "$LOG" "change(s) failed" 15
tables >"$TMP/refused"
if cmp -s "$TMP/before" "$TMP/refused"; then ok; else
    fail "the refused change set left the kernel changed:"; diff "$TMP/before" "$TMP/refused" | head -20 >&2
fi
grep -q "Device or resource busy\|EBUSY\|busy" "$LOG" && ok || fail "the refusal's reason (the busy chain) is not logged"

# The operator lets go; the next reload applies the whole change set.
ns lb nft flush chain ip halbd operator_hold && ns lb nft delete chain ip halbd operator_hold && ok || fail "release"
applied_before=$(log_count "$LOG" "change(s) with")
kill -HUP "$H"
applied() { [ "$(log_count "$LOG" "change(s) with")" -gt "$applied_before" ]; }
wait_until 15 "the second reload applied" applied
tables >"$TMP/after"
grep -q "chain tcp_192_0_2_10_80 " "$TMP/after" && fail "service 80 is still in the kernel" || ok
for what in "chain tcp_192_0_2_10_81 " "chain persist_tcp_192_0_2_10 " "update @tcp_192_0_2_10_88_sticky"; do
    grep -qF "$what" "$TMP/after" && ok || { fail "configuration B: no '$what' in the kernel"; grep -F "_88" "$TMP/after" >&2; }
done
[ "$(slot_dests 81 | wc -l)" = 4093 ] && ok || fail "service 81: $(slot_dests 81 | wc -l) slots, not 4093"
slot_dests 84 | grep -q 198.51.100.12 && ok || fail "service 84 lacks its new real server"
dr_has 198.51.100.12 && ok || fail "the DR service lacks its new real server"
ns lb nft list map ip halbd fwm_3_slots | grep -qF "198.51.100.12 . 8080" && ok || fail "fwmark 3 lacks its new real server"

kill "$H"
wait "$H" 2>/dev/null
finish
