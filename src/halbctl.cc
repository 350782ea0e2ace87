// halbctl.cc: the control client. The control socket and its commands
// (status, ipvs, genhash) arrive with the operations issue; today it answers
// --version and --help and refuses anything else with exit status 2.
#include <cstring>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
    const std::string usage =
        "Usage: halbctl --version | --help\n"
        "Control client for halbd(8). Planned commands: status, ipvs, genhash.\n";
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
