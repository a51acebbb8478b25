// Loading every document of a YAML stream without tripping yaml-cpp 0.7's endless LoadAll() loop
// (jbeder/yaml-cpp#1040): the one way pipe's YAML readers that accept arbitrary files load them.
#pragma once

#include <yaml-cpp/node/node.h>

#include <string>
#include <vector>

namespace pipeline {

// All documents of text, in order. Throws YAML::Exception for invalid YAML, including the inputs
// (e.g. a stream starting with ',') on which YAML::LoadAll() would allocate empty documents forever.
std::vector<YAML::Node> load_yaml_documents(const std::string& text);

}  // namespace pipeline
