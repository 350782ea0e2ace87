#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# bench/nft-program.sh: runs bench/nft_program (build it first:
# `make bench/nft_program`) as root in a scratch network namespace, so that
# its table `halbd` never touches the host's ruleset. Arguments pass through:
# SERVICES REALS SCHEDULER (default 10000 10 wrr).
set -e
here=$(dirname "$0")
prog=${NFT_PROGRAM:-$here/nft_program}
[ -x "$prog" ] || prog=bench/nft_program
ns=halbd-nftbench-$$
ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
ip netns exec "$ns" "$prog" "$@"
