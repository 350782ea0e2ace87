// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// net/libnftables.cc: see libnftables.hh. Output and errors are buffered in
// the context, never printed: the caller logs what it needs.
#include "net/libnftables.hh"

#include <linux/netlink.h>
#include <nftables/libnftables.h>
#include <sys/socket.h>

#include <cerrno>

#include "core/fd.hh"

namespace halbd::net {

namespace {
// nft's error text without its trailing newline; the first line names the
// failure ("Error: Could not process rule: Operation not permitted"), the
// next ones quote the command.
std::string error_text(const char* buf) {
    std::string s = buf ? buf : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    for (auto& c : s)
        if (c == '\n') c = ' ';
    return s.empty() ? "nft failed without a message" : s;
}
}  // namespace

void LibNftables::CtxDeleter::operator()(nft_ctx* c) const { nft_ctx_free(c); }

core::Result<std::unique_ptr<LibNftables>> LibNftables::open() {
    // libnftables (1.0.x) calls exit() when it cannot open its netfilter
    // netlink socket (a kernel without nf_tables, or nfnetlink not loaded):
    // make sure it can before letting it try.
    core::UniqueFd probe(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER));
    if (!probe) return core::system_error("nftables: no netfilter netlink socket (is nf_tables in the kernel?)");
    probe.reset();
    std::unique_ptr<nft_ctx, CtxDeleter> ctx(nft_ctx_new(NFT_CTX_DEFAULT));
    if (!ctx) return core::Error{ENOMEM, "nftables: cannot create a libnftables context"};
    if (nft_ctx_buffer_output(ctx.get()) != 0 || nft_ctx_buffer_error(ctx.get()) != 0)
        return core::Error{ENOMEM, "nftables: cannot buffer libnftables output"};
    return std::unique_ptr<LibNftables>(new LibNftables(std::move(ctx)));
}

LibNftables::~LibNftables() = default;

core::Result<std::string> LibNftables::run(std::string_view batch) {
    const std::string text(batch);  // NUL-terminated
    const int rc = nft_run_cmd_from_buffer(ctx_.get(), text.c_str());
    // Both buffers are reset by the next read, so read both every time.
    std::string out = nft_ctx_get_output_buffer(ctx_.get());
    const char* err = nft_ctx_get_error_buffer(ctx_.get());
    if (rc != 0) return core::Error{0, "nftables: " + error_text(err)};
    return out;
}

}  // namespace halbd::net
