// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// halbctl.cc: the control client. `genhash` is halbctl_genhash.cc; every
// other command talks to halbd's control socket (halbctl_client.cc). Exit
// statuses are listed in halbctl_client.hh and halbctl(8).
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "halbctl_client.hh"
#include "halbctl_genhash.hh"

int main(int argc, char** argv) {
    if (argc >= 2 && std::strcmp(argv[1], "genhash") == 0)
        return halbd::genhash_main(std::vector<std::string>(argv + 2, argv + argc), std::cout, std::cerr);
    if (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
        std::cout << halbd::control_usage() << "\n" << halbd::genhash_usage();
        return 0;
    }
    return halbd::control_main(std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr);
}
