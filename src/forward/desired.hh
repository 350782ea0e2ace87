// forward/desired.hh: what the kernel should hold for a configuration, as
// keepalived 2.2.7 would program it (groups expanded, inhibit, quorum,
// hysteresis, sorry server). Called by ForwardSubsystem on start, reload and
// pool changes; pure: owns nothing, the pool state comes from a PoolView.
#pragma once

#include <cstdint>
#include <optional>

#include "config/model.hh"
#include "forward/service.hh"

namespace halbd::forward {

// The health-check subsystem's view of the real servers. The config objects
// passed in are those of the Model given to desired_services().
class PoolView {
public:
    virtual ~PoolView() = default;
    // Is this real server alive (keepalived ISALIVE)?
    virtual bool is_up(const config::VirtualServer& vs, const config::RealServer& rs) const = 0;
    // keepalived's effective_weight (MISC_CHECK dynamic, FILE_CHECK and BFD
    // weights change it); before clamping to 0..INT32_MAX.
    virtual int64_t effective_weight(const config::VirtualServer&, const config::RealServer& rs) const {
        return rs.weight ? *rs.weight : 1;
    }
    // The quorum state last decided for this virtual server, for hysteresis;
    // nullopt when there is none yet (start): then quorum_up() decides as
    // keepalived's set_quorum_states() does.
    virtual std::optional<bool> quorum_was_up(const config::VirtualServer&) const { return std::nullopt; }
};

// keepalived's state before any check ran (check_api.c / ipwrapper.c
// init_service_rs): a real server is up unless one of its checkers has
// `alpha` (such a checker starts failed); no checker = up.
class InitialPool : public PoolView {
public:
    bool is_up(const config::VirtualServer& vs, const config::RealServer& rs) const override;
};

// keepalived ipwrapper.c update_quorum_state(): live_weight is the sum of the
// clamped effective weights of live real servers.
//  - no previous state: up iff live >= quorum + hysteresis (set_quorum_states)
//  - was down: up iff live >= quorum + hysteresis
//  - was up:   stays up iff live > 0 and live >= quorum - hysteresis
bool quorum_up(uint64_t live_weight, uint32_t quorum, uint32_t hysteresis, std::optional<bool> was_up);

// keepalived ipwrapper.c weigh_live_realservers(): the sum of the clamped
// effective weights of the live real servers of vs (what quorum_up() weighs).
uint64_t live_weight(const config::VirtualServer& vs, const PoolView& pool);

// Clamp of an effective weight to what IPVS accepts (keepalived real_weight()).
int32_t real_weight(int64_t effective_weight);

// The service keys of one virtual server: its address, its fwmark, or every
// entry of its group (ranges expanded, fwmark entries with their family).
std::vector<ServiceKey> service_keys(const config::VirtualServer& vs, const config::Model& model);

// Service parameters of a virtual server of the given family (scheduler,
// flags, persistence timeout, netmask, persistence engine).
ServiceParams service_params(const config::VirtualServer& vs, net::Family family);

// Everything halbd should have programmed for this model and pool state.
ServiceTable desired_services(const config::Model& model, const PoolView& pool);

}  // namespace halbd::forward
