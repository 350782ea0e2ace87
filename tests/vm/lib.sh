# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/vm/lib.sh: boot a throwaway qemu VM with Debian's kernel (which has
# IPVS, unlike the host) and run one shell script inside it. Sourced by
# tests/vm/run-in-vm.sh; the functions return 0 = ok, 77 = cannot be had here
# (skip), anything else = error. The reason is printed on stderr as "vm: ...".
# shellcheck shell=bash
#
# Pieces, all cached under $HALBD_VM_CACHE (default /var/cache/halbd-vm):
#   kernel/<pkg>/       Debian's linux-image package unpacked (vmlinuz + modules),
#                       depmod'ed; kernel/current names the package in use.
#   base-<hash>.cpio busybox, ipvsadm, keepalived, iproute2's ip with their
#                       shared libraries, a module subset and /init. Rebuilt
#                       when any input (kernel, host binaries, this file) changes.
# Per run, a small second cpio (the test script, --bin binaries and their
# libraries, --file files, --env settings) is appended to the base one: the
# kernel unpacks concatenated archives in order. A shared boot (suite-lib.sh)
# appends one such overlay per test, each test's /test under /suite/NAME, and
# /init runs them one after the other.

HALBD_VM_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# depmod, modprobe and friends live in sbin, which a user's PATH may lack.
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin

# Modules put in the base image (with their dependencies and soft dependencies).
HALBD_VM_BASE_MODULES="crc32c_generic libcrc32c nf_conntrack nf_defrag_ipv4
  nf_defrag_ipv6 ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_fo ip_vs_ovf
  ip_vs_lblc ip_vs_lblcr ip_vs_dh ip_vs_sh ip_vs_sed ip_vs_nq ip_vs_mh ip_vs_pe_sip
  nf_tables nft_chain_nat nft_nat nft_numgen nft_hash nft_ct
  veth dummy macvlan"

# Host programs put in the base image when present (at their real path, so
# they override busybox applets of the same name). dash becomes /bin/sh:
# Debian's static busybox sh runs its own applets before anything on PATH
# (so "ip" would never be iproute2's), dash does not.
HALBD_VM_BASE_PROGRAMS="ipvsadm keepalived ip dash bash"

# Debian packages the harness itself needs on the host.
HALBD_VM_HOST_PACKAGES="qemu-system-x86 busybox-static cpio kmod ipvsadm keepalived iproute2"

vm_note() { printf 'vm: %s\n' "$*" >&2; }

# vm_now: seconds since the epoch with milliseconds.
vm_now() { date +%s.%3N; }
vm_elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# vm_cache_dir: sets VM_CACHE to a writable cache directory.
vm_cache_dir() {
    local d=${HALBD_VM_CACHE:-/var/cache/halbd-vm}
    if mkdir -p "$d" 2>/dev/null && [ -w "$d" ]; then
        VM_CACHE=$d
        return 0
    fi
    if [ -n "${HALBD_VM_CACHE:-}" ]; then
        vm_note "cache directory $d is not writable"
        return 1
    fi
    d=${XDG_CACHE_HOME:-$HOME/.cache}/halbd-vm
    mkdir -p "$d" || return 1
    VM_CACHE=$d
}

# vm_lock / vm_unlock: serialise cache updates between concurrent runs.
vm_lock() {
    exec {VM_LOCK_FD}>"$VM_CACHE/lock"
    flock "$VM_LOCK_FD"
}
vm_unlock() {
    flock -u "$VM_LOCK_FD"
    exec {VM_LOCK_FD}>&-
}

vm_apt_updated=""
vm_apt_update_once() {
    [ -n "$vm_apt_updated" ] && return 0
    vm_apt_updated=1
    vm_note "apt-get update"
    apt-get update -qq >/dev/null 2>&1 || vm_note "apt-get update failed"
}

