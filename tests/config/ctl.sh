#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# The control socket end to end (root): halbd with a TCP_CHECK against a
# listener on 127.0.0.1 and no IPVS in reach; halbctl status, checks, ipvs
# (forwarding absent, said clearly), reload refused with file:line:col and
# the generation kept, then accepted; dump and dump --json; the socket is 0600 and a non-root user
# is refused. Waits on log lines and replies, never on fixed sleeps.
. "$top_srcdir/tests/lib.sh"
require_root
command -v python3 >/dev/null || skip "needs python3 for the TCP listener"

conf=$TMP/halbd.conf
log=$TMP/halbd.log
sock=$TMP/halbd.ctl
ctl() { "$HALBCTL" --socket "$sock" "$@"; }

# A listener for the up real server; the port next to it stays closed.
python3 - "$TMP/port" <<'PY' &
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, _ = s.accept(); c.close()
PY
listener=$!
on_exit "kill $listener 2>/dev/null || true"
timeout 10 sh -c 'until [ -s "$1" ]; do sleep 0.01; done' _ "$TMP/port" || { fail "listener did not start"; finish; exit 1; }
up_port=$(cat "$TMP/port")
# A port nobody listens on: bind and close one.
down_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

write_conf() {
    cat >"$conf" <<CONF
global_defs {
    router_id ctl_test
    lvs_backend ipvs
}
virtual_server 127.0.0.1 8080 {
    delay_loop 1
    lvs_sched rr
    lvs_method NAT
    protocol TCP
    real_server 127.0.0.1 $up_port {
        TCP_CHECK {
            connect_timeout 1
        }
    }
    real_server 127.0.0.1 $down_port {
        TCP_CHECK {
            connect_timeout 1
        }
    }
$1
}
CONF
}
write_conf ""

# No IPVS here for certain: -C keeps VRRP out, and the forwarding backend is
# whatever the kernel offers; the test asserts the reply either way.
"$HALBD" -n -G -C -g "$log" -p "$TMP/halbd.pid" --control-socket "$sock" -f "$conf" &
daemon=$!
on_exit "kill -9 $daemon 2>/dev/null || true"
timeout 20 sh -c 'until [ -S "$1" ]; do sleep 0.01; done' _ "$sock" || fail "control socket never appeared"

mode=$(stat -c '%a %U' "$sock")
[ "$mode" = "600 root" ] && ok || fail "socket mode/owner is '$mode', expected '600 root'"

expect_status 0 "status" -- ctl status
expect_output_has "configuration $conf, generation 1" "status names the file and generation"
expect_output_has "pid $daemon" "status names the pid"
expect_output_has "vrrp: not running" "status says VRRP is off with -C"

expect_status 0 "status --json" -- ctl status --json
python3 -m json.tool "$TMP/out" >/dev/null 2>&1 && ok || fail "status --json is not valid JSON"
expect_output_has '"generation":1' "status --json has the generation"
expect_output_has '{"ok":true,"data":{"version":' "status --json is in the envelope"

# Wait until both checkers have run once (up on the listener, down beside it).
if timeout 20 sh -c 'until "$1" --socket "$2" checks | grep -q "127.0.0.1\]:$3 down"; do sleep 0.05; done' _ "$HALBCTL" "$sock" "$down_port"; then ok; else fail "the closed port never went down"; fi
expect_status 0 "checks" -- ctl checks
expect_output_has "[127.0.0.1]:8080 TCP" "checks names the virtual server"
expect_output_has "[127.0.0.1]:$up_port up" "listening real server is up"
expect_output_has "[127.0.0.1]:$down_port down, weight 1, 1 of 1 checker(s) failing" "closed real server is down"
expect_output_has "last failure: refused" "checks gives the last failure's reason"
expect_status 0 "checks --json" -- ctl checks --json
python3 -m json.tool "$TMP/out" >/dev/null 2>&1 && ok || fail "checks --json is not valid JSON"
expect_output_has '"reason":"refused"' "checks --json has the typed reason"

