// config/model_lvs.hh: typed model of the lvs section (stub until written).
#pragma once

namespace halbd::config {

struct LvsConfig {};

}  // namespace halbd::config
