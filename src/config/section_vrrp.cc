// config/section_vrrp.cc: keywords, validation and dump of the vrrp section (stub).
#include "config/dump.hh"
#include "config/model.hh"
#include "config/sections.hh"

namespace halbd::config {

void add_vrrp_keywords(KeywordTable<Model>&) {}
void validate_vrrp(Model&, ValidateContext&) {}
void dump_vrrp(const Model&, Dumper&) {}

}  // namespace halbd::config