if [ -d /proc/net/ip_vs ] || grep -q "^ip_vs " /proc/modules 2>/dev/null; then
    expect_status 0 "ipvs with IPVS present" -- ctl ipvs
    expect_output_has "TCP  127.0.0.1:8080 rr" "ipvs lists the service"
else
    expect_status 1 "ipvs without IPVS" -- ctl ipvs
    expect_output_has "halbctl: forwarding is not running: IPVS is not available" "ipvs says forwarding is absent"
    expect_status 1 "ipvs --json without IPVS" -- ctl ipvs --json
    expect_output_has '"status":"unavailable"' "ipvs --json says unavailable"
    expect_output_has '{"ok":false,' "an error is in the envelope too"
fi
expect_status 1 "vrrp with -C" -- ctl vrrp
expect_output_has "VRRP is not running" "vrrp says it is off"

# A broken file: refused with file:line:col, generation 1 stays.
write_conf "    bogus_keyword 1"
expect_status 1 "reload of a broken file" -- ctl reload
expect_output_has "$conf:20:5: error: unknown keyword 'bogus_keyword'" "reload reply has file:line:col"
expect_output_has "reload refused: 1 error(s) in $conf; generation 1 stays in force" "reload reply says refused"
expect_status 0 "status after refused reload" -- ctl status
expect_output_has "generation 1 (" "generation unchanged"
expect_output_has "1 reload(s) refused" "refusal counted"

write_conf ""
expect_status 0 "reload of a fixed file" -- ctl reload
expect_output_has "configuration reloaded from $conf: generation 2" "reload accepted"
expect_status 0 "reload --json" -- ctl reload --json
expect_output_has '"accepted":true,"generation":3' "reload --json"

expect_status 0 "dump" -- ctl dump
expect_output_has "# configuration $conf, generation 3" "dump is the USR1 text"
expect_output_has "router_id ctl_test" "dump has the configuration"
# dump --json: one structured object; without VRRP (-C) its members are null.
expect_status 0 "dump --json" -- ctl dump --json
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))["data"]
assert d["status"]["generation"] == 3, d["status"]
assert d["instances"] is None and d["sync_groups"] is None and d["vrrp_sockets"] is None, d
assert [v["virtual_server"] for v in d["virtual_servers"]] == ["[127.0.0.1]:8080"], d["virtual_servers"]
assert len(d["virtual_servers"][0]["real_servers"]) == 2' "$TMP/out" && ok || fail "dump --json: $(head -c 600 "$TMP/out")"

# Not root: the file's mode stops connect() (and SO_PEERCRED would stop the rest).
if command -v setpriv >/dev/null; then
    chmod 0711 "$TMP"  # others may reach the socket: its own mode must stop them
    expect_status 3 "non-root refused" -- setpriv --reuid=65534 --regid=65534 --clear-groups "$HALBCTL" --socket "$sock" status
    expect_output_has "Permission denied" "non-root told why"
    expect_output_has "root-only" "non-root told the rule"
    # Even with the file opened up, the daemon checks the peer's uid.
    chmod 0777 "$sock"
    expect_status 3 "non-root refused by SO_PEERCRED" -- setpriv --reuid=65534 --regid=65534 --clear-groups "$HALBCTL" --socket "$sock" status
    expect_output_has "permission denied: the control socket is root-only (uid 65534)" "peer check names the rule"
    chmod 0600 "$sock"; chmod 0700 "$TMP"
else
    echo "setpriv not found: non-root check skipped"
fi

kill -TERM "$daemon"
set +e
wait "$daemon"
st=$?
set -e
[ "$st" = 0 ] && ok || fail "TERM: exit status $st"
[ ! -e "$sock" ] && ok || fail "control socket left behind"
expect_status 3 "halbctl after stop" -- ctl status
expect_output_has "is halbd running?" "not running is said clearly"
finish
