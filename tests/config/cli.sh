#!/bin/sh
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
}
CONF
expect_status 0 "-t on a valid file" -- "$HALBD" -t -f "$TMP/good.conf"
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
expect_status 0 "an include matching nothing is a warning" -- "$HALBD" -t -f "$TMP/inc.conf"
expect_status 1 "-e makes it an error" -- "$HALBD" -t -e -f "$TMP/inc.conf"
expect_output_has "error: no file matches include" "-e error is explained"
expect_status 1 "-t=FILE writes the diagnostics to FILE" -- "$HALBD" --config-test="$TMP/diag" -f "$TMP/bad.conf"
grep -q "router_idd" "$TMP/diag" && ok || fail "-t=FILE: diagnostics not in FILE"
finish
