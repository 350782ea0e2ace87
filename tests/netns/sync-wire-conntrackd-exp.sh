#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/sync-wire-conntrackd-exp.sh: expectation messages on the wire
# with the real conntrackd 1.4.7 (`Options { ExpectationSync on }`), both
# ways, through our FtfwPeer (tests/sync/sync_probe) as in
# sync-wire-conntrackd.sh:
#  - conntrackd -> us: a client in namespace cli opens an FTP control
#    connection to ftp_pasv.py in ctd, whose kernel's ftp helper (an nftables
#    `ct helper` on port 21) expects the data connection announced in the 227
#    answer; conntrackd sends that expectation and the probe decodes it (master,
#    expected tuple, helper);
#  - us -> conntrackd: the probe's FTP expectation behind DNAT
#    (--send-exp) lands in conntrackd's external cache (`conntrackd -e expect`).
# Only documentation ranges, inside our namespaces.
set -eu
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
command -v conntrackd >/dev/null 2>&1 || skip "needs conntrackd"
command -v conntrack >/dev/null 2>&1 || skip "needs conntrack"
command -v nft >/dev/null 2>&1 || skip "needs nft"
command -v python3 >/dev/null 2>&1 || skip "needs python3"
PROBE=$top_builddir/tests/sync/sync_probe
[ -x "$PROBE" ] || skip "tests/sync/sync_probe not built"
FTP=$top_srcdir/tests/netns/ftp_pasv.py

ns_new ctd >/dev/null
ns_new hal >/dev/null
ns_new cli >/dev/null
ns_link ctd sync0 hal sync1
ns_link cli eth0 ctd eth0
ip -n "$NS_PREFIX-ctd" addr add 192.0.2.1/24 dev sync0
ip -n "$NS_PREFIX-hal" addr add 192.0.2.2/24 dev sync1
ip -n "$NS_PREFIX-cli" addr add 198.51.100.10/24 dev eth0
ip -n "$NS_PREFIX-ctd" addr add 198.51.100.1/24 dev eth0
ns ctd nft -f - <<'NFT'
table ip ftp {
    ct helper ftp21 {
        type "ftp" protocol tcp
    }
    chain pre {
        type filter hook prerouting priority filter;
        tcp dport 21 ct helper set "ftp21"
    }
}
NFT

cat >"$TMP/ctd.conf" <<EOF2
Sync {
    Mode FTFW {
    }
    UDP {
        IPv4_address 192.0.2.1
        IPv4_Destination_Address 192.0.2.2
        Port 3780
        Interface sync0
        Checksum on
    }
    Options {
        ExpectationSync on
    }
}
General {
    HashSize 8192
    HashLimit 65535
    LogFile $TMP/ctd.log
    Syslog off
    LockFile $TMP/ctd.lock
    UNIX {
        Path $TMP/ctd.ctl
    }
    NetlinkBufferSize 2097152
    NetlinkBufferSizeMaxGrowth 8388608
}
EOF2
ctd() { ns ctd conntrackd -C "$TMP/ctd.conf" "$@"; }
probe_has() { grep -qE -- "$1" "$TMP/probe.out"; }
ext_exp_has() { ctd -e expect 2>/dev/null | grep -qE -- "$1"; }
on_exit 'if [ "$fails" != 0 ]; then for f in "$TMP"/*.out "$TMP"/ctd.log "$TMP"/*.log; do echo "--- $f" >&2; tail -30 "$f" >&2; done; fi'

ns_bg ctd "$TMP/ctd.out" conntrackd -C "$TMP/ctd.conf"
wait_until 10 "conntrackd started" test -S "$TMP/ctd.ctl"
ns_bg hal "$TMP/probe.out" "$PROBE" sync1 192.0.2.1 --source 192.0.2.2 --send-exp
wait_until 10 "probe hears conntrackd" probe_has '^PEER up'

echo "== conntrackd -> us: an FTP expectation made by ctd's kernel"
ns_bg ctd "$TMP/ftp.log" python3 "$FTP" serve 21
D=$TMP/ftp; mkdir -p "$D"; mkfifo "$D/go"
wait_until 10 "the FTP server listens" sh -c "ip netns exec $NS_PREFIX-ctd ss -ltn | grep -q ':21 '"
ns_bg cli "$D/client.log" python3 "$FTP" client 198.51.100.1 21 "$D"
wait_until 20 "the client got the 227 answer" test -f "$D/pasv"
read -r addr port <"$D/pasv"
echo "  227 announces $addr:$port"
ns ctd conntrack -L expect 2>/dev/null | sed 's/^/  ctd expect| /'
wait_until 10 "the probe decodes conntrackd's expectation" probe_has \
    "^EXP new master=198.51.100.10:[0-9]+>198.51.100.1:21 expect=198.51.100.10:0>198.51.100.1:$port helper=ftp"
grep '^EXP' "$TMP/probe.out" | sed 's/^/  probe| /'
echo go >"$D/go"
wait_until 10 "the data connection ends" test -f "$D/result"
case "$(cat "$D/result")" in ok*) ok ;; *) fail "data connection: $(cat "$D/result")" ;; esac
wait_until 10 "the probe hears the expectation go (used)" probe_has \
    "^EXP delete master=198.51.100.10:[0-9]+>198.51.100.1:21 expect=198.51.100.10:0>198.51.100.1:$port"

echo "== us -> conntrackd: our FTP expectation behind DNAT"
wait_until 10 "conntrackd's external cache holds our expectation" ext_exp_has \
    'src=192.0.2.10 dst=192.0.2.100 sport=0 dport=50000 .*master-src=192.0.2.10 master-dst=192.0.2.100 sport=40000 dport=21'
ctd -e expect 2>/dev/null | sed 's/^/  conntrackd -e expect| /'
ctd -s 2>/dev/null | grep -iE "malformed|error" | sed 's/^/  ctd stats| /' || :
finish
