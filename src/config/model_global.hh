// config/model_global.hh: typed model of the global section (stub until written).
#pragma once

namespace halbd::config {

struct GlobalDefs {};

}  // namespace halbd::config
