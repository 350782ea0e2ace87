// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// vrrp/drop.cc: the stable names of the drop reasons, used by the adapter's
// counters, the control socket and log lines. No state.
#include "vrrp/drop.hh"

namespace halbd::vrrp {

const char* to_string(DropReason reason) {
    switch (reason) {
    case DropReason::TooShort: return "too_short";
    case DropReason::LengthMismatch: return "length_mismatch";
    case DropReason::BadIpHeader: return "bad_ip_header";
    case DropReason::BadVersion: return "bad_version";
    case DropReason::BadType: return "bad_type";
    case DropReason::BadChecksum: return "bad_checksum";
    case DropReason::BadAuthType: return "bad_auth_type";
    case DropReason::AuthUnsupported: return "auth_unsupported";
    case DropReason::BadInterval: return "bad_interval";
    case DropReason::NotOurVrid: return "not_our_vrid";
    case DropReason::BadTtl: return "bad_ttl";
    case DropReason::TtlOutOfRange: return "ttl_out_of_range";
    case DropReason::VersionMismatch: return "version_mismatch";
    case DropReason::AuthTypeMismatch: return "auth_type_mismatch";
    case DropReason::AuthFailure: return "auth_failure";
    case DropReason::IntervalMismatch: return "interval_mismatch";
    case DropReason::AddressCountMismatch: return "address_count_mismatch";
    case DropReason::AddressListMismatch: return "address_list_mismatch";
    case DropReason::CastMismatch: return "cast_mismatch";
    case DropReason::UnicastSrcNotPeer: return "unicast_src_not_peer";
    }
    return "unknown";
}

}  // namespace halbd::vrrp
