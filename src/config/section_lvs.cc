// config/section_lvs.cc: keywords, validation and dump of the lvs section (stub).
#include "config/dump.hh"
#include "config/model.hh"
#include "config/sections.hh"

namespace halbd::config {

void add_lvs_keywords(KeywordTable<Model>&) {}
void validate_lvs(Model&, ValidateContext&) {}
void dump_lvs(const Model&, Dumper&) {}

}  // namespace halbd::config
