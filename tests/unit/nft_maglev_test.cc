// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/nft_maglev_test.cc: the nftables backend's Maglev table and
// smooth-wrr layout: deterministic, weighted within 1%, and removing one of
// N servers moves at most 1/N + 2% of the slots.
#include <gtest/gtest.h>

#include <map>

#include "forward/nft/maglev.hh"
#include "forward/nft/smooth_wrr.hh"

using namespace halbd::forward::nft;

namespace {

std::vector<MaglevEntry> servers(size_t n, uint32_t weight = 1) {
    std::vector<MaglevEntry> v;
    for (size_t i = 0; i < n; ++i) v.push_back({"198.51.100." + std::to_string(i + 1) + ":80", weight});
    return v;
}

// Fraction of slots whose server changed, by name.
double moved(const std::vector<MaglevEntry>& a, const std::vector<uint32_t>& ta, const std::vector<MaglevEntry>& b,
             const std::vector<uint32_t>& tb) {
    size_t n = 0;
    for (size_t i = 0; i < ta.size(); ++i) n += a[ta[i]].name != b[tb[i]].name;
    return double(n) / double(ta.size());
}

}  // namespace

TEST(NftMaglev, SameInputsSameTable) {
    auto s = servers(5);
    EXPECT_EQ(maglev_table(s), maglev_table(s));
    EXPECT_EQ(maglev_table(s).size(), kMaglevSize);
}

TEST(NftMaglev, NoWeightNoTable) {
    EXPECT_TRUE(maglev_table({}).empty());
    EXPECT_TRUE(maglev_table(servers(3, 0)).empty());
}

TEST(NftMaglev, EqualWeightsShareWithinOneSlot) {
    for (size_t n : {1u, 2u, 3u, 7u, 10u, 100u}) {
        auto t = maglev_table(servers(n));
        std::map<uint32_t, size_t> count;
        for (uint32_t i : t) ++count[i];
        ASSERT_EQ(count.size(), n);
        for (auto [i, c] : count) EXPECT_LE(std::abs(double(c) - double(kMaglevSize) / n), 1.0) << n;
    }
}

TEST(NftMaglev, WeightsWithinOnePercent) {
    std::vector<MaglevEntry> s = {{"a", 1}, {"b", 2}, {"c", 3}, {"d", 10}, {"e", 0}, {"f", 7}};
    auto t = maglev_table(s);
    std::vector<size_t> count(s.size(), 0);
    for (uint32_t i : t) ++count[i];
    const double total = 23;
    for (size_t i = 0; i < s.size(); ++i)
        EXPECT_NEAR(double(count[i]) / kMaglevSize, s[i].weight / total, 0.01) << s[i].name;
    EXPECT_EQ(count[4], 0u);
}

TEST(NftMaglev, RemovingOneOfNMovesAtMostOneNthPlusTwoPercent) {
    for (size_t n : {2u, 3u, 5u, 10u, 20u}) {
        const auto all = servers(n);
        const auto full = maglev_table(all);
        double worst = 0;
        for (size_t gone = 0; gone < n; ++gone) {
            auto fewer = all;
            fewer.erase(fewer.begin() + long(gone));
            worst = std::max(worst, moved(all, full, fewer, maglev_table(fewer)));
        }
        EXPECT_LE(worst, 1.0 / double(n) + 0.02) << n << " servers";
    }
}

TEST(NftMaglev, Fnv1aKnownValue) {
    EXPECT_EQ(fnv1a(""), 0xcbf29ce484222325ull);
    EXPECT_EQ(fnv1a("a"), 0xaf63dc4c8601ec8cull);
}

TEST(NftSmoothWrr, EqualWeightsIsRoundRobin) {
    const uint32_t w[] = {1, 1, 1};
    EXPECT_EQ(smooth_wrr_slots(w), (std::vector<uint32_t>{0, 1, 2}));
    const uint32_t w5[] = {5, 5, 5};  // gcd reduced
    EXPECT_EQ(smooth_wrr_slots(w5), (std::vector<uint32_t>{0, 1, 2}));
}

TEST(NftSmoothWrr, InterleavedNotBursts) {
    const uint32_t w[] = {5, 1, 1};  // nginx's example: a a b a c a a
    EXPECT_EQ(smooth_wrr_slots(w), (std::vector<uint32_t>{0, 0, 1, 0, 2, 0, 0}));
    const uint32_t w2[] = {3, 2, 0};
    EXPECT_EQ(smooth_wrr_slots(w2), (std::vector<uint32_t>{0, 1, 0, 1, 0}));
}

TEST(NftSmoothWrr, NoWeight) {
    const uint32_t w[] = {0, 0};
    EXPECT_TRUE(smooth_wrr_slots(w).empty());
}

TEST(NftSmoothWrr, LargeSumsScaledKeepingProportions) {
    const uint32_t w[] = {65535, 30000, 1};
    auto s = smooth_wrr_slots(w, 1000);
    ASSERT_LE(s.size(), 1001u);
    std::vector<size_t> c(3, 0);
    for (uint32_t i : s) ++c[i];
    EXPECT_GE(c[2], 1u);
    EXPECT_NEAR(double(c[0]) / double(s.size()), 65535.0 / 95536, 0.01);
}
