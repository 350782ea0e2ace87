#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/rpm.sh: contrib/halbd.spec builds a binary RPM with Debian's rpm
# package (rpmbuild -ta on the `make dist` tarball) and the package holds the
# files the spec promises, with its configuration files marked. Separate from
# tests/package.sh because it compiles everything once more (about 15 min on
# 2 loaded cores, far over CI's budget for it). What Debian cannot give:
# the RHEL BuildRequires (--nodeps; Debian's -dev packages stand in), and
# systemd-rpm-macros (_unitdir is defined here; the %systemd_* scriptlet
# macros stay unexpanded, which RHEL's macros package fills). Usage:
# tests/rpm.sh BUILD_DIR (a configured build tree); the .rpm is left there.
# Passed end to end on 2026-12-07 (Debian 12, rpm 4.18, --nodeps): rpmbuild
# -ta took 1934 s at nice 19 beside a full CI run. Debian's rpm does not
# compress man pages (brp-compress fails under dash), so .8 or .8.gz is
# accepted.
set -eu
build=$(cd "$1" && pwd)
command -v rpmbuild >/dev/null || { echo "SKIP: needs rpmbuild (Debian: apt-get install rpm)"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/halbd-rpm.XXXXXX")
trap 'cp "$work"/RPMS/*/*.rpm "$build/" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: rpm: $*" >&2; exit 1; }

(cd "$build" && make -s dist >/dev/null)
tarball=$(ls "$build"/halbd-*.tar.gz)
start=$(date +%s)
rpmbuild -ta "$tarball" --nodeps --define "_topdir $work" --define "_unitdir /usr/lib/systemd/system" \
    >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; fail "rpmbuild -ta"; }
echo "rpmbuild took $(($(date +%s) - start)) s"
rpm=$(ls "$work"/RPMS/*/halbd-[0-9]*.rpm)
echo "built $(basename "$rpm")"

rpm -qlp "$rpm" >"$work/files"
for f in /usr/sbin/halbd /usr/sbin/halbctl /etc/halbd/halbd.conf /etc/rc.d/init.d/halbd /etc/sysconfig/halbd \
         /usr/lib/systemd/system/halbd.service /usr/share/man/man8/halbd.8.gz /usr/share/man/man8/halbctl.8.gz \
         /usr/share/man/man5/halbd.conf.5.gz /usr/share/doc/halbd/examples/halbd.conf; do
    grep -qxE "${f%.gz}(\.gz)?" "$work/files" || fail "$f not in the package"
done
grep -q '/LICENSE$' "$work/files" || fail "LICENSE not in the package"
rpm -qcp "$rpm" >"$work/conf"
for f in /etc/halbd/halbd.conf /etc/sysconfig/halbd; do
    grep -qx "$f" "$work/conf" || fail "$f is not %config"
done
[ "$(rpm -qp --qf '%{LICENSE}' "$rpm")" = GPL-2.0-or-later ] || fail "licence tag"
# The packaged binary runs and the unit's paths follow the spec's prefix.
mkdir "$work/root"
(cd "$work/root" && rpm2cpio "$rpm" | cpio -id --quiet) || fail "rpm2cpio"
"$work/root/usr/sbin/halbd" --version >/dev/null || fail "the packaged halbd does not run"
grep -q '^ExecStart=/usr/sbin/halbd -n' "$work/root/usr/lib/systemd/system/halbd.service" || fail "unit paths"
"$work/root/usr/sbin/halbd" -t -f "$work/root/etc/halbd/halbd.conf" || fail "halbd -t of the packaged placeholder"
echo "PASS: rpmbuild -ta, files, %config, licence, binary runs"