# vm_host_tools: make sure qemu, busybox, cpio and depmod are here; install
# the missing ones with apt-get when running as root, unless
# HALBD_VM_NO_INSTALL is set. Returns 77 if something is still missing.
vm_host_tools() {
    local missing="" t
    for t in qemu-system-x86_64 busybox cpio depmod modprobe dpkg-deb flock timeout; do
        command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
    done
    local optional=""
    for t in $HALBD_VM_BASE_PROGRAMS; do
        vm_find_program "$t" >/dev/null || optional="$optional $t"
    done
    if [ -z "$missing$optional" ]; then return 0; fi
    if [ -z "${HALBD_VM_NO_INSTALL:-}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        vm_note "installing host packages (missing:$missing$optional)"
        # shellcheck disable=SC2086 # word splitting wanted: a package list
        if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $HALBD_VM_HOST_PACKAGES >/dev/null 2>&1; then
            vm_apt_update_once
            # shellcheck disable=SC2086
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $HALBD_VM_HOST_PACKAGES >/dev/null 2>&1 ||
                vm_note "apt-get install $HALBD_VM_HOST_PACKAGES failed"
        fi
    fi
    missing=""
    for t in qemu-system-x86_64 busybox cpio depmod modprobe dpkg-deb flock timeout; do
        command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
    done
    if [ -n "$missing" ]; then
        vm_note "missing host tools:$missing (Debian: apt-get install $HALBD_VM_HOST_PACKAGES)"
        return 77
    fi
    for t in $HALBD_VM_BASE_PROGRAMS; do
        vm_find_program "$t" >/dev/null || vm_note "warning: $t not found on the host, the VM will lack it"
    done
    return 0
}

# vm_find_program NAME: the real path of a host program, searching sbin too.
vm_find_program() {
    local p
    p=$(command -v "$1" 2>/dev/null) || return 1
    case $p in /*) readlink -f "$p" ;; *) return 1 ;; esac
}

# vm_resolve_kernel_pkg: prints the versioned package behind linux-image-amd64.
vm_resolve_kernel_pkg() {
    local pkg
    command -v apt-cache >/dev/null 2>&1 || return 1
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
    if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
        vm_apt_update_once
        pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
    fi
    [ -n "$pkg" ] || return 1
    printf '%s\n' "$pkg"
}

# vm_kernel: sets VM_KVER, VM_VMLINUZ and VM_MODROOT (a directory holding
# lib/modules/$VM_KVER with modules.dep). Sources, in order:
#   HALBD_VM_KERNEL + HALBD_VM_MODROOT (a vmlinuz and a root with lib/modules);
#   the cached package (kernel/current), unless HALBD_VM_REFRESH is set;
#   HALBD_VM_KERNEL_PKG or what linux-image-amd64 depends on, fetched with
#   apt-get download and unpacked with dpkg-deb (never installed).
vm_kernel() {
    if [ -n "${HALBD_VM_KERNEL:-}" ]; then
        VM_VMLINUZ=$HALBD_VM_KERNEL
        VM_MODROOT=${HALBD_VM_MODROOT:?HALBD_VM_MODROOT must go with HALBD_VM_KERNEL}
        VM_KVER=$(vm_single_kver "$VM_MODROOT") || return 1
        return 0
    fi
    local kdir=$VM_CACHE/kernel pkg="" dest tmp rc=0
    mkdir -p "$kdir"
    vm_lock
    # Left by a run that was killed while holding the lock.
    rm -rf "$kdir"/fetch.*
    if [ -n "${HALBD_VM_KERNEL_PKG:-}" ]; then
        pkg=$HALBD_VM_KERNEL_PKG
    elif [ -z "${HALBD_VM_REFRESH:-}" ] && [ -s "$kdir/current" ] &&
        [ -e "$kdir/$(cat "$kdir/current")/.complete" ]; then
        pkg=$(cat "$kdir/current")
    else
        pkg=$(vm_resolve_kernel_pkg) || {
            vm_unlock
            vm_note "cannot resolve linux-image-amd64 (not a Debian host, or no package lists)"
            return 77
        }
    fi
    dest=$kdir/$pkg
    if [ ! -e "$dest/.complete" ]; then
        vm_note "fetching kernel package $pkg"
        rm -rf "$dest"
        tmp=$(mktemp -d "$kdir/fetch.XXXXXX")
        # apt drops privileges to _apt for downloads: let it write there.
        chmod 0777 "$tmp"
        if ! (cd "$tmp" && apt-get download -qq "$pkg" >/dev/null 2>&1); then
            vm_note "apt-get download $pkg failed"
            rc=77
        elif ! dpkg-deb -x "$tmp"/*.deb "$tmp/root"; then
            vm_note "dpkg-deb -x failed"
            rc=1
        else
            # Newer packages ship /usr/lib/modules: present it as lib/modules.
            if [ ! -d "$tmp/root/lib/modules" ] && [ -d "$tmp/root/usr/lib/modules" ]; then
                mkdir -p "$tmp/root/lib"
                mv "$tmp/root/usr/lib/modules" "$tmp/root/lib/modules"
            fi
            local kver
            if ! kver=$(vm_single_kver "$tmp/root"); then
                rc=1
            elif ! depmod -b "$tmp/root" "$kver"; then
                vm_note "depmod failed"
                rc=1
            else
                mv "$tmp/root" "$dest"
                touch "$dest/.complete"
            fi
        fi
        rm -rf "$tmp"
    fi
    if [ "$rc" = 0 ]; then
        printf '%s\n' "$pkg" >"$kdir/current"
        VM_MODROOT=$dest
        VM_KVER=$(vm_single_kver "$dest") || rc=1
        VM_VMLINUZ=$dest/boot/vmlinuz-$VM_KVER
        if [ ! -r "$VM_VMLINUZ" ]; then
            vm_note "no $VM_VMLINUZ"
            rc=1
        elif [ -z "${HALBD_VM_NO_PVH:-}" ] && grep -q '^CONFIG_PVH=y' "$dest/boot/config-$VM_KVER" 2>/dev/null; then
            # qemu boots an uncompressed ELF vmlinux through its PVH entry,
            # skipping the BIOS and the in-guest decompression (about 7 s
            # under TCG). Made once from the bzImage.
            local elf=$dest/boot/vmlinux-$VM_KVER
            [ -s "$elf" ] || vm_extract_vmlinux "$VM_VMLINUZ" "$elf" ||
                vm_note "cannot extract vmlinux, booting the bzImage"
            [ -s "$elf" ] && VM_VMLINUZ=$elf
        fi
    fi
    vm_unlock
    return "$rc"
}

# vm_extract_vmlinux BZIMAGE OUT: find the compressed payload (xz, zstd or
# gzip) in BZIMAGE and decompress it to OUT if it is an ELF file.
vm_extract_vmlinux() {
    local magic tool off
    for magic in '\xfd7zXZ' '\x28\xb5\x2f\xfd' '\x1f\x8b\x08'; do
        case $magic in
            *7zXZ) tool="xz -dc" ;;
            *x28*) tool="zstd -qdc" ;;
            *) tool="gzip -dc" ;;
        esac
        command -v "${tool%% *}" >/dev/null 2>&1 || continue
        while IFS=: read -r off _; do
            # Trailing data after the stream makes the tool complain: ignore.
            tail -c +"$((off + 1))" "$1" | $tool 2>/dev/null >"$2.tmp"
            if [ "$(head -c 4 "$2.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
                mv "$2.tmp" "$2"
                return 0
            fi
        done < <(LC_ALL=C grep -obUaP "$magic" "$1" 2>/dev/null)
    done
    rm -f "$2.tmp"
    return 1
}

# vm_single_kver ROOT: the one version directory under ROOT/lib/modules.
vm_single_kver() {
    local d n=0 v=""
    for d in "$1"/lib/modules/*/; do
        [ -d "$d" ] || continue
        v=$(basename "$d")
        n=$((n + 1))
    done
    if [ "$n" != 1 ]; then
        vm_note "expected one kernel version under $1/lib/modules, found $n"
        return 1
    fi
    printf '%s\n' "$v"
}

# vm_copy_file SRC DESTROOT [DESTPATH]: copy SRC (symlinks followed) to
# DESTROOT/DESTPATH (default: SRC's own path), replacing whatever is there.
vm_copy_file() {
    local src=$1 root=$2 path=${3:-$1}
    mkdir -p "$root$(dirname "$path")"
    rm -f "$root$path"
    cp -L --preserve=mode "$src" "$root$path"
}

# vm_copy_libs BINARY DESTROOT [SKIPLIST]: the shared libraries and loader
# BINARY needs, at the paths ldd reports (so RPATHs and the loader's defaults
# still work), except those listed in the file SKIPLIST (already in the base).
vm_copy_libs() {
    local lib out
    # A static binary or a script: ldd fails or says so, nothing to copy.
    out=$(ldd "$1" 2>/dev/null) || return 0
    if printf '%s\n' "$out" | grep -q 'not found'; then
        vm_note "$1: unresolved libraries:"
        printf '%s\n' "$out" | grep 'not found' >&2
        return 1
    fi
    for lib in $(printf '%s\n' "$out" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
        [ -e "$2$lib" ] && continue
        if [ -n "${3:-}" ] && grep -qxF -- ".$lib" "$3"; then continue; fi
        vm_copy_file "$lib" "$2"
    done
}

# vm_add_modules ROOT: copy HALBD_VM_BASE_MODULES + HALBD_VM_EXTRA_MODULES and
# everything they need from VM_MODROOT to ROOT, decompressed, then depmod.
vm_add_modules() {
    local root=$1 m ko rel dst list
    local mods="$HALBD_VM_BASE_MODULES ${HALBD_VM_EXTRA_MODULES:-}"
    list=$(for m in $mods; do
        modprobe -d "$VM_MODROOT" -S "$VM_KVER" -C /dev/null --show-depends "$m" 2>/dev/null ||
            echo "missing $m"
    done | awk '$1 == "insmod" { print $2 } $1 == "missing" { print "missing:" $2 }' | sort -u)
    if printf '%s\n' "$list" | grep -q '^missing:'; then
        vm_note "modules not in kernel $VM_KVER: $(printf '%s\n' "$list" | sed -n 's/^missing://p' | tr '\n' ' ')"
        return 1
    fi
    for ko in $list; do
        rel=${ko#"$VM_MODROOT"}
        dst=$root$rel
        mkdir -p "$(dirname "$dst")"
        case $ko in
            *.ko.xz) xz -dc "$ko" >"${dst%.xz}" ;;
            *.ko.zst) zstd -qdc "$ko" >"${dst%.zst}" ;;
            *.ko.gz) gzip -dc "$ko" >"${dst%.gz}" ;;
            *) cp "$ko" "$dst" ;;
        esac
    done
    for m in modules.order modules.builtin modules.builtin.modinfo; do
        [ -e "$VM_MODROOT/lib/modules/$VM_KVER/$m" ] && cp "$VM_MODROOT/lib/modules/$VM_KVER/$m" "$root/lib/modules/$VM_KVER/"
    done
    depmod -b "$root" "$VM_KVER"
}

