#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# Issue 11 item 10: nothing in the configuration is silently ignored. Runs
# model-fields-check.sh on the tree (every model field is read by a subsystem
# or listed in src/config/model_fields.list with its kind), shows on copies
# that the check fails for a new unread field, a listed field without its
# warning, a stale line and an unimplemented field that became read, and
# that `halbd -t` prints the warning for unimplemented keywords.
. "$top_srcdir/tests/lib.sh"

check=$top_srcdir/tests/config/model-fields-check.sh

echo "== the tree passes"
expect_status 0 "every model field is read or listed" -- sh "$check" "$top_srcdir"
expect_output_has "0 problems" "the check reports its count"

# copy: a fresh copy of the sources the check reads.
copy() {
    rm -rf "$TMP/t"
    mkdir -p "$TMP/t"
    cp -R "$top_srcdir/src" "$TMP/t/src"
    mkdir "$TMP/t/man"
    cp "$top_srcdir/man/halbd.conf.5" "$TMP/t/man/"
    chmod -R u+w "$TMP/t"
}

echo "== a new field nobody reads fails, naming it"
copy
sed 's|^    bool nopreempt = false;|&\n    bool kwcheck_fake_field = false;|' "$top_srcdir/src/config/model_vrrp.hh" \
    >"$TMP/t/src/config/model_vrrp.hh"
grep -q kwcheck_fake_field "$TMP/t/src/config/model_vrrp.hh" || fail "the fake field was not inserted"
expect_status 1 "an unread, unlisted field" -- sh "$check" "$TMP/t"
expect_output_has "model field VrrpInstance.kwcheck_fake_field (src/config/model_vrrp.hh) is read by no subsystem" \
    "the failure names the field and its header"
expect_output_has "list it there as \`unimplemented KEYWORD\`" "the failure says what to do"

echo "== listed unimplemented without its not_implemented() warning fails"
echo "VrrpInstance.kwcheck_fake_field unimplemented kwcheck_fake_field" >>"$TMP/t/src/config/model_fields.list"
expect_status 1 "an unimplemented field without a warning" -- sh "$check" "$TMP/t"
expect_output_has "VrrpInstance.kwcheck_fake_field is listed unimplemented but src/config has no not_implemented(\"'kwcheck_fake_field'\") warning" \
    "the failure names the missing warning"

echo "== ... and with the warning but not in halbd.conf(5)"
printf '// fake\nstatic auto w = not_implemented("%s");\n' "'kwcheck_fake_field'" >>"$TMP/t/src/config/validate_unimplemented.cc"
expect_status 1 "an unimplemented field missing from the man page" -- sh "$check" "$TMP/t"
expect_output_has "VrrpInstance.kwcheck_fake_field: man/halbd.conf.5 does not name" "names the man page"

echo "== ... and passes with both"
sed 's|^\\fBha_suspend\\fR;|\\fBkwcheck_fake_field\\fR, &|' "$top_srcdir/man/halbd.conf.5" >"$TMP/t/man/halbd.conf.5"
expect_status 0 "an unimplemented field with its warning and its man line" -- sh "$check" "$TMP/t"

echo "== removing an existing warning fails"
copy
sed "s|not_implemented(\"'disable_local_igmp'\")|std::string()|" "$top_srcdir/src/config/validate_unimplemented.cc" \
    >"$TMP/t/src/config/validate_unimplemented.cc"
expect_status 1 "disable_local_igmp without its warning" -- sh "$check" "$TMP/t"
expect_output_has "GlobalDefs.disable_local_igmp is listed unimplemented" "names the field whose warning went"

echo "== a line for a field that no longer exists fails"
copy
echo "VrrpInstance.no_such_field internal" >>"$TMP/t/src/config/model_fields.list"
expect_status 1 "a stale line" -- sh "$check" "$TMP/t"
expect_output_has "VrrpInstance.no_such_field is not a field of the model any more" "names the stale line"

