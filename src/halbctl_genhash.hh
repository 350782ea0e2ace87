// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// halbctl_genhash.hh: `halbctl genhash`, keepalived's genhash: fetch one url
// and print the MD5 digest of its body, as the `digest` line of an HTTP_GET or
// SSL_GET url block expects it. Called by halbctl.cc (and the unit tests);
// fetches with HttpChecker itself, so the digest is computed by the very
// parser the checks use. Owns nothing past the call.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace halbd {

// args: the words after "genhash". Prints the digest on out, problems on
// err. Returns 0 (digest printed), 1 (the fetch failed) or 2 (bad usage).
int genhash_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The option summary, for `halbctl --help` and `halbctl genhash --help`.
std::string genhash_usage();

}  // namespace halbd
