// LocalRegistry and FaultProxy: the registry tests' loopback servers, started as child processes
// (docker-registry, token_server.py, fault_proxy.py) with certificates made by openssl and
// images pushed and checked by skopeo, so pipe's registry code meets real ones.
#include "local_registry.h"
#include "temp_dir.h"

#include <pipe/http/curl_client.h>
#include <pipe/proc/system_runner.h>

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace pipeline::testing {

// A long-running child (the registry, the token server, the proxy) started with posix_spawn. Its
// stdin is a pipe, whose closing tells the python helpers to stop; stdout goes to out_file or, when
// that is empty, to a pipe read by read_line(); stderr goes to err_file or, when empty, to ours.
// Destruction closes stdin, sends SIGTERM, waits up to 5 s, then SIGKILLs, and always reaps.
class ServiceProcess {
public:
    ServiceProcess(const std::vector<std::string>& argv, const std::filesystem::path& out_file,
                   const std::filesystem::path& err_file);
    ~ServiceProcess();
    ServiceProcess(const ServiceProcess&) = delete;
    ServiceProcess& operator=(const ServiceProcess&) = delete;

    // One line from the stdout pipe within the timeout, without its newline; empty on timeout or EOF.
    std::string read_line(int timeout_ms) const;

    // False once the child has exited (it is reaped then).
    bool running();

private:
    pid_t m_pid = -1;
    int m_stdin = -1;
    int m_stdout = -1;
    bool m_reaped = false;
};

namespace {

using namespace std::chrono_literals;

constexpr const char* k_username = "pipe-ci";
constexpr const char* k_service = "pipe-test-registry";
constexpr const char* k_issuer = "pipe-test-token-server";
constexpr auto k_start_timeout = 10s;

// The openssl config: a CA, the registry's server certificate for IP 127.0.0.1 (Go ignores the
// CN), and the token signer, which distribution refuses if it is a CA.
constexpr const char* k_openssl_config = R"([req]
distinguished_name = dn
prompt = no
[dn]
CN = pipe test
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
[signer_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
)";

std::string random_hex(std::size_t bytes) {
    std::random_device random;
    std::string text;
    for (std::size_t i = 0; i < bytes; ++i) {
        text += "0123456789abcdef"[random() % 16];
        text += "0123456789abcdef"[random() % 16];
    }
    return text;
}

std::string base64(std::string_view bytes) {
    static constexpr std::string_view k_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string text;
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::size_t left = bytes.size() - i;
        unsigned int group = static_cast<unsigned char>(bytes[i]) << 16U;
        if (left > 1) {
            group |= static_cast<unsigned char>(bytes[i + 1]) << 8U;
        }
        if (left > 2) {
            group |= static_cast<unsigned char>(bytes[i + 2]);
        }
        text += k_alphabet[(group >> 18U) & 63U];
        text += k_alphabet[(group >> 12U) & 63U];
        text += left > 1 ? k_alphabet[(group >> 6U) & 63U] : '=';
        text += left > 2 ? k_alphabet[group & 63U] : '=';
    }
    return text;
}

void write_text(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) {
        throw std::runtime_error("cannot write " + path.string());
    }
}

// Writes text to a file only its owner may read, which it is from the moment it exists.
void write_private(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const bool written = fd >= 0 && ::fchmod(fd, 0600) == 0 &&
                         ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    if (fd >= 0) {
        ::close(fd);
    }
    if (!written) {
        throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
    }
}

// The executable's path on PATH, or empty.
std::string find_program(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::istringstream folders(path != nullptr ? path : "/usr/bin:/bin");
    std::string folder;
    while (std::getline(folders, folder, ':')) {
        std::string candidate = (folder.empty() ? "." : folder) + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
    }
    return {};
}

// The executable's path, or an error saying which Debian package provides it.
std::string require_program(const std::string& name, const std::string& package) {
    std::string found = find_program(name);
    if (found.empty()) {
        throw std::runtime_error("the registry tests need " + name + " on PATH (install it: apt-get install " +
                                 package + ")");
    }
    return found;
}

// Debian's python3 (whose python3-cryptography the token server needs) when present, else PATH's.
std::string python3() {
    if (::access("/usr/bin/python3", X_OK) == 0) {
        return "/usr/bin/python3";
    }
    return require_program("python3", "python3");
}

