#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# config-parse.sh: how fast and how lean is configuration loading?
# Generates configurations of N virtual servers x M real servers (TCP_CHECK
# on each, see gen-config.py), runs `halbd -t -f FILE` and
# `keepalived -t -f FILE` on each, RUNS times, and prints the median wall
# time and peak RSS of each side by side with the ratio halbd/keepalived.
#
# Usage: bench/config-parse.sh [NxM ...]      (default: 10000x10)
# Environment:
#   HALBD       halbd binary (default: ../src/halbd next to this script,
#               i.e. an in-tree build; set it for a separate build dir)
#   KEEPALIVED  keepalived binary (default: keepalived from PATH)
#   RUNS        runs per tool and size (default: 3)
#   KEEP        set to 1 to keep the generated files and logs
# Either tool may be missing: its columns then read "n/a".
set -u

here=$(cd "$(dirname "$0")" && pwd)
HALBD=${HALBD:-$here/../src/halbd}
KEEPALIVED=${KEEPALIVED:-keepalived}
RUNS=${RUNS:-3}
KEEP=${KEEP:-0}
GNU_TIME=/usr/bin/time

die() { echo "config-parse.sh: $*" >&2; exit 2; }

case $RUNS in
''|*[!0-9]*|0) die "RUNS must be a positive integer, got '$RUNS'" ;;
esac

# GNU time gives the peak RSS (%M); the shell's `time` does not.
if ! "$GNU_TIME" -f '%e %M' true > /dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null 2>&1; then
		echo "config-parse.sh: installing GNU time (package 'time')" >&2
		apt-get install -y time > /dev/null || die "apt-get install time failed"
	else
		die "GNU time ($GNU_TIME) is needed: install the package 'time' (as root: apt-get install time)"
	fi
fi
command -v python3 > /dev/null 2>&1 || die "python3 is needed to generate the configurations"

[ $# -gt 0 ] || set -- 10000x10
for size in "$@"; do
	case $size in
	[0-9]*x[0-9]*) ;;
	*) die "size '$size' is not NxM (for example 10000x10)" ;;
	esac
	case $size in
	*x*x*|*[!0-9x]*) die "size '$size' is not NxM (for example 10000x10)" ;;
	esac
	if [ "${size%x*}" -eq 0 ] || [ "${size#*x}" -eq 0 ]; then
		die "size '$size': N and M must be positive"
	fi
done

