#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/config/spdx.sh: every source file opens with its licence (GPL-2.0 or
# later, LICENSE) and a copyright line, as the GPL expects, above its
# why-header (after a #! line). Fails naming each file without them.
# `sh tests/config/spdx.sh --fix` (top_srcdir set or run from the top) adds
# them where missing, e.g. to files merged from branches that predate it.
set -u
top=${top_srcdir:-.}
cd "$top" || exit 1
spdx="SPDX-License-Identifier: GPL-2.0-or-later"
copyright="Copyright (C) 2026 halbd developers"

# The files: code, scripts and build files; not data (configurations, fuzz
# corpora, expected outputs), not documents (man pages, README).
files() {
    for d in src tests bench contrib .ci debian; do
        [ -d "$d" ] || continue
        find "$d" -path tests/fuzz/corpus -prune -o -type f \( -name '*.cc' -o -name '*.hh' -o -name '*.c' \
            -o -name '*.h' -o -name '*.sh' -o -name '*.py' -o -name '*.am' \) -print
    done
    for f in configure.ac Makefile.am contrib/init.d/* debian/rules .ci/run; do [ -f "$f" ] && echo "$f"; done
}
comment() { case "$1" in *.cc|*.hh|*.c|*.h) echo "//" ;; *) echo "#" ;; esac; }

# has FILE: the licence line is line 1 (or 2 after #!), the copyright next.
has() {
    c=$(comment "$1")
    n=1; head -n1 "$1" | grep -q '^#!' && n=2
    [ "$(sed -n "${n}p" "$1")" = "$c $spdx" ] && sed -n "$((n + 1))p" "$1" | grep -q "^$c Copyright "
}

add() {
    c=$(comment "$1")
    tmp="$1.spdx.$$"
    if head -n1 "$1" | grep -q '^#!'; then
        { head -n1 "$1"; printf '%s %s\n%s %s\n' "$c" "$spdx" "$c" "$copyright"; tail -n +2 "$1"; } >"$tmp"
    else
        { printf '%s %s\n%s %s\n' "$c" "$spdx" "$c" "$copyright"; cat "$1"; } >"$tmp"
    fi
    chmod --reference="$1" "$tmp" && mv "$tmp" "$1"
}

missing=0; total=0
for f in $(files | sort -u); do
    total=$((total + 1))
    has "$f" && continue
    if [ "${1:-}" = --fix ]; then add "$f"; echo "added: $f"; else echo "FAIL: $f lacks '$spdx' and a copyright line at its top" >&2; fi
    missing=$((missing + 1))
done
[ $total -gt 100 ] || { echo "FAIL: only $total source files found under $top" >&2; exit 1; }
echo "$total files, $missing without the licence header"
[ "${1:-}" = --fix ] || [ $missing = 0 ]