echo "== an unimplemented field that a subsystem now reads fails"
copy
printf '// fake reader\ninline bool kwcheck_fake(const halbd::config::GlobalDefs& g) { return g.disable_local_igmp; }\n' \
    >>"$TMP/t/src/vrrp/notifier.cc"
expect_status 1 "a listed unimplemented field that is read" -- sh "$check" "$TMP/t"
expect_output_has "GlobalDefs.disable_local_igmp is listed unimplemented but a subsystem reads it" "names it"

echo "== an inherited field whose target nobody reads fails"
copy
grep -v '^GlobalDefs.checker_log_all_failures' "$top_srcdir/src/config/model_fields.list" >"$TMP/t/src/config/model_fields.list"
echo "GlobalDefs.checker_log_all_failures inherited GlobalDefs.router_id" >>"$TMP/t/src/config/model_fields.list"
expect_status 1 "inherited by an unread field" -- sh "$check" "$TMP/t"
expect_output_has "inherited by GlobalDefs.router_id, which no subsystem reads either" "names the target"

echo "== halbd -t warns for each unimplemented keyword, with its location"
cat >"$TMP/u.conf" <<'EOF'
global_defs {
    router_id kw
    disable_local_igmp
    vrrp_startup_delay 5
    log_unknown_vrids
    vrrp_netlink_cmd_rcv_bufs 1048576
    lvs_notify_fifo /run/halbd-kwcheck.fifo
}
vrrp_instance VI_1 {
    interface lo
    virtual_router_id 51
    track_src_ip
    unicast_src_ip 192.0.2.1
    unicast_peer {
        192.0.2.2
    }
    promote_secondaries
    virtual_ipaddress {
        192.0.2.10/24
    }
}
garp_group {
    garp_interval 0.01
    interface lo
}
interface_up_down_delays {
    lo 1 2
}
virtual_server 192.0.2.10 80 {
    protocol TCP
    ha_suspend
    real_server 192.0.2.20 80 {
        HTTP_GET {
            url {
                path /
            }
            fast_recovery
        }
    }
}
EOF
expect_status 0 "a configuration with unimplemented keywords is valid" -- "$HALBD" -P -t -f "$TMP/u.conf"
for kw in disable_local_igmp vrrp_netlink_cmd_rcv_bufs track_src_ip \
    promote_secondaries garp_group ha_suspend fast_recovery; do
    expect_output_has "'$kw' is recognised but not implemented by halbd; ignored" "-t warns about $kw"
done
for kw in log_unknown_vrids vrrp_startup_delay startup_script interface_up_down_delays; do
    expect_output_lacks "'$kw' is recognised" "$kw is implemented"
done
expect_output_has "u.conf:7:5: warning: 'lvs_notify_fifo' is recognised but not implemented" "with the FIFO's location"
expect_output_has "u.conf:22:1: warning: 'garp_group' is recognised" "with the block's location"

echo "== an instance's vrf (kept without an interface) and a sync group's notify_priority_changes warn"
printf 'vrrp_instance A {\n vrf red\n virtual_router_id 5\n unicast_src_ip 192.0.2.1\n unicast_peer {\n  192.0.2.2\n }\n virtual_ipaddress {\n  192.0.2.5/24\n }\n}\n' \
    >"$TMP/vrf.conf"
printf 'vrrp_sync_group G {\n group {\n  A\n }\n notify_priority_changes\n}\n' >>"$TMP/vrf.conf"
expect_status 0 "a unicast instance with a vrf is valid" -- "$HALBD" -t -f "$TMP/vrf.conf"
expect_output_has "vrf.conf:1:1: warning: vrrp_instance 'A': 'vrf' is recognised but not implemented by halbd" "-t warns about vrf"
expect_output_has "vrf.conf:12:1: warning: vrrp_sync_group 'G': 'notify_priority_changes' is recognised but not" \
    "-t warns about a sync group's notify_priority_changes"

finish
