#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/ctl-dump.sh: what halbctl and the log say against what happened
# (issue 16). b (priority 100) is MASTER alone, with a second instance on
# VRID 62 that a does not run; a (priority 150) starts and preempts b, which
# kept advertising: a's log must say "preempting", not "silent"; the VIP
# lines name the address with its prefix; `halbctl dump` on a says "master
# this node"; `dump --json` and `vrrp --json` parse and their values match
# the kernel and the log (state, master, VIPs, last transition, the socket's
# not_our_vrid drops, a TCP_CHECK's up and down real servers). Only
# 192.0.2.0/24 inside our namespaces and loopback.
set -u
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
: "${HALBCTL:=$top_builddir/src/halbctl}"
command -v python3 >/dev/null || skip "needs python3"

ns_lan a=192.0.2.1/24 b=192.0.2.2/24
logs_on_failure "$TMP/*/halbd.log"
ctl() { _n=$1; shift; ns "$_n" "$HALBCTL" -s "$TMP/$_n/ctl" "$@"; }

instance() { # NAME VRID PRIORITY VIP
    cat <<CONF
vrrp_instance $1 {
    state BACKUP
    interface eth0
    virtual_router_id $2
    priority $3
    advert_int 0.1
    virtual_ipaddress {
        $4
    }
}
CONF
}