std::string helper_script(const std::string& name) {
    return std::string(PIPE_TEST_DATA) + "/../helpers/" + name;
}

// Runs a short tool to completion; throws when it cannot start or fails.
proc::ProcessResult run_tool(proc::Command command) {
    if (command.timeout == std::chrono::milliseconds(0)) {
        command.timeout = 60s;
    }
    proc::SystemRunner runner;
    Result<proc::ProcessResult> result = runner.run(command);
    if (!result) {
        throw std::runtime_error(proc::describe(command) + ": " + describe(result.error()));
    }
    if (!result->status.success()) {
        throw std::runtime_error(proc::describe(command) + ": " + describe(result->status) + ": " + result->err);
    }
    return std::move(*result);
}

std::string sha256_digest(const std::string& bytes) {
    proc::Command command;
    command.argv = {"sha256sum"};
    command.stdin_data = bytes;
    return "sha256:" + run_tool(command).out.substr(0, 64);
}

// A port on 127.0.0.1 that was free a moment ago; the caller retries if someone takes it first.
int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    const bool bound = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), length) == 0 &&
                       ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    if (fd >= 0) {
        ::close(fd);
    }
    if (!bound) {
        throw std::runtime_error(std::string("cannot find a free loopback port: ") + std::strerror(errno));
    }
    return ntohs(address.sin_port);
}

// The port a python helper prints as its first line, or an error saying what it needs.
int read_port(const ServiceProcess& process, const std::string& what, const std::string& needs) {
    const std::string line = process.read_line(10000);
    const int port = line.empty() ? 0 : std::atoi(line.c_str());
    if (port <= 0) {
        throw std::runtime_error(what + " did not report a port (its stderr is above); it needs " + needs);
    }
    return port;
}

// openssl, run in dir, where openssl.cnf is.
void openssl(const std::filesystem::path& dir, std::vector<std::string> args) {
    proc::Command command;
    command.argv = {require_program("openssl", "openssl")};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    command.cwd = dir;
    run_tool(command);
}

// A fresh CA in dir: ca.key and the self-signed ca.pem.
void make_ca(const std::filesystem::path& dir) {
    write_text(dir / "openssl.cnf", k_openssl_config);
    openssl(dir, {"req", "-x509", "-config", "openssl.cnf", "-extensions", "ca_ext", "-newkey", "ec", "-pkeyopt",
                  "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj",
                  "/CN=pipe test CA " + random_hex(4)});
}

// name.key (a new key_type key: "ec" or "rsa:2048") and name.pem signed by dir's CA with the
// extensions section of openssl.cnf.
void make_certificate(const std::filesystem::path& dir, const std::string& name, const std::string& key_type,
                      const std::string& extensions) {
    std::vector<std::string> args = {"req", "-new", "-config", "openssl.cnf", "-newkey", key_type};
    if (key_type == "ec") {
        args.insert(args.end(), {"-pkeyopt", "ec_paramgen_curve:P-256"});
    }
    args.insert(args.end(),
                {"-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=pipe test " + name});
    openssl(dir, args);
    openssl(dir, {"x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial",
                  "0x" + random_hex(8), "-days", "2", "-extfile", "openssl.cnf", "-extensions", extensions, "-out",
                  name + ".pem"});
}

// A string as a YAML scalar (JSON strings are valid YAML).
std::string yaml_quote(const std::string& text) {
    return nlohmann::json(text).dump();
}

}  // namespace

