// halbctl.cc: the control client. Today: genhash (halbctl_genhash.cc),
// --version and --help. The control socket commands (status, ipvs) arrive
// with the operations issue; anything else is refused with exit status 2.
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "halbctl_genhash.hh"

int main(int argc, char** argv) {
    const std::string usage =
        "Usage: halbctl --version | --help | genhash OPTIONS\n"
        "Control client for halbd(8). Planned commands: status, ipvs.\n\n" +
        halbd::genhash_usage();
    if (argc >= 2 && std::strcmp(argv[1], "genhash") == 0)
        return halbd::genhash_main(std::vector<std::string>(argv + 2, argv + argc), std::cout, std::cerr);
    if (argc == 2 && (std::strcmp(argv[1], "--version") == 0 || std::strcmp(argv[1], "-v") == 0)) {
        std::cout << "halbctl " PACKAGE_VERSION "\n";
        return 0;
    }
    if (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
        std::cout << usage;
        return 0;
    }
    std::cerr << "halbctl: " << (argc > 1 ? std::string("unknown command '") + argv[1] + "'"
                                          : std::string("no command given"))
              << " (see halbctl --help)\n";
    return 2;
}