# vm_write_init ROOT: PID 1 of the VM. It mounts the usual file systems, runs
# /test/script with /bin/sh (dash when the host has it, else busybox) with stdout+stderr on the console between
# two markers that carry a per-run nonce (from the kernel command line),
# then powers off. The END marker carries the script's exit status. In a
# shared boot (/suite/list: NAME SECONDS per line) it runs each
# /suite/NAME/script instead, between BODY markers that carry its status.
vm_write_init() {
    cat >"$1/init" <<'EOF'
#!/bin/sh
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/netns /var/tmp
[ -d /sys/fs/cgroup ] && mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
dmesg -n 1
hostname halbd-vm
ip link set lo up
nonce=none
for w in $(cat /proc/cmdline); do
    case $w in halbd.nonce=*) nonce=${w#halbd.nonce=} ;; esac
done
echo "@@HALBD-VM-BEGIN $nonce@@"
if [ -f /suite/list ]; then
    # A shared boot: each test in its own mount and network namespaces (its
    # /test, /tmp, /run, links, IPVS table), under its time limit; whatever
    # it leaves running is killed before the next one starts.
    while read -r name limit; do
        echo "@@HALBD-VM-BODY $nonce $name@@"
        t0=$(cut -d' ' -f1 /proc/uptime)
        # /bin/sh, not sh: busybox applets (unshare, timeout) would run
        # their own sh, which prefers busybox's ip over iproute2's.
        unshare -m -n --propagation private /bin/sh -c '
            mount -t sysfs sysfs /sys
            mount -t tmpfs -o mode=1777 tmpfs /tmp
            mount -t tmpfs -o mode=0755 tmpfs /run
            mkdir -p /run/netns
            mount --bind "/suite/$1" /test
            ip link set lo up
            cd /test
            if [ -f /test/env ]; then . /test/env; fi
            exec timeout -s KILL "$2" /bin/sh /test/script' sh "$name" "$limit" </dev/null 2>&1
        rc=$?
        kill -KILL -1 2>/dev/null
        secs=$(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }')
        if [ "$rc" != 0 ] && awk -v s="$secs" -v l="$limit" 'BEGIN { exit !(s >= l) }'; then rc=124; fi
        echo "@@HALBD-VM-BODY-END $nonce $name rc=$rc secs=$secs@@"
    done </suite/list
    rc=0
else
    # Per-run settings from the overlay (--env), then the script.
    if [ -f /test/env ]; then . /test/env; fi
    cd /test || cd /
    sh /test/script </dev/null 2>&1
    rc=$?
fi
echo "@@HALBD-VM-END $nonce rc=$rc@@"
sync
poweroff -f
EOF
    chmod 0755 "$1/init"
}

