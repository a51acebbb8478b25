#include <pipe/core/yaml_kind.h>

namespace pipeline {

std::string_view yaml_kind(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map:
            return "a map";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Scalar:
            return "a string";
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined:
            return "null";
    }
    return "null";
}

}  // namespace pipeline
