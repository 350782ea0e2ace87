// config/model_vrrp.hh: typed model of the vrrp section (stub until written).
#pragma once

namespace halbd::config {

struct VrrpConfig {};

}  // namespace halbd::config