# A tool is usable if it runs; "n/a" otherwise, with the reason on stderr.
tool_ok() { # name path
	if [ -z "$2" ]; then
		echo "config-parse.sh: $1: not set, skipped" >&2
		return 1
	fi
	case $2 in
	*/*) [ -x "$2" ] || { echo "config-parse.sh: $1: $2 is not executable, skipped" >&2; return 1; } ;;
	*) command -v "$2" > /dev/null 2>&1 || { echo "config-parse.sh: $1: '$2' not found in PATH, skipped" >&2; return 1; } ;;
	esac
	return 0
}

work=$(mktemp -d "${TMPDIR:-/tmp}/halbd-bench.XXXXXX") || die "mktemp failed"
cleanup() {
	if [ "$KEEP" = 1 ]; then
		echo "config-parse.sh: files kept in $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

have_halbd=0; tool_ok halbd "$HALBD" && have_halbd=1
have_ka=0; tool_ok keepalived "$KEEPALIVED" && have_ka=1
[ $have_halbd = 1 ] || [ $have_ka = 1 ] || die "neither halbd nor keepalived can be run"

# A -t that accepts a broken file is not parsing it (for example a halbd
# built before the parser existed): its figures would mean nothing.
printf 'virtual_server 192.0.2.1 80 {\n    lb_algo\n    real_server {\n' > "$work/broken.conf"
if [ $have_halbd = 1 ] && "$HALBD" -t -f "$work/broken.conf" > /dev/null 2>&1; then
	echo "config-parse.sh: WARNING: $HALBD -t accepts a broken file, so it does not parse yet;" >&2
	echo "config-parse.sh: WARNING: its figures below are marked with '!' and mean nothing" >&2
	halbd_mark='!'
else
	halbd_mark=''
fi

median() { # reads numbers, prints the median (lower middle for even counts)
	sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "" }'
}

# measure TOOL CONF TAG: runs TOOL -t -f CONF $RUNS times; sets med_wall,
# med_rss (KiB) and status ("ok", or "exit N" from the last failing run).
measure() {
	: > "$work/$3.times"
	status=ok
	i=0
	while [ $i -lt "$RUNS" ]; do
		i=$((i + 1))
		"$GNU_TIME" -o "$work/$3.time" -f '%e %M' "$1" -t -f "$2" \
			> "$work/$3.log" 2>&1
		rc=$?
		[ $rc = 0 ] || status="exit $rc"
		tail -n 1 "$work/$3.time" >> "$work/$3.times"
		echo "  $3 run $i: $(tail -n 1 "$work/$3.time") (s KiB), exit $rc" >&2
	done
	med_wall=$(cut -d' ' -f1 < "$work/$3.times" | median)
	med_rss=$(cut -d' ' -f2 < "$work/$3.times" | median)
	if [ "$status" != ok ]; then
		echo "  $3: last output lines:" >&2
		tail -n 3 "$work/$3.log" | sed 's/^/    /' >&2
	fi
}

ratio() { # a b -> a/b with 2 decimals, or n/a
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "" || b == "" || a == "n/a" || b == "n/a" || b + 0 == 0) print "n/a";
		else printf "%.2f\n", a / b }'
}

mib() { # KiB -> MiB with 1 decimal
	awk -v k="$1" 'BEGIN { if (k == "" || k == "n/a") print "n/a"; else printf "%.1f\n", k / 1024 }'
}

rows="$work/rows"
: > "$rows"
for size in "$@"; do
	n=${size%x*}
	m=${size#*x}
	conf="$work/bench-$size.conf"
	python3 "$here/gen-config.py" "$n" "$m" > "$conf" || die "gen-config.py $n $m failed"
	lines=$(wc -l < "$conf")
	echo "config-parse.sh: $size: $lines lines, $(($(wc -c < "$conf") / 1024)) KiB" >&2

	h_wall=n/a; h_rss=n/a; h_status=skipped
	if [ $have_halbd = 1 ]; then
		measure "$HALBD" "$conf" "halbd-$size"
		h_wall=$med_wall; h_rss=$med_rss; h_status=$status
	fi
	k_wall=n/a; k_rss=n/a; k_status=skipped
	if [ $have_ka = 1 ]; then
		measure "$KEEPALIVED" "$conf" "keepalived-$size"
		k_wall=$med_wall; k_rss=$med_rss; k_status=$status
	fi
	echo "$size $h_wall $k_wall $(ratio "$h_wall" "$k_wall") $(mib "$h_rss") $(mib "$k_rss") $(ratio "$h_rss" "$k_rss") $h_status|$k_status" >> "$rows"
done

echo
echo "Configuration loading (-t), median of $RUNS runs; ratio = halbd / keepalived"
echo "halbd:      $HALBD"
echo "keepalived: $(command -v "$KEEPALIVED" 2>/dev/null || echo "$KEEPALIVED")" \
	"($("$KEEPALIVED" -v 2>&1 | head -n 1))"
echo
awk -v mark="$halbd_mark" '
BEGIN {
	fmt = "%-10s %10s %10s %7s   %10s %10s %7s   %s\n"
	printf fmt, "size", "halbd s", "kalvd s", "ratio", "halbd MiB", "kalvd MiB", "ratio", "exit (halbd|keepalived)"
	printf fmt, "----", "-------", "-------", "-----", "---------", "---------", "-----", "-----------------------"
}
{
	hw = $2; hr = $5
	wr = $4; rr = $7
	if (mark != "" && hw != "n/a") { hw = hw mark; hr = hr mark; wr = wr mark; rr = rr mark }
	status = $8; for (i = 9; i <= NF; i++) status = status " " $i
	printf fmt, $1, hw, $3, wr, hr, $6, rr, status
}' "$rows"
