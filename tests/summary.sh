# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/summary.sh: honest counts of a `make check` (sourced by tests/run.sh).
# tally BUILDDIR LABEL adds BUILDDIR's results to $passed, $failed and
# $skipped, counting the GoogleTest binary as its test cases and a TAP test
# as its results, and appends one line per skipped test, with its reason, to
# $SKIP_LIST (a file). Under CI=true, where tests/run.sh has installed every
# package and runs as root, a root, netns or VM test that skips is counted as
# failed and listed in $CI_SKIP_LIST instead.
: "${passed:=0}" "${failed:=0}" "${skipped:=0}"

# result_count LOG KIND: the "# KIND: N" line of an automake test-suite.log.
result_count() { sed -n "s/^# $2: *//p" "$1" | head -1; }

# skips_of_suite LOG: "NAME<TAB>REASON" for every skipped test in an automake
# test-suite.log: a plain test (its section's last "SKIP: ..." or "vm: ..."
# line, else its exit status) and each skipped result of a TAP test.
skips_of_suite() {
    awk '
    { line[NR] = $0 }
    END {
        for (i = 1; i <= NR; i++) {
            l = line[i]
            if (l ~ /^SKIP: [^ ]+ [0-9]+ .* # SKIP/) {          # a TAP result
                name = l; sub(/^SKIP: /, "", name); sub(/ # SKIP.*/, "", name)
                why = l; sub(/.* # SKIP */, "", why)
                print name "\t" (why == "" ? "(no reason given)" : why)
                continue
            }
            if (l ~ /^SKIP: [^ ]+$/ && line[i + 1] ~ /^=+$/) {   # a skipped plain test
                name = substr(l, 7); why = ""
                for (j = i + 2; j <= NR; j++) {
                    if (line[j] ~ /^[A-Z]+: [^ ]+$/ && line[j + 1] ~ /^=+$/) break
                    if (line[j] ~ /^(SKIP|vm): / && line[j] !~ /^SKIP: [^ ]+ [0-9]+ /) why = line[j]
                }
                sub(/^SKIP: /, "", why)
                print name "\t" (why == "" ? "exit status 77" : why)
            }
        }
    }' "$1"
}

# skips_of_gtest LOG: "NAME<TAB>MESSAGE" for every GTEST_SKIP in a
# GoogleTest log (the message follows the "file:line: Skipped" line).
skips_of_gtest() {
    awk '
    /^\[ RUN      \] / { name = $4; msg = ""; grab = 0; next }
    / Skipped$/ { grab = 1; next }
    /^\[  SKIPPED \] [^ ]+ \(/ { print name "\t" (msg == "" ? "(no message)" : msg); grab = 0; next }
    grab && NF { msg = (msg == "" ? $0 : msg " " $0) }
    grab && !NF { grab = 0 }' "$1"
}

# must_not_skip NAME REASON: whether a skip is a failure under CI=true.
must_not_skip() {
    [ "${CI:-}" = true ] || return 1
    case $1 in tests/netns/* | tests/vm/*) return 0 ;; esac
    case $2 in *root* | *CAP_NET*) return 0 ;; esac
    return 1
}

# note_skip LABEL NAME REASON
note_skip() {
    if must_not_skip "$2" "$3"; then
        printf '%s: %s: %s\n' "$1" "$2" "$3" >>"$CI_SKIP_LIST"
        failed=$((failed + 1))
    else
        printf '%s: %s: %s\n' "$1" "$2" "$3" >>"$SKIP_LIST"
        skipped=$((skipped + 1))
    fi
}

tally() {
    dir=$1 label=$2
    log=$dir/test-suite.log
    [ -f "$log" ] || return 0
    p=$(result_count "$log" PASS) f=$(result_count "$log" FAIL) e=$(result_count "$log" ERROR)
    xf=$(result_count "$log" XFAIL) xp=$(result_count "$log" XPASS)
    passed=$((passed + ${p:-0} + ${xf:-0}))
    failed=$((failed + ${f:-0} + ${e:-0} + ${xp:-0}))
    tab=$(printf '\t')
    skips_of_suite "$log" >"$log.skips"
    while IFS="$tab" read -r name why; do note_skip "$label" "$name" "$why"; done <"$log.skips"
    # The GoogleTest binary: its cases instead of one result.
    ulog=$dir/tests/unit/unit_tests.log
    utrs=$dir/tests/unit/unit_tests.trs
    [ -f "$utrs" ] && [ -f "$ulog" ] || return 0
    ok=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) tests\{0,1\}\..*/\1/p' "$ulog" | tail -1)
    [ -n "$ok" ] || return 0  # no summary (it crashed): it stays one failed test
    bad=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) tests\{0,1\}, listed below:.*/\1/p' "$ulog" | tail -1)
    if grep -q '^:test-result: PASS' "$utrs"; then passed=$((passed - 1)); else failed=$((failed - 1)); fi
    passed=$((passed + ok))
    failed=$((failed + ${bad:-0}))
    skips_of_gtest "$ulog" >"$ulog.skips"
    while IFS="$tab" read -r name why; do note_skip "$label" "unit_tests $name" "$why"; done <"$ulog.skips"
}