ServiceProcess::ServiceProcess(const std::vector<std::string>& argv, const std::filesystem::path& out_file,
                               const std::filesystem::path& err_file) {
    std::array<int, 2> to_child{};
    std::array<int, 2> from_child{-1, -1};
    if (::pipe2(to_child.data(), O_CLOEXEC) != 0 || (out_file.empty() && ::pipe2(from_child.data(), O_CLOEXEC) != 0)) {
        throw std::runtime_error(std::string("pipe failed: ") + std::strerror(errno));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
    if (out_file.empty()) {
        posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
    } else {
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    }
    if (!err_file.empty()) {
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    }
    std::vector<std::string> args = argv;
    std::vector<char*> pointers;
    pointers.reserve(args.size() + 1);
    for (std::string& arg : args) {
        pointers.push_back(arg.data());
    }
    pointers.push_back(nullptr);
    const int spawned = posix_spawnp(&m_pid, pointers[0], &actions, nullptr, pointers.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(to_child[0]);
    if (from_child[1] >= 0) {
        ::close(from_child[1]);
    }
    m_stdin = to_child[1];
    m_stdout = from_child[0];
    if (spawned != 0) {
        m_reaped = true;
        ::close(m_stdin);
        if (m_stdout >= 0) {
            ::close(m_stdout);
        }
        throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(spawned));
    }
}

ServiceProcess::~ServiceProcess() {
    ::close(m_stdin);
    if (m_stdout >= 0) {
        ::close(m_stdout);
    }
    if (!running()) {
        return;
    }
    ::kill(m_pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (running() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(10ms);
    }
    if (!m_reaped) {
        ::kill(m_pid, SIGKILL);
        int status = 0;
        while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
}

std::string ServiceProcess::read_line(int timeout_ms) const {
    std::string line;
    while (line.empty() || line.back() != '\n') {
        pollfd ready{m_stdout, POLLIN, 0};
        char c = 0;
        if (::poll(&ready, 1, timeout_ms) <= 0 || ::read(m_stdout, &c, 1) != 1) {
            return {};
        }
        line += c;
    }
    line.pop_back();
    return line;
}

bool ServiceProcess::running() {
    if (m_reaped) {
        return false;
    }
    int status = 0;
    pid_t waited = ::waitpid(m_pid, &status, WNOHANG);
    while (waited < 0 && errno == EINTR) {
        waited = ::waitpid(m_pid, &status, WNOHANG);
    }
    m_reaped = waited != 0;
    return !m_reaped;
}

LocalRegistry::LocalRegistry(const std::filesystem::path& dir, RegistrySetup setup)
    : m_dir(dir), m_setup(setup), m_password(random_hex(12)) {
    const std::filesystem::path skopeo_dir = m_dir / "skopeo";
    std::filesystem::create_directories(skopeo_dir / "home");
    write_text(skopeo_dir / "policy.json", R"({"default":[{"type":"insecureAcceptAnything"}]})");
    write_text(skopeo_dir / "registries.conf", "");
    m_anonymous_auth_file = skopeo_dir / "anonymous-auth.json";
    write_private(m_anonymous_auth_file, R"({"auths":{}})");
    if (m_setup.tls) {
        const std::filesystem::path tls = m_dir / "tls";
        make_ca(tls);
        make_certificate(tls, "server", "ec", "server_ext");
        m_ca_file = tls / "ca.pem";
        m_cert_dir = tls / "certs";
        std::filesystem::create_directories(m_cert_dir);
        std::filesystem::copy_file(m_ca_file, m_cert_dir / "ca.crt");
    }
    if (m_setup.auth == RegistryAuth::htpasswd) {
        proc::Command command;
        command.argv = {require_program("htpasswd", "apache2-utils"), "-iBn", k_username};
        command.stdin_data = m_password;
        write_text(m_dir / "auth/htpasswd", run_tool(command).out);
    }
    if (m_setup.auth == RegistryAuth::token) {
        start_token_server();
    }
    start_registry();
    if (m_setup.auth != RegistryAuth::none) {
        m_auth_file = write_auth_file(m_dir / "auth/auth.json", host(), k_username, m_password);
    }
}

LocalRegistry::~LocalRegistry() = default;

void LocalRegistry::start_token_server() {
    const std::filesystem::path token = m_dir / "token";
    make_ca(token);
    make_certificate(token, "signer", "rsa:2048", "signer_ext");
    write_private(token / "password", m_password);
    m_token_log = token / "requests.jsonl";
    write_text(m_token_log, "");
    m_token_server = std::make_unique<ServiceProcess>(
        std::vector<std::string>{python3(), helper_script("token_server.py"), "--key", (token / "signer.key").string(),
                                 "--cert", (token / "signer.pem").string(), "--issuer", k_issuer, "--user", k_username,
                                 "--password-file", (token / "password").string(), "--log", m_token_log.string()},
        std::filesystem::path(), std::filesystem::path());
    const int port = read_port(*m_token_server, "the token server " + helper_script("token_server.py"),
                               "python3 and python3-cryptography (apt-get install python3 python3-cryptography)");
    m_token_realm = "http://127.0.0.1:" + std::to_string(port) + "/token";
}

void LocalRegistry::start_registry() {
    const std::string program = require_program("docker-registry", "docker-registry");
    const std::string instance = random_hex(8);
    const std::filesystem::path config = m_dir / "registry/config.yml";
    for (int attempt = 0; attempt < 5; ++attempt) {
        m_port = free_port();
        std::ostringstream yaml;
        yaml << "version: 0.1\n"
             << "log:\n  level: warn\n  formatter: text\n"
             << "storage:\n  filesystem:\n    rootdirectory: " << yaml_quote((m_dir / "registry/storage").string())
             << "\n  delete:\n    enabled: true\n"
             << "http:\n  addr: 127.0.0.1:" << m_port << "\n  secret: " << random_hex(16) << "\n"
             << "  headers:\n    X-Pipe-Test-Instance: [" << instance << "]\n";
        if (m_setup.tls) {
            yaml << "  tls:\n    certificate: " << yaml_quote((m_dir / "tls/server.pem").string())
                 << "\n    key: " << yaml_quote((m_dir / "tls/server.key").string()) << "\n";
        }
        if (m_setup.auth == RegistryAuth::htpasswd) {
            yaml << "auth:\n  htpasswd:\n    realm: " << k_service
                 << "\n    path: " << yaml_quote((m_dir / "auth/htpasswd").string()) << "\n";
        }
        if (m_setup.auth == RegistryAuth::token) {
            yaml << "auth:\n  token:\n    realm: " << m_token_realm << "\n    service: " << k_service
                 << "\n    issuer: " << k_issuer
                 << "\n    rootcertbundle: " << yaml_quote((m_dir / "token/ca.pem").string()) << "\n";
        }
        write_text(config, yaml.str());
        m_registry = std::make_unique<ServiceProcess>(std::vector<std::string>{program, "serve", config.string()},
                                                      m_dir / "registry/access.log", m_dir / "registry/registry.log");

        http::CurlOptions options;
        options.ca_file = m_ca_file;
        http::CurlClient client(options);
        http::Request probe;
        probe.url = *http::SanitizedUrl::parse(scheme() + "://" + host() + "/v2/");
        probe.timeout = 2s;
        bool taken = false;
        const auto deadline = std::chrono::steady_clock::now() + k_start_timeout;
        while (!taken && std::chrono::steady_clock::now() < deadline) {
            if (!m_registry->running()) {
                if (log_tail().find("address already in use") == std::string::npos) {
                    throw std::runtime_error("docker-registry exited on start (" + config.string() + "):\n" +
                                             log_tail());
                }
                taken = true;
                break;
            }
            http::SendResult sent = client.send(probe);
            if (sent && (sent->status == 200 || sent->status == 401)) {
                if (sent->headers.find("X-Pipe-Test-Instance") == instance) {
                    return;
                }
                taken = true;
            }
            std::this_thread::sleep_for(50ms);
        }
        m_registry.reset();
        if (!taken) {
            throw std::runtime_error("docker-registry did not answer GET /v2/ on " + host() + " within 10 s:\n" +
                                     log_tail());
        }
    }
    throw std::runtime_error("docker-registry found no free loopback port in 5 attempts");
}

std::string LocalRegistry::host() const {
    return "127.0.0.1:" + std::to_string(m_port);
}

std::string LocalRegistry::scheme() const {
    return m_setup.tls ? "https" : "http";
}

std::string LocalRegistry::username() const {
    return k_username;
}

std::string LocalRegistry::qualify(const std::string& reference) const {
    const std::size_t slash = reference.find('/');
    if (slash != std::string::npos && reference.substr(0, slash).find_first_of(".:") != std::string::npos) {
        return reference;
    }
    return host() + "/" + reference;
}

proc::ProcessResult LocalRegistry::run_skopeo(const std::vector<std::string>& args,
                                              const std::filesystem::path& authfile) const {
    const std::filesystem::path skopeo_dir = m_dir / "skopeo";
    proc::Command command;
    command.argv = {require_program("skopeo", "skopeo"), "--policy", (skopeo_dir / "policy.json").string(), args.at(0)};
    const std::string verify = m_setup.tls ? "tls-verify=true" : "tls-verify=false";
    const std::vector<std::string> sides =
        args[0] == "copy" ? std::vector<std::string>{"--src-", "--dest-"} : std::vector<std::string>{"--"};
    for (const std::string& side : sides) {
        command.argv.push_back(side + verify);
        if (m_setup.tls) {
            command.argv.insert(command.argv.end(), {side + "cert-dir", m_cert_dir.string()});
        }
    }
    command.argv.insert(command.argv.end(),
                        {"--authfile", (authfile.empty() ? m_anonymous_auth_file : authfile).string()});
    command.argv.insert(command.argv.end(), args.begin() + 1, args.end());
    command.env = {{"HOME", (skopeo_dir / "home").string()},
                   {"CONTAINERS_REGISTRIES_CONF", (skopeo_dir / "registries.conf").string()}};
    command.unset_env = {"DOCKER_CONFIG", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "REGISTRY_AUTH_FILE"};
    command.timeout = 60s;
    proc::SystemRunner runner;
    Result<proc::ProcessResult> result = runner.run(command);
    if (!result) {
        throw std::runtime_error(proc::describe(command) + ": " + describe(result.error()));
    }
    return std::move(*result);
}

std::string LocalRegistry::skopeo_digest(const std::string& reference) const {
    const proc::ProcessResult inspected =
        run_skopeo({"inspect", "--raw", "docker://" + qualify(reference)}, m_auth_file);
    if (inspected.status.success()) {
        return sha256_digest(inspected.out);
    }
    if (inspected.err.find("manifest unknown") != std::string::npos ||
        inspected.err.find("name unknown") != std::string::npos) {
        return {};
    }
    throw std::runtime_error("skopeo inspect " + reference + " failed: " + inspected.err);
}

std::vector<std::string> LocalRegistry::skopeo_tags(const std::string& repository) const {
    const proc::ProcessResult listed = run_skopeo({"list-tags", "docker://" + qualify(repository)}, m_auth_file);
    if (!listed.status.success()) {
        if (listed.err.find("registry 404") != std::string::npos) {
            return {};
        }
        throw std::runtime_error("skopeo list-tags " + repository + " failed: " + listed.err);
    }
    std::vector<std::string> tags = nlohmann::json::parse(listed.out).at("Tags").get<std::vector<std::string>>();
    std::sort(tags.begin(), tags.end());
    return tags;
}

std::string LocalRegistry::seed_image(const std::string& repository, const std::string& tag) const {
    const std::filesystem::path work = m_dir / "seed" / std::to_string(++m_seeded);
    const std::filesystem::path layout = work / "layout";
    write_text(work / "rootfs/seed.txt", "pipe test image " + repository + ":" + tag + "\n");
    proc::Command tar;
    tar.argv = {"tar", "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner",
                "-cf", "layer.tar",   "-C",         "rootfs",    "."};
    tar.cwd = work;
    run_tool(tar);

    const auto add_blob = [&layout](const std::string& bytes, const std::string& media_type) {
        const std::string digest = sha256_digest(bytes);
        write_text(layout / "blobs/sha256" / digest.substr(7), bytes);
        return nlohmann::json{{"mediaType", media_type}, {"digest", digest}, {"size", bytes.size()}};
    };
    const nlohmann::json layer = add_blob(read_file(work / "layer.tar"), "application/vnd.oci.image.layer.v1.tar");
    const nlohmann::json config = {{"architecture", "amd64"},
                                   {"os", "linux"},
                                   {"config", nlohmann::json::object()},
                                   {"rootfs", {{"type", "layers"}, {"diff_ids", {layer.at("digest")}}}}};
    const nlohmann::json manifest = {{"schemaVersion", 2},
                                     {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                                     {"config", add_blob(config.dump(), "application/vnd.oci.image.config.v1+json")},
                                     {"layers", {layer}}};
    nlohmann::json entry = add_blob(manifest.dump(), "application/vnd.oci.image.manifest.v1+json");
    entry["annotations"] = {{"org.opencontainers.image.ref.name", "seed"}};
    write_text(layout / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    write_text(layout / "index.json", nlohmann::json{{"schemaVersion", 2}, {"manifests", {entry}}}.dump());

    const proc::ProcessResult copied =
        run_skopeo({"copy", "--digestfile", (work / "digest").string(), "oci:" + layout.string() + ":seed",
                    "docker://" + qualify(repository) + ":" + tag},
                   m_auth_file);
    if (!copied.status.success()) {
        throw std::runtime_error("skopeo copy of the seed image to " + qualify(repository) + ":" + tag +
                                 " failed: " + copied.err);
    }
    return read_file(work / "digest");
}

std::string LocalRegistry::log_tail() const {
    std::ifstream in(m_dir / "registry/registry.log");
    std::deque<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
        if (lines.size() > 40) {
            lines.pop_front();
        }
    }
    std::string tail;
    for (const std::string& line : lines) {
        tail += line + "\n";
    }
    return tail;
}

std::filesystem::path write_auth_file(const std::filesystem::path& file, const std::string& host,
                                      const std::string& username, const std::string& password) {
    const nlohmann::json auths = {{"auths", {{host, {{"auth", base64(username + ":" + password)}}}}}};
    write_private(file, auths.dump());
    return file;
}

FaultProxy::FaultProxy(const std::string& upstream_host, const std::vector<FaultRule>& rules) {
    nlohmann::json list = nlohmann::json::array();
    for (const FaultRule& rule : rules) {
        list.push_back({{"method", rule.method},
                        {"path_regex", rule.path_regex},
                        {"fault", rule.fault},
                        {"status", rule.status},
                        {"retry_after", rule.retry_after},
                        {"delay_ms", rule.delay_ms},
                        {"times", rule.times}});
    }
    const char* tmp = std::getenv("TMPDIR");
    std::string log = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/pipe-fault-proxy-XXXXXX";
    const int fd = ::mkstemp(log.data());
    if (fd < 0) {
        throw std::runtime_error("mkstemp failed for " + log);
    }
    ::close(fd);
    m_log = log;
    m_process = std::make_unique<ServiceProcess>(
        std::vector<std::string>{python3(), helper_script("fault_proxy.py"), "--upstream", upstream_host, "--rules",
                                 list.dump(), "--log", m_log.string()},
        std::filesystem::path(), std::filesystem::path());
    m_port = read_port(*m_process, "the fault proxy " + helper_script("fault_proxy.py"),
                       "python3 (apt-get install python3)");
}

FaultProxy::~FaultProxy() {
    m_process.reset();
    std::error_code ignored;
    std::filesystem::remove(m_log, ignored);
}

std::string FaultProxy::host() const {
    return "127.0.0.1:" + std::to_string(m_port);
}

std::vector<std::string> FaultProxy::requests() const {
    std::ifstream in(m_log);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

FakeGithub::FakeGithub(const std::filesystem::path& root, const std::string& token) {
    const std::string script = std::string(PIPE_SOURCE_DIR) + "/tests/fakes/fake-github";
    m_process =
        std::make_unique<ServiceProcess>(std::vector<std::string>{script, "--root", root.string(), "--token", token},
                                         std::filesystem::path(), std::filesystem::path());
    m_port = read_port(*m_process, "the GitHub fake " + script, "python3 (apt-get install python3)");
}

FakeGithub::~FakeGithub() = default;

std::string FakeGithub::api_url() const {
    return "http://127.0.0.1:" + std::to_string(m_port);
}

nlohmann::json FakeGithub::get(const std::string& path) const {
    http::CurlClient client;
    http::Request request;
    request.url = *http::SanitizedUrl::parse(api_url() + path);
    http::SendResult sent = client.send(request);
    if (!sent || sent->status != 200) {
        throw std::runtime_error("fake-github did not answer " + path);
    }
    return nlohmann::json::parse(sent->body);
}

nlohmann::json FakeGithub::state() const {
    return get("/_fake/state");
}

nlohmann::json FakeGithub::faults() const {
    return get("/_fake/faults");
}

void FakeGithub::set_faults(const nlohmann::json& rules) const {
    http::CurlClient client;
    http::Request request;
    request.method = http::Method::post;
    request.url = *http::SanitizedUrl::parse(api_url() + "/_fake/faults");
    request.add_header("Content-Type", "application/json");
    request.body = rules.dump();
    http::SendResult sent = client.send(request);
    if (!sent || sent->status / 100 != 2) {
        throw std::runtime_error("fake-github refused the fault rules");
    }
}

}  // namespace pipeline::testing