# a's real servers: a listener on 127.0.0.1 in a, and a closed port.
mkdir -p "$TMP/a" "$TMP/b"
ns_bg a "$TMP/listener.log" python3 -c '
import socket, os, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1])); os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, _ = s.accept(); c.close()' "$TMP/port"
wait_until 10 "the listener in a is up" test -s "$TMP/port"
up_port=$(cat "$TMP/port")
down_port=$(ns a python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

{ printf 'global_defs {\n    router_id b\n    vrrp_version 3\n}\n'
  instance VI_1 61 100 192.0.2.100/24
  instance VI_2 62 100 192.0.2.101/24; } >"$TMP/b.conf"
{ printf 'global_defs {\n    router_id a\n    vrrp_version 3\n}\n'
  instance VI_1 61 150 192.0.2.100/24
  cat <<CONF
virtual_server 192.0.2.100 80 {
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
}
CONF
} >"$TMP/a.conf"

start() { # NODE [FLAG...]
    _n=$1; shift
    ns_bg "$_n" "$TMP/$_n/halbd.log" "$HALBD" -n -l -D -G "$@" -f "$TMP/$_n.conf" -p "$TMP/$_n/halbd.pid" \
        --control-socket "$TMP/$_n/ctl"
    wait_log "$TMP/$_n/halbd.log" "started with configuration" 5
}
start b -P
wait_until 10 "b holds 192.0.2.100 alone" has_vip b 192.0.2.100
start a
holds a b 192.0.2.100

echo "== the log says what happened"
wait_log "$TMP/a/halbd.log" "VI_1: BACKUP -> MASTER (preempting 192.0.2.2: its adverts have priority 100, ours 150)" 5
expect_lacks() { grep -qF -- "$2" "$1" && fail "$1 says '$2'" || ok; }
expect_lacks "$TMP/a/halbd.log" "silent for"
wait_log "$TMP/a/halbd.log" "VI_1: added 1 VIP(s): 192.0.2.100/24 on eth0" 5
wait_log "$TMP/b/halbd.log" "VI_1: removed 1 VIP(s): 192.0.2.100/24 on eth0" 5

echo "== the text dump and halbctl vrrp"
ctl a dump >"$TMP/a.dump" && ok || fail "halbctl dump on a"
grep -q "^# VRRP instance VI_1: MASTER, .*, master this node," "$TMP/a.dump" && ok ||
    fail "a's dump does not say 'master this node': $(grep '^# VRRP instance' "$TMP/a.dump")"
grep -qF "#   last transition BACKUP -> MASTER" "$TMP/a.dump" && ok || fail "a's dump lacks the last transition"
ctl b dump | grep -q "^# VRRP instance VI_1: BACKUP, .*, master 192.0.2.1," && ok || fail "b's dump does not name a as master"
ctl a vrrp >"$TMP/a.vrrp" && ok || fail "halbctl vrrp on a"
grep -qE "^  last transition BACKUP -> MASTER [0-9.]+m?s ago \(preempting 192.0.2.2: " "$TMP/a.vrrp" && ok ||
    fail "halbctl vrrp lacks the last transition: $(cat "$TMP/a.vrrp")"
grep -q "^  VIPs 192.0.2.100/24 (installed)" "$TMP/a.vrrp" && ok || fail "halbctl vrrp: VIP without its prefix"
# b's VI_2 adverts reach a's socket, which has no VRID 62.
not_our_vrid() { ctl a vrrp | grep -qE "^  socket eth0 inet open, received [0-9]+, dropped [0-9]+ .*not_our_vrid=[1-9]"; }
wait_until 10 "a's socket counts b's VRID 62 adverts as not_our_vrid" not_our_vrid

echo "== dump --json and vrrp --json against reality"
wait_log "$TMP/a/halbd.log" "removing [127.0.0.1]:$down_port from VS" 10
ctl a dump --json >"$TMP/a.json" && ok || fail "halbctl dump --json on a"
ctl a vrrp --json >"$TMP/a-vrrp.json" && ok || fail "halbctl vrrp --json on a"
ctl b dump --json >"$TMP/b.json" && ok || fail "halbctl dump --json on b"
python3 - "$TMP/a.json" "$TMP/a-vrrp.json" "$TMP/b.json" "$up_port" "$down_port" >"$TMP/py.out" 2>&1 <<'PY'
import json, sys, time
a = json.load(open(sys.argv[1])); av = json.load(open(sys.argv[2])); b = json.load(open(sys.argv[3]))
up, down = int(sys.argv[4]), int(sys.argv[5])
fails = []
def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond: fails.append(what)
check(a["ok"] and b["ok"] and av["ok"], "envelopes ok")
d, bd = a["data"], b["data"]
check(set(d) == {"status", "instances", "sync_groups", "vrrp_sockets", "virtual_servers", "services", "sync"},
      "dump --json members: %s" % sorted(d))
check(d["status"]["generation"] == 1, "status.generation 1")
[i] = d["instances"]
check(i["name"] == "VI_1" and i["state"] == "MASTER" and i["master"] == "self", "a: VI_1 MASTER, master self")
check(i["vips"] == ["192.0.2.100/24"] and i["vips_installed"], "a: vips with prefix, installed")
t = i["last_transition"]
check(t["from"] == "BACKUP" and t["to"] == "MASTER", "a: last transition BACKUP -> MASTER")
check(t["reason"].startswith("preempting 192.0.2.2: its adverts have priority 100, ours 150"), "a: reason " + t["reason"])
check(0 <= t["seconds_ago"] < 60 and abs(time.time() - t["seconds_ago"] - t["unix_ms"] / 1000) < 5, "a: transition time %s at %.0f" % (t, time.time()))
check(i["socket"]["interface"] == "eth0" and i["socket"]["open"], "a: instance socket eth0 open")
[s] = d["vrrp_sockets"]
check(s["interface"] == "eth0" and s["family"] == "inet" and s["drops"]["by_reason"].get("not_our_vrid", 0) > 0,
      "a: socket drops not_our_vrid %s" % s["drops"])
check(s["drops"]["total"] == sum(s["drops"]["by_reason"].values()), "a: socket drops total = sum")
check(d["sync_groups"] == [] and d["sync"] is None, "a: no sync groups, no sync")
[vs] = d["virtual_servers"]
check(vs["virtual_server"] == "[192.0.2.100]:80", "a: virtual server " + vs["virtual_server"])
rs = {r["port"]: r for r in vs["real_servers"]}
check(rs[up]["up"] and not rs[down]["up"], "a: real servers up %d, down %d" % (up, down))
check(rs[down]["checkers"][0]["last_failure"]["reason"] == "refused", "a: down checker refused")
check(d["services"] is None or isinstance(d["services"], list), "a: services null or a list")
check(d["services"] is not None or not d["status"]["forwarding"]["running"], "a: services null only without forwarding")
check([x["name"] for x in av["data"]] == ["VI_1"] and av["data"][0]["state"] == "MASTER"
      and av["data"][0]["last_transition"]["reason"] == t["reason"], "vrrp --json agrees with dump --json")
bi = {x["name"]: x for x in bd["instances"]}
check(bi["VI_1"]["state"] == "BACKUP" and bi["VI_1"]["master"] == "192.0.2.1", "b: VI_1 BACKUP, master 192.0.2.1")
check(bi["VI_1"]["last_transition"]["from"] == "MASTER" and bi["VI_1"]["last_transition"]["to"] == "BACKUP",
      "b: VI_1 last transition MASTER -> BACKUP (%s)" % bi["VI_1"]["last_transition"]["reason"])
check(bi["VI_2"]["state"] == "MASTER" and bi["VI_2"]["vips"] == ["192.0.2.101/24"], "b: VI_2 MASTER with its VIP")
check(bd["virtual_servers"] is None, "b (-P): virtual_servers null")
sys.exit(1 if fails else 0)
PY
rc=$?
cat "$TMP/py.out"
n=$(grep -c '^ok ' "$TMP/py.out"); i=0
while [ $i -lt "$n" ]; do ok; i=$((i + 1)); done
[ $rc = 0 ] || fail "dump --json does not match reality (above)"
has_vip b 192.0.2.101 && ok || fail "b's VI_2 VIP is not in the kernel, though the JSON says MASTER"
has_vip a 192.0.2.100 && lacks_vip b 192.0.2.100 && ok || fail "the VIP moved while the test read the JSON"

finish
