// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// sync/aead.cc: AES-256-GCM sealing, replay window and key file (see aead.hh).
#include "sync/aead.hh"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstring>

#include "core/fd.hh"

namespace halbd::sync {

namespace {

constexpr uint8_t kMagic[4] = {'H', 'S', 'E', '1'};

void put_be(uint8_t* p, uint64_t v, size_t n) {
    for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(v >> (8 * (n - 1 - i)));
}
uint64_t get_be(const uint8_t* p, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = v << 8 | p[i];
    return v;
}
int hexval(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

const char* to_string(OpenError e) {
    switch (e) {
    case OpenError::NotSealed: return "not_sealed";
    case OpenError::Truncated: return "truncated";
    case OpenError::BadTag: return "bad_tag";
    case OpenError::Replayed: return "replayed";
    case OpenError::Reflected: return "reflected";
    }
    return "unknown";
}

std::optional<AeadKey> parse_key(std::span<const uint8_t> bytes) {
    AeadKey key{};
    if (bytes.size() == kAeadKeySize) {
        std::memcpy(key.data(), bytes.data(), kAeadKeySize);
        return key;
    }
    size_t b = 0, e = bytes.size();
    while (b < e && std::isspace(bytes[b])) ++b;
    while (e > b && std::isspace(bytes[e - 1])) --e;
    if (e - b != 2 * kAeadKeySize) return std::nullopt;
    for (size_t i = 0; i < kAeadKeySize; ++i) {
        const int hi = hexval(bytes[b + 2 * i]), lo = hexval(bytes[b + 2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        key[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return key;
}

core::Result<AeadKey> load_key_file(const std::string& path) {
    core::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) return core::system_error("auth_key_file " + path);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return core::system_error("auth_key_file " + path);
    if (!S_ISREG(st.st_mode)) return core::Error{0, "auth_key_file " + path + ": not a regular file"};
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        return core::Error{0, "auth_key_file " + path + ": group or others may access it (chmod 600)"};
    uint8_t buf[256];
    ssize_t n = 0, r;
    while ((r = ::read(fd.get(), buf + n, sizeof buf - static_cast<size_t>(n))) > 0) n += r;
    if (r < 0) return core::system_error("auth_key_file " + path);
    auto key = parse_key(std::span<const uint8_t>(buf, static_cast<size_t>(n)));
    OPENSSL_cleanse(buf, sizeof buf);
    if (!key) return core::Error{0, "auth_key_file " + path + ": want 32 bytes or 64 hex digits"};
    return *key;
}

void Envelope::CtxFree::operator()(void* p) const { EVP_CIPHER_CTX_free(static_cast<EVP_CIPHER_CTX*>(p)); }

Envelope::Envelope(const AeadKey& key, uint64_t epoch, uint32_t salt)
    : key_(key), epoch_(epoch), salt_(salt), ctx_(EVP_CIPHER_CTX_new()) {}

Envelope::~Envelope() { OPENSSL_cleanse(key_.data(), key_.size()); }

std::vector<uint8_t> Envelope::seal(std::span<const uint8_t> plain) {
    auto* ctx = static_cast<EVP_CIPHER_CTX*>(ctx_.get());
    std::vector<uint8_t> out(kAeadOverhead + plain.size());
    std::memcpy(out.data(), kMagic, 4);
    put_be(out.data() + 4, epoch_, 8);
    put_be(out.data() + 12, salt_, 4);
    put_be(out.data() + 16, ++counter_, 8);
    int len = 0;
    bool ok = EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key_.data(), out.data() + 12) == 1 &&
              EVP_EncryptUpdate(ctx, nullptr, &len, out.data(), static_cast<int>(kAeadHeader)) == 1 &&
              EVP_EncryptUpdate(ctx, out.data() + kAeadHeader, &len, plain.data(), static_cast<int>(plain.size())) == 1 &&
              EVP_EncryptFinal_ex(ctx, out.data() + kAeadHeader + len, &len) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kAeadTag),
                                  out.data() + kAeadHeader + plain.size()) == 1;
    if (!ok) out.clear();  // never sent: the caller counts a send error
    return out;
}

bool Envelope::replayed(uint64_t epoch, uint32_t salt, uint64_t counter) const {
    if (!have_peer_ || epoch > peer_epoch_) return false;
    if (epoch < peer_epoch_ || salt != peer_salt_) return true;
    if (counter > peer_top_) return false;
    const uint64_t age = peer_top_ - counter;
    return age >= kWindow || seen_[age];
}

void Envelope::remember(uint64_t epoch, uint32_t salt, uint64_t counter) {
    if (!have_peer_ || epoch != peer_epoch_ || salt != peer_salt_) {
        have_peer_ = true;
        peer_epoch_ = epoch;
        peer_salt_ = salt;
        peer_top_ = counter;
        seen_.reset();
        seen_[0] = true;
        return;
    }
    if (counter > peer_top_) {
        const uint64_t shift = counter - peer_top_;
        seen_ = shift >= kWindow ? std::bitset<kWindow>() : seen_ << shift;
        peer_top_ = counter;
        seen_[0] = true;
    } else {
        seen_[peer_top_ - counter] = true;
    }
}

std::optional<OpenError> Envelope::open(std::span<const uint8_t> d, std::vector<uint8_t>& plain) {
    if (d.size() < 4 || std::memcmp(d.data(), kMagic, 4) != 0) return OpenError::NotSealed;
    if (d.size() < kAeadOverhead) return OpenError::Truncated;
    const uint64_t epoch = get_be(d.data() + 4, 8);
    const auto salt = static_cast<uint32_t>(get_be(d.data() + 12, 4));
    const uint64_t counter = get_be(d.data() + 16, 8);
    if (epoch == epoch_ && salt == salt_) return OpenError::Reflected;
    if (replayed(epoch, salt, counter)) return OpenError::Replayed;
    auto* ctx = static_cast<EVP_CIPHER_CTX*>(ctx_.get());
    const size_t n = d.size() - kAeadOverhead;
    plain.resize(n);
    std::array<uint8_t, kAeadTag> tag{};
    std::memcpy(tag.data(), d.data() + kAeadHeader + n, kAeadTag);
    int len = 0;
    const bool ok =
        EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key_.data(), d.data() + 12) == 1 &&
        EVP_DecryptUpdate(ctx, nullptr, &len, d.data(), static_cast<int>(kAeadHeader)) == 1 &&
        EVP_DecryptUpdate(ctx, plain.data(), &len, d.data() + kAeadHeader, static_cast<int>(n)) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kAeadTag), tag.data()) == 1 &&
        EVP_DecryptFinal_ex(ctx, plain.data() + len, &len) == 1;
    if (!ok) {
        plain.clear();
        return OpenError::BadTag;
    }
    remember(epoch, salt, counter);
    return std::nullopt;
}

}  // namespace halbd::sync
