// config/section_global.cc: keywords, validation and dump of the global section (stub).
#include "config/dump.hh"
#include "config/model.hh"
#include "config/sections.hh"

namespace halbd::config {

void add_global_keywords(KeywordTable<Model>&) {}
void validate_global(Model&, ValidateContext&) {}
void dump_global(const Model&, Dumper&) {}

}  // namespace halbd::config
