#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/vrrp-signals.sh: signals sent to a halbd holding a real VIP
# (issue 11). keepalived's JSON, STATS and STATS_CLEAR signals write
# halbd.json and halbd.stats; signals halbd has no use for (PIPE, ALRM, QUIT,
# TSTP, real-time ones, ...) neither kill nor stop it: the VIP stays, adverts
# go on. A reload that adds a script refused by enable_script_security says
# so in `halbctl reload` (a warning, not "0 warning(s)"). Then TERM during a
# slow reload: the process ends within a bound and the VIP is gone (it once
# waited for the reader with its VIP up). Only 192.0.2.0/24 inside our
# namespaces.
set -u
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
: "${HALBCTL:=$top_builddir/src/halbctl}"
command -v python3 >/dev/null || skip "needs python3 to check the JSON file"

ns_new a
ns_new b
ns_link a eth0 b eth0
ip -n "$NS_PREFIX-a" addr add 192.0.2.1/24 dev eth0
ip -n "$NS_PREFIX-b" addr add 192.0.2.2/24 dev eth0
logs_on_failure "$TMP/*/halbd.log"

conf=$TMP/a.conf
write_conf() {
    cat >"$conf" <<CONF
global_defs {
    router_id a
    $1
}
$2
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 200
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.100/24
    }
    $3
}
CONF
}
write_conf "" "" ""
start_halbd a "$conf"
pid=$H_a
wait_until 5 "a holds the VIP" has_vip a 192.0.2.100
ctl() { ns a "$HALBCTL" -s "$TMP/a/halbd.ctl" "$@"; }

echo "== JSON, STATS, STATS_CLEAR"
json=$("$HALBD" --signum=JSON)
stats_clear=$("$HALBD" --signum=STATS_CLEAR)
kill -s "$("$HALBD" --signum=STATS)" "$pid"
wait_until 5 "USR2 writes halbd.stats" test -s "$TMP/a/halbd.stats"
grep -q "^VRRP instance VI_1:" "$TMP/a/halbd.stats" && ok || fail "stats lack VI_1"
grep -q "counters since start" "$TMP/a/halbd.stats" && ok || fail "stats header"
sent=$(sed -n 's/^  adverts_sent: //p' "$TMP/a/halbd.stats")
[ "${sent:-0}" -gt 0 ] && ok || fail "stats: adverts_sent is '${sent:-}'"
kill -"$json" "$pid"
wait_until 5 "JSON signal writes halbd.json" test -s "$TMP/a/halbd.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["vrrp"][0]["name"] == "VI_1" and d["vrrp"][0]["state"] == "MASTER", d' \
    "$TMP/a/halbd.json" && ok || fail "halbd.json is not the expected JSON"
rm -f "$TMP/a/halbd.stats"
kill -"$stats_clear" "$pid"
wait_until 5 "STATS_CLEAR writes halbd.stats" test -s "$TMP/a/halbd.stats"
rm -f "$TMP/a/halbd.stats"
kill -USR2 "$pid"
wait_until 5 "USR2 after STATS_CLEAR" test -s "$TMP/a/halbd.stats"
grep -q "counters since the last STATS_CLEAR" "$TMP/a/halbd.stats" && ok || fail "clear not said"

echo "== signals halbd has no use for"
rtmin=$((json - 2))
for sig in PIPE ALRM VTALRM PROF XFSZ XCPU IO PWR QUIT TSTP TTIN TTOU "$((rtmin + 5))" "$((rtmin + 30))"; do
    case $sig in [0-9]*) kill -"$sig" "$pid" ;; *) kill -s "$sig" "$pid" ;; esac
done
ctl status >/dev/null 2>&1 && ok || fail "halbd does not answer after the signals"
kill -0 "$pid" 2>/dev/null && ok || fail "a signal killed halbd"
state=$(ps -o stat= -p "$pid" 2>/dev/null || true)
case $state in T*) fail "a signal stopped halbd" ;; *) ok ;; esac
has_vip a 192.0.2.100 && ok || fail "the VIP went with the signals"
wait_log "$TMP/a/halbd.log" "wrote $TMP/a/halbd.json" 5

echo "== a script refused by enable_script_security is a reload warning"
mkdir -p "$TMP/open"
chmod 0777 "$TMP/open"
printf '#!/bin/sh\nexit 0\n' >"$TMP/open/chk.sh"
chmod 0755 "$TMP/open/chk.sh"
write_conf "enable_script_security" "vrrp_script chk {
    script $TMP/open/chk.sh
    interval 1
}" "track_script {
        chk
    }"
ctl reload >"$TMP/out" 2>&1 || true
expect_output_has "warning: " "reload reply has a warning line"
expect_output_has "insecure script" "the refused script is named"
expect_output_lacks " 0 warning(s)" "not 0 warnings"
expect_output_has "configuration reloaded from $conf: generation 2" "the file is in force"

echo "== TERM during a slow reload"
write_conf "" "" ""
wait_until 10 "a holds the VIP again" has_vip a 192.0.2.100
ctl reload >/dev/null 2>&1 || true
awk 'BEGIN { for (a = 0; a < 3; a++) for (p = 1; p <= 65000; p++)
    printf "virtual_server 203.0.113.%d %d {\n    protocol TCP\n    real_server 198.51.100.1 %d {\n        weight 1\n    }\n}\n", a + 1, p, p }' \
    >"$TMP/big.inc"
printf 'include %s/big.inc\n' "$TMP" >>"$conf"
wait_until 10 "a holds the VIP before the slow reload" has_vip a 192.0.2.100
kill -HUP "$pid"
wait_log "$TMP/a/halbd.log" "reloading configuration from $conf" 10
t0=$(now_ms)
kill -TERM "$pid"
# Our child: once it exits it is a zombie until waited for.
gone() { _s=$(ps -o stat= -p "$1" 2>/dev/null || true); [ -z "$_s" ] || [ "${_s#Z}" != "$_s" ]; }
wait_until 30 "halbd exits" gone "$pid"
within_ms "TERM to exit during a slow reload" $(($(now_ms) - t0)) 2000
lacks_vip a 192.0.2.100 && ok || fail "the VIP outlived halbd"
grep -qF "abandoning the configuration being read" "$TMP/a/halbd.log" && ok || fail "abandon not logged"
finish
