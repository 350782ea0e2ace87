#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# The command line: keepalived's flags, one clear line and exit 2 for a bad
# flag or value, -v/-h/--signum, -t exit codes and all errors in one run.
. "$top_srcdir/tests/lib.sh"

expect_status 0 "-v" -- "$HALBD" -v
expect_output_has "halbd " "-v prints the version"
expect_status 0 "--help" -- "$HALBD" --help
for flag in --use-file --vrrp --check --log-console --log-detail --log-facility --log-file \
            --dont-fork --pid --config-test --dump-conf --config-id --dont-release-vrrp \
            --dont-release-ipvs --version --help; do
    expect_output_has "$flag" "--help documents $flag"
done
expect_status 2 "unknown flag" -- "$HALBD" --frobnicate
expect_output_has "frobnicate" "unknown flag is named"
[ "$(wc -l <"$TMP/out")" = 1 ] && ok || fail "unknown flag: more than one line"
expect_status 2 "bad facility" -- "$HALBD" -S 12
expect_output_has "invalid --log-facility '12'" "bad facility is explained"
expect_status 2 "missing value" -- "$HALBD" -f
expect_status 0 "--signum=RELOAD" -- "$HALBD" --signum=RELOAD
[ "$(cat "$TMP/out")" = 1 ] && ok || fail "--signum=RELOAD should print 1"

cat >"$TMP/good.conf" <<'CONF'
global_defs {
    router_id test
    lvs_backend ipvs
}
virtual_server 192.0.2.1 80 {
    protocol TCP
    real_server 192.0.2.2 80 {
    }
}
CONF
expect_status 0 "-t on a valid file" -- "$HALBD" -t -f "$TMP/good.conf"

# -t never takes the next word (it once truncated keepalived's own spelling
# `keepalived -t /etc/keepalived/keepalived.conf`): exit 2, file untouched.
cp "$TMP/good.conf" "$TMP/good.orig"
expect_status 2 "-t FILE is a usage error" -- "$HALBD" -t "$TMP/good.conf"
expect_output_has "unexpected argument '$TMP/good.conf'" "-t FILE names the stray word"
cmp -s "$TMP/good.conf" "$TMP/good.orig" && ok || fail "-t FILE changed FILE"
expect_status 2 "-f a.conf -t a.conf is a usage error" -- "$HALBD" -f "$TMP/good.conf" -t "$TMP/good.conf"
cmp -s "$TMP/good.conf" "$TMP/good.orig" && ok || fail "-f a.conf -t a.conf changed a.conf"
expect_status 2 "--config-test FILE is a usage error" -- "$HALBD" --config-test "$TMP/good.conf"
cmp -s "$TMP/good.conf" "$TMP/good.orig" && ok || fail "--config-test FILE changed FILE"
expect_status 2 "--config-test=FILE never overwrites the configuration" -- \
    "$HALBD" -f "$TMP/good.conf" --config-test="$TMP/good.conf"
cmp -s "$TMP/good.conf" "$TMP/good.orig" && ok || fail "--config-test=CONFIG changed the configuration"
expect_status 2 "a stray word is a usage error" -- "$HALBD" -n stray
expect_output_has "unexpected argument 'stray'" "the stray word is named"

# A file that defines nothing is refused by -t (an empty or truncated file
# would stop every instance), but for the packaged placeholder, which says so
# on a line of its own: valid with a warning (halbd manages nothing). A
# reload to either is refused (tests/config/daemon.sh).
: >"$TMP/empty.conf"
expect_status 1 "-t on an empty file" -- "$HALBD" -t -f "$TMP/empty.conf"
expect_output_has "error: the configuration defines nothing" "empty file is explained"
printf 'global_defs {\n    router_id x\n}\n' >"$TMP/global-only.conf"
expect_status 1 "-t on a file defining nothing" -- "$HALBD" -t -f "$TMP/global-only.conf"
expect_status 0 "-t on the packaged placeholder" -- "$HALBD" -t -f "$top_srcdir/etc/halbd.conf"
expect_output_has "warning: the configuration defines nothing" "the placeholder is explained"
expect_output_has "a reload to this file is refused" "the reload rule is said"
grep -v 'halbd-placeholder' "$top_srcdir/etc/halbd.conf" >"$TMP/unmarked.conf"
expect_status 1 "-t on the placeholder without its marker line" -- "$HALBD" -t -f "$TMP/unmarked.conf"

# A FIFO include was opened for reading, which waits for a writer forever.
mkfifo "$TMP/pipe.inc"
printf 'include %s/pipe.inc\n' "$TMP" >"$TMP/fifo.conf"
cat "$TMP/good.conf" >>"$TMP/fifo.conf"
expect_status 1 "-t with a FIFO include ends" -- timeout 10 "$HALBD" -t -f "$TMP/fifo.conf"
expect_output_has "is not a regular file" "FIFO include is refused"

# The log's own "error:" is not followed by a second "halbd: error:".
expect_status 1 "start on a missing file" -- "$HALBD" -n -l -G -p "$TMP/none.pid" -f "$TMP/none.conf"
expect_output_has "error: cannot open configuration file" "missing file logged"
expect_output_lacks "error: halbd: error:" "no doubled error prefix"
expect_status 1 "-t on a missing file" -- "$HALBD" -t -f "$TMP/none.conf"
expect_output_has "none.conf" "missing file is named"

cat >"$TMP/bad.conf" <<'CONF'
global_defs {
    router_idd test
}
vrrp_instance VI_1 {
    interface lo
    virtual_router_id 300
    priority 100
}
CONF
expect_status 1 "-t on a file with errors" -- "$HALBD" -t -f "$TMP/bad.conf"
expect_output_has "$TMP/bad.conf:2:5: error: unknown keyword 'router_idd' in 'global_defs'; did you mean 'router_id'?" "typo with suggestion"
expect_output_has "$TMP/bad.conf:6:23: error:" "second error reported in the same run"
printf 'include %s/conf.d/*.conf\n' "$TMP" >"$TMP/inc.conf"
cat "$TMP/good.conf" >>"$TMP/inc.conf"
expect_status 0 "an include matching nothing is a warning" -- "$HALBD" -t -f "$TMP/inc.conf"
expect_status 1 "-e makes it an error" -- "$HALBD" -t -e -f "$TMP/inc.conf"
expect_output_has "error: no file matches include" "-e error is explained"
expect_status 1 "-t=FILE writes the diagnostics to FILE" -- "$HALBD" --config-test="$TMP/diag" -f "$TMP/bad.conf"
grep -q "router_idd" "$TMP/diag" && ok || fail "-t=FILE: diagnostics not in FILE"
finish
