#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/config/model-fields-check.sh SRCDIR [--list]: issue 11 item 10's
# enforcing check, run by tests/config/keywords.sh. Every data member of the
# configuration model (SRCDIR/src/config/model*.hh) must be read by a
# subsystem outside src/config, or be listed in src/config/model_fields.list
# as unimplemented (with its not_implemented() warning), internal or
# inherited. Exit 0 = every field accounted for, 1 = not (each problem named).
# --list prints each field's verdict instead (for reports). POSIX sh + awk.
# Limit: a read is recognised by the member name (".name", "->name"), so a
# field shares the verdict of any read model field of the same name (say
# VrrpInstance.vrf and RouteLine.vrf): such a field is only caught by review.
set -eu
src=${1:?usage: model-fields-check.sh SRCDIR [--list]}
mode=${2:-check}
cfg=$src/src/config
list=$cfg/model_fields.list
work=$(mktemp -d "${TMPDIR:-/tmp}/model-fields.XXXXXX")
trap 'rm -rf "$work"' EXIT

# 1. Every "Struct field" of the model headers.
awk '
/^struct [A-Za-z_0-9]+( *: *[A-Za-z_0-9:]+)? *\{/ {
    if ($0 ~ /\}/) next                     # struct X {};
    s = $2; sub(/\{.*/, "", s); depth = 1; next
}
s != "" {
    line = $0; sub(/\/\/.*/, "", line)
    decl = line; sub(/=.*/, "", decl)
    if (depth == 1 && line ~ /;[ \t]*$/ && decl !~ /[(]/ &&
        line !~ /^[ \t]*(friend|using|static|return|typedef|enum)[ \t]/ && line !~ /^[ \t]*\}/) {
        d = line; sub(/;[ \t]*$/, "", d)
        gsub(/\([^()]*\)/, "", d); gsub(/=[^,]*/, "", d); gsub(/\{[^}]*\}/, "", d)
        while (d ~ /<[^<>]*>/) gsub(/<[^<>]*>/, "", d)
        n = split(d, parts, ",")
        for (i = 1; i <= n; i++) {
            p = parts[i]; gsub(/^[ \t]+|[ \t]+$/, "", p)
            m = split(p, w, /[ \t*&]+/); name = w[m]; gsub(/\[.*\]/, "", name)
            if (name ~ /^[a-z_][a-z_0-9]*$/) print s "." name, FILENAME
        }
    }
    t = line; o = gsub(/\{/, "{", t); c = gsub(/\}/, "}", t); depth += o - c
    if (depth <= 0) s = ""
}' "$cfg"/model*.hh | sed "s|$src/||" >"$work/fields"

# 2. Every member name read (".name" or "->name") in src/ outside src/config,
#    comments stripped.
find "$src/src" \( -name '*.cc' -o -name '*.hh' \) ! -path "$cfg/*" -exec cat {} + |
    sed 's://.*$::' | grep -oE '(\.|->)[A-Za-z_][A-Za-z_0-9]*' | sed 's/^\.//; s/^->//' |
    sort -u >"$work/read"