# vm_base_fingerprint: a hash of everything the base image is built from.
vm_base_fingerprint() {
    local p files=""
    for p in $HALBD_VM_BASE_PROGRAMS busybox; do
        p=$(vm_find_program "$p") && files="$files $p"
    done
    {
        echo "$VM_KVER $VM_MODROOT $HALBD_VM_BASE_MODULES ${HALBD_VM_EXTRA_MODULES:-}"
        # shellcheck disable=SC2086 # a file list
        stat -L -c '%n %s %Y' $files "$VM_MODROOT/lib/modules/$VM_KVER/modules.dep"
        cat "$HALBD_VM_LIBDIR/lib.sh"
    } | sha256sum | cut -c1-16
}

# vm_cpio DIR OUT: pack DIR as a newc cpio archive owned by root. Not
# compressed: under TCG the kernel copies 30 MB faster than it gunzips 13 MB.
vm_cpio() {
    (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$2"
}

# vm_base_image: sets VM_BASE to the cached base initramfs, building it if
# needed. Old base images are removed.
vm_base_image() {
    local fp stage p a rc=0
    fp=$(vm_base_fingerprint) || return 1
    VM_BASE=$VM_CACHE/base-$fp.cpio
    [ -s "$VM_BASE" ] && [ -s "$VM_BASE.list" ] && return 0
    vm_lock
    if [ -s "$VM_BASE" ] && [ -s "$VM_BASE.list" ]; then vm_unlock; return 0; fi
    rm -rf "$VM_CACHE"/stage.*
    vm_note "building base initramfs for kernel $VM_KVER"
    stage=$(mktemp -d "$VM_CACHE/stage.XXXXXX")
    (
        set -e
        cd "$stage"
        mkdir -p bin sbin usr/bin usr/sbin usr/local/bin usr/local/sbin lib etc root \
            proc sys dev tmp run var/lib test
        ln -s ../run var/run
        # busybox and one symlink per applet.
        bb=$(vm_find_program busybox)
        vm_copy_file "$bb" "$stage" /bin/busybox
        vm_copy_libs "$bb" "$stage"
        for a in $("$bb" --list-full); do
            [ -e "$a" ] || ln -s /bin/busybox "$a"
        done
        # Host programs replace the applets of the same name.
        for p in $HALBD_VM_BASE_PROGRAMS; do
            path=$(vm_find_program "$p") || continue
            for a in bin sbin usr/bin usr/sbin; do
                if [ -L "$a/$p" ]; then rm -f "$a/$p"; fi
            done
            vm_copy_file "$path" "$stage"
            vm_copy_libs "$path" "$stage"
        done
        if path=$(vm_find_program dash); then ln -sf "$path" bin/sh; fi
        printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >etc/passwd
        printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >etc/group
        printf '%s\n' '127.0.0.1 localhost halbd-vm' '::1 localhost' >etc/hosts
        printf '%s\n' 'passwd: files' 'group: files' 'hosts: files' >etc/nsswitch.conf
        : >etc/fstab
        mkdir -p etc/keepalived etc/iproute2
        [ -d /etc/iproute2 ] && cp -r /etc/iproute2/. etc/iproute2/ 2>/dev/null
        vm_add_modules "$stage"
        vm_write_init "$stage"
    ) || rc=1
    if [ "$rc" = 0 ]; then
        rm -f "$VM_CACHE"/base-*
        (cd "$stage" && find . -mindepth 1) >"$VM_BASE.list" &&
            vm_cpio "$stage" "$VM_BASE.tmp" && mv "$VM_BASE.tmp" "$VM_BASE" || rc=1
    fi
    rm -rf "$stage"
    vm_unlock
    [ "$rc" = 0 ] && vm_note "base initramfs $(du -k "$VM_BASE" | cut -f1) KiB"
    return "$rc"
}

# vm_overlay_stage STAGE SCRIPT: the per-run files, laid out in the
# directory STAGE as they will be in the VM. Uses the arrays VM_BINS
# (binaries: /usr/local/bin/NAME), VM_FILES (SRC:DEST) and VM_ENVS
# (NAME=VALUE, exported in the VM before the script runs).
vm_overlay_stage() {
    local stage=$1 script=$2 b f e
    (
        set -e
        mkdir -p "$stage/test" "$stage/usr/local/bin"
        cp "$script" "$stage/test/script"
        for b in "${VM_BINS[@]}"; do
            if head -c 512 "$b" | grep -q 'libtool'; then
                echo "vm: $b looks like a libtool wrapper script; pass the real binary" >&2
                exit 1
            fi
            vm_copy_file "$b" "$stage" "/usr/local/bin/$(basename "$b")"
            chmod 0755 "$stage/usr/local/bin/$(basename "$b")"
            # Debug info is most of a -g build (halbd: 104 MB, 8 without),
            # and every test of a shared boot has its own copy in the VM's
            # RAM (512 MB): five copies filled it, and the tests failed with
            # empty files and dead servers. The copy only (cp, not a link).
            strip --strip-debug "$stage/usr/local/bin/$(basename "$b")" 2>/dev/null || :
            vm_copy_libs "$b" "$stage" "$VM_BASE.list"
        done
        for f in "${VM_FILES[@]}"; do
            vm_copy_file "${f%%:*}" "$stage" "${f#*:}"
        done
        : >"$stage/test/env"
        for e in "${VM_ENVS[@]}"; do
            # NAME='value' with embedded single quotes escaped.
            printf "export %s='%s'\n" "${e%%=*}" "$(printf '%s' "${e#*=}" | sed "s/'/'\\\\''/g")" >>"$stage/test/env"
        done
    )
}

# vm_overlay_image OUT SCRIPT: the per-run archive (see vm_overlay_stage).
vm_overlay_image() {
    local out=$1 script=$2 stage rc=0
    stage=$(mktemp -d "${TMPDIR:-/tmp}/halbd-vm-overlay.XXXXXX")
    vm_overlay_stage "$stage" "$script" || rc=1
    [ "$rc" = 0 ] && { vm_cpio "$stage" "$out" || rc=1; }
    rm -rf "$stage"
    return "$rc"
}

# vm_console_filter NONCE T0: reads the console on stdin and prints what lies
# between the markers as it arrives (line by line: mawk and tr would buffer);
# writes the boot time (first marker) and exit status (second marker) to
# $VM_RUN_DIR/boot-secs and $VM_RUN_DIR/status. In a shared boot
# ($VM_BODY_DIR set) each test's output goes to $VM_BODY_DIR/NAME.out, its
# status and seconds to NAME.status and NAME.secs, instead of stdout.
vm_console_filter() {
    local begin="@@HALBD-VM-BEGIN $1@@" end="@@HALBD-VM-END $1 rc=" inside="" line rest
    local body="@@HALBD-VM-BODY $1 " body_end="@@HALBD-VM-BODY-END $1 " out=/dev/stdout name
    while IFS= read -r line || [ -n "$line" ]; do
        line=${line%$'\r'}
        if [[ $line == *"$begin"* ]]; then
            inside=1
            vm_elapsed "$2" "$(vm_now)" >"$VM_RUN_DIR/boot-secs"
        elif [ -n "${VM_BODY_DIR:-}" ] && [[ $line == *"$body"* ]]; then
            name=${line#*"$body"}
            name=${name%%@@*}
            out=$VM_BODY_DIR/$name.out
            : >"$out"
        elif [ -n "${VM_BODY_DIR:-}" ] && [[ $line == *"$body_end"* ]]; then
            [ -n "${line%%"$body_end"*}" ] && printf '%s\n' "${line%%"$body_end"*}" >>"$out"
            rest=${line#*"$body_end"}     # NAME rc=N secs=S@@
            name=${rest%% *}
            rest=${rest#* rc=}
            printf '%s\n' "${rest%% *}" >"$VM_BODY_DIR/$name.status"
            rest=${rest#* secs=}
            printf '%s\n' "${rest%%@@*}" >"$VM_BODY_DIR/$name.secs"
            out=/dev/stdout
        elif [[ $line == *"$end"* ]]; then
            # Output without a final newline shares the marker line.
            if [ -n "$inside" ] && [ -n "${line%%"$end"*}" ]; then
                printf '%s\n' "${line%%"$end"*}" >>"$out"
            fi
            inside=""
            rest=${line#*"$end"}
            printf '%s\n' "${rest%%@@*}" >"$VM_RUN_DIR/status"
        elif [ -n "$inside" ]; then
            printf '%s\n' "$line" >>"$out"
        fi
    done
}

# vm_boot INITRD: boots and streams the script's output (between the
# markers) to stdout. Returns the script's exit status, 124 on timeout, 125 if
# the VM ended without the END marker. Sets VM_BOOT_SECS and VM_TOTAL_SECS.
vm_boot() {
    local initrd=$1 nonce log t0 status pipestatus
    nonce=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
    log=$VM_RUN_DIR/console.log
    t0=$(vm_now)
    timeout -k 5 "${HALBD_VM_TIMEOUT:-300}" \
        qemu-system-x86_64 -accel tcg -cpu "${HALBD_VM_CPU:-qemu64}" -m "${HALBD_VM_MEM:-512M}" -smp 1 \
        -nodefaults -nographic -serial stdio -monitor none -no-reboot \
        -kernel "$VM_VMLINUZ" -initrd "$initrd" \
        -append "console=ttyS0 panic=-1 quiet loglevel=3 no_timer_check halbd.nonce=$nonce ${HALBD_VM_APPEND:-}" \
        </dev/null 2>&1 |
        tee "$log" |
        vm_console_filter "$nonce" "$t0"
    pipestatus=("${PIPESTATUS[@]}")
    # shellcheck disable=SC2034 # read by the caller
    VM_TOTAL_SECS=$(vm_elapsed "$t0" "$(vm_now)")
    # shellcheck disable=SC2034 # read by the caller
    VM_BOOT_SECS=$(cat "$VM_RUN_DIR/boot-secs" 2>/dev/null || echo "?")
    if [ -s "$VM_RUN_DIR/status" ]; then
        status=$(cat "$VM_RUN_DIR/status")
        return "$status"
    fi
    if [ "${pipestatus[0]}" = 124 ] || [ "${pipestatus[0]}" = 137 ]; then
        vm_note "timed out after ${HALBD_VM_TIMEOUT:-300}s; console tail:"
        status=124
    else
        vm_note "VM stopped (qemu status ${pipestatus[0]}) without reporting a result; console tail:"
        status=125
    fi
    tail -n 30 "$log" | tr -d '\r' | sed 's/^/vm:   | /' >&2
    return "$status"
}
