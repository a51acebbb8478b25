#include <pipe/config/config.h>

namespace pipeline::config {

std::string ServiceConfig::origin_of(const std::string& key_path) const {
    if (auto found = origins.find(key_path); found != origins.end()) {
        return found->second;
    }
    std::size_t bracket = key_path.find('[');
    if (bracket != std::string::npos) {
        if (auto found = origins.find(key_path.substr(0, bracket)); found != origins.end()) {
            return found->second;
        }
    }
    return {};
}

void ServiceConfig::set_origin(const std::string& key, const std::string& origin) {
    for (auto it = origins.begin(); it != origins.end();) {
        bool item =
            it->first.size() > key.size() && it->first.compare(0, key.size(), key) == 0 && it->first[key.size()] == '[';
        it = item ? origins.erase(it) : std::next(it);
    }
    origins[key] = origin;
}

std::vector<std::string> service_names(const Config& config) {
    std::vector<std::string> names;
    names.reserve(config.services.size());
    for (const ServiceConfig& service : config.services) {
        names.push_back(service.name);
    }
    return names;
}

const std::vector<std::string>& default_tag_rules() {
    static const std::vector<std::string> k_rules{
        "type=sha,format=long,prefix=sha-",
        "type=ref,event=branch",
        "type=semver,pattern={{version}}",
    };
    return k_rules;
}

const std::vector<std::string>& isolation_modes() {
    static const std::vector<std::string> k_modes{"oci", "rootless", "chroot"};
    return k_modes;
}

const std::vector<std::string>& storage_drivers() {
    static const std::vector<std::string> k_drivers{"overlay", "overlay2", "vfs", "btrfs", "zfs", "devmapper", "aufs"};
    return k_drivers;
}

}  // namespace pipeline::config
