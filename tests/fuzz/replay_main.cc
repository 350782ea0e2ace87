// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/fuzz/replay_main.cc: runs a libFuzzer target over files and
// directories given on the command line, so `make check` replays the corpus
// (and any crash reproducer added to it) under the sanitizer build with g++.
// FUZZ_CORPUS names the corpus directory (default: config, plus etc/examples).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static int replay(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    return 1;
}

int main(int argc, char** argv) {
    int n = 0;
    std::vector<std::filesystem::path> paths;
    for (int i = 1; i < argc; ++i) paths.emplace_back(argv[i]);
    if (paths.empty()) {
        // Under `make check`: the corpus next to this file and the examples.
        const char* top = std::getenv("top_srcdir");
        std::string base = top ? top : ".";
#ifdef FUZZ_CORPUS
        paths.emplace_back(base + "/tests/fuzz/corpus/" FUZZ_CORPUS);
#else
        paths.emplace_back(base + "/tests/fuzz/corpus/config");
        paths.emplace_back(base + "/etc/examples");
#endif
    }
    for (const auto& p : paths) {
        if (std::filesystem::is_directory(p)) {
            for (const auto& e : std::filesystem::recursive_directory_iterator(p))
                if (e.is_regular_file()) n += replay(e.path());
        } else {
            n += replay(p);
        }
    }
    std::printf("replayed %d inputs\n", n);
    return n > 0 ? 0 : 1;
}