# 3. What the config code itself says: not_implemented() subjects and the
#    text of src/config/*.cc (for the inherited-copy check); and the NOT
#    IMPLEMENTED section of halbd.conf(5), which must name each such keyword.
cat "$cfg"/*.cc >"$work/config_text"
man=$src/man/halbd.conf.5
[ -f "$man" ] || { echo "model-fields-check: $man is missing" >&2; exit 1; }
sed -n '/^\.SH NOT IMPLEMENTED/,/^\.SH [^N]/p' "$man" >"$work/man"

[ -f "$list" ] || { echo "model-fields-check: $list is missing" >&2; exit 1; }
sed 's/#.*$//' "$list" | awk 'NF' >"$work/list"

awk -v mode="$mode" -v listname="src/config/model_fields.list" \
    -v readf="$work/read" -v textf="$work/config_text" -v listf="$work/list" -v manf="$work/man" '
function fname(f,    name) { name = f; sub(/^[^.]*\./, "", name); return name }
function is_read(f,    name) { name = f; sub(/^[^.]*\./, "", name); return (name in read) }
function fail(msg) { print "model-fields-check: " msg; bad++ }
# A field is accounted for when read, or inherited by an accounted-for field
# (depth-limited so a cycle in the list cannot loop), or a global vrrp_X whose
# instance/group field X is read and which validation mentions.
function accounted(f, depth,    k, name, x) {
    if (depth > 8) return 0
    if (is_read(f)) return 1
    if ((f in kind) && kind[f] == "inherited") return (arg[f] in field) && accounted(arg[f], depth + 1)
    if (f ~ /^GlobalDefs\.vrrp_/) {
        name = f; sub(/^GlobalDefs\.vrrp_/, "", name)
        for (x in field) if (x !~ /^GlobalDefs\./ && x ~ ("\\." name "$") && is_read(x)) return 1
    }
    return 0
}
BEGIN {
    while ((getline l < readf) > 0) read[l] = 1
    text = ""; while ((getline l < textf) > 0) text = text l "\n"
    man = ""; while ((getline l < manf) > 0) man = man l "\n"
    n = 0
    while ((getline l < listf) > 0) {
        split(l, w, /[ \t]+/)
        if (w[1] == "") { sub(/^[ \t]+/, "", l); split(l, w, /[ \t]+/) }
        f = w[1]
        if (f in kind) { fail(listname ": " f " is listed twice"); continue }
        kind[f] = w[2]; arg[f] = w[3]; order[++n] = f
    }
}
{ field[$1] = $2; forder[++nf] = $1; shared[fname($1)]++ }
END {
    for (i = 1; i <= n; i++) {
        f = order[i]; k = kind[f]
        if (!(f in field)) { fail(listname ": " f " is not a field of the model any more: remove its line"); continue }
        if (k == "unimplemented") {
            if (arg[f] == "") { fail(listname ": " f ": unimplemented needs the keyword its warning names"); continue }
            if (index(text, "not_implemented(\"'\''" arg[f] "'\''\"") == 0 &&
                index(text, "not_implemented(\"" arg[f]) == 0)
                fail(f " is listed unimplemented but src/config has no not_implemented(\"'\''" arg[f] "'\''\") warning: add one where it is validated (for -t too)")
            if (index(man, "\\fB" arg[f] "\\fR") == 0)
                fail(f ": man/halbd.conf.5 does not name \\fB" arg[f] "\\fR in its NOT IMPLEMENTED section: add it")
            # Only a name no other model field has can be told read (RouteLine.vrf
            # is read, VrrpInstance.vrf is not).
            if (is_read(f) && shared[fname(f)] == 1)
                fail(f " is listed unimplemented but a subsystem reads it: remove its line from " listname " and the warning")
        } else if (k == "inherited") {
            if (!(arg[f] in field)) fail(listname ": " f " is inherited by " arg[f] ", which is not a model field")
            else {
                a = f; sub(/^[^.]*\./, "", a); b = arg[f]; sub(/^[^.]*\./, "", b)
                if (!(index(text, "." a) && index(text, "." b)))
                    fail(f ": src/config never mentions ." a " and ." b ": nothing copies one into the other")
                if (!accounted(arg[f], 0))
                    fail(f " is inherited by " arg[f] ", which no subsystem reads either")
            }
        } else if (k != "internal") {
            fail(listname ": " f ": unknown kind '\''" k "'\'' (unimplemented, internal or inherited)")
        }
    }
    for (i = 1; i <= nf; i++) {
        f = forder[i]
        if (mode == "--list") {
            v = is_read(f) ? "read" : (f in kind) ? kind[f] " " arg[f] : accounted(f, 0) ? "default of a read field" : "UNACCOUNTED"
            printf "%-48s %s\n", f, v
            continue
        }
        if ((f in kind) || accounted(f, 0)) continue
        fail("model field " f " (" field[f] ") is read by no subsystem outside src/config and not listed in " \
             listname ": make a subsystem act on it, or list it there as `unimplemented KEYWORD` (and warn with " \
             "not_implemented() at load), `internal` (bookkeeping) or `inherited Struct.field` (copied into a read field)")
    }
    if (mode != "--list") print "model-fields-check: " nf " model fields, " n " listed, " bad + 0 " problems"
    exit bad > 0
}' "$work/fields"
