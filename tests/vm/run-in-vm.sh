#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/vm/run-in-vm.sh: run one shell script as root inside a qemu VM that
# boots Debian's kernel (IPVS and friends as modules), print its output and
# exit with its exit status; 77 when the VM cannot be had here (no qemu, no
# kernel package), 124 on timeout, 125 if the VM died without a result.
# The machinery lives in lib.sh beside this file; README.md explains it.
set -u

usage() {
    cat <<'EOF'
usage: run-in-vm.sh [--bin PATH]... [--file SRC:DEST]... [--env NAME=VALUE]... SCRIPT
       run-in-vm.sh --suite TEST...   (one boot for tests/vm/TEST..., TAP output)

Boots a qemu VM (TCG, no KVM) and runs SCRIPT as root inside with /bin/sh
(dash, or busybox sh if the host has no dash; bash is there too), cwd /test.
  --bin PATH        copy an ELF binary (and its shared libraries) into the VM
                    as /usr/local/bin/$(basename PATH), which is on PATH
  --file SRC:DEST   copy a file into the VM at absolute path DEST
  --env NAME=VALUE  export NAME=VALUE in the VM before SCRIPT runs
SCRIPT's stdout+stderr are printed; the exit status is SCRIPT's.
Environment: HALBD_VM_CACHE (cache, default /var/cache/halbd-vm),
  HALBD_VM_TIMEOUT (seconds, default 300), HALBD_VM_MEM (default 512M),
  HALBD_VM_APPEND (extra kernel arguments), HALBD_VM_EXTRA_MODULES,
  HALBD_VM_NO_INSTALL (never apt-get install), HALBD_VM_REFRESH (re-resolve the
  kernel package), HALBD_VM_KERNEL_PKG, HALBD_VM_KERNEL + HALBD_VM_MODROOT,
  HALBD_VM_CPU (default qemu64), HALBD_VM_NO_PVH (boot the bzImage),
  HALBD_VM_KEEP_LOG (copy the whole console log to this path).
With --suite, each TEST runs as usual but its own run-in-vm.sh call joins
one shared boot (suite-lib.sh); a TAP line per TEST follows its exit status.
EOF
}

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
# shellcheck source=suite-lib.sh
. "$(dirname "$0")/suite-lib.sh"

# --suite TEST...: one shared boot for the VM tests tests/vm/TEST (TAP output).
if [ "${1:-}" = --suite ]; then
    shift
    vm_suite "$@"
    exit $?
fi

VM_BINS=()
VM_FILES=()
VM_ENVS=()
while [ $# -gt 0 ]; do
    case $1 in
        --bin)
            [ $# -ge 2 ] || { usage >&2; exit 2; }
            [ -f "$2" ] || { vm_note "--bin $2: no such file"; exit 2; }
            VM_BINS+=("$(readlink -f "$2")"); shift 2 ;;
        --file)
            [ $# -ge 2 ] || { usage >&2; exit 2; }
            case $2 in
                *:/*) [ -f "${2%%:*}" ] || { vm_note "--file ${2%%:*}: no such file"; exit 2; } ;;
                *) vm_note "--file wants SRC:/absolute/DEST"; exit 2 ;;
            esac
            VM_FILES+=("$2"); shift 2 ;;
        --env)
            [ $# -ge 2 ] || { usage >&2; exit 2; }
            case $2 in
                [A-Za-z_]*=*) ;;
                *) vm_note "--env wants NAME=VALUE"; exit 2 ;;
            esac
            VM_ENVS+=("$2"); shift 2 ;;
        -h | --help) usage; exit 0 ;;
        --) shift; break ;;
        -*) usage >&2; exit 2 ;;
        *) break ;;
    esac
done
[ $# = 1 ] || { usage >&2; exit 2; }
script=$1
[ -f "$script" ] || { vm_note "$script: no such file"; exit 2; }

# Run by the suite: join its shared boot.
if [ -n "${HALBD_VM_SUITE:-}" ]; then
    vm_suite_join "$script"
    exit $?
fi

if [ "$(uname -m)" != x86_64 ]; then
    vm_note "only x86_64 hosts are supported (the kernel package is amd64)"
    exit 77
fi

t_start=$(vm_now)
vm_cache_dir || exit 77
vm_host_tools || exit $?
vm_kernel || exit $?
vm_base_image || exit 1

VM_RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/halbd-vm.XXXXXX")
trap 'rm -rf "$VM_RUN_DIR"' EXIT
vm_overlay_image "$VM_RUN_DIR/overlay.cpio" "$script" || exit 1
cat "$VM_BASE" "$VM_RUN_DIR/overlay.cpio" >"$VM_RUN_DIR/initrd.img"
t_ready=$(vm_now)

vm_boot "$VM_RUN_DIR/initrd.img"
status=$?
if [ -n "${HALBD_VM_KEEP_LOG:-}" ]; then
    cp "$VM_RUN_DIR/console.log" "$HALBD_VM_KEEP_LOG"
fi
vm_note "kernel $VM_KVER, initrd $(du -k "$VM_RUN_DIR/initrd.img" | cut -f1) KiB;" \
    "prepare $(vm_elapsed "$t_start" "$t_ready")s, boot-to-script ${VM_BOOT_SECS}s," \
    "VM total ${VM_TOTAL_SECS}s; script exit status $status"
exit "$status"
