#include <pipe/git/config_checkout.h>

#include "libgit2_handles.h"

#include <pipe/core/file_text.h>
#include <pipe/git/known_hosts.h>
#include <pipe/git/repository_state.h>
#include <pipe/proc/interrupt.h>

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <vector>

namespace pipeline::git {
namespace {

using IndexPtr = std::unique_ptr<git_index, Deleter<git_index, git_index_free>>;
using SignaturePtr = std::unique_ptr<git_signature, Deleter<git_signature, git_signature_free>>;

// How many times libgit2 may ask for credentials before pipe gives up (it asks again after each
// refusal, forever).
constexpr int k_credential_attempts = 2;

struct CallbackPayload {
    const RemoteAuth* auth = nullptr;
    int ssh_port = 22;  // the port of an ssh remote, for its known_hosts entry
    int attempts = 0;
    std::string rejection;  // set by the push callback when the remote refused an update
};

// The port of an ssh:// URL (22 when none is given or the remote is scp-like).
int ssh_port(const std::string& url) {
    constexpr std::string_view scheme = "ssh://";
    if (url.rfind(scheme, 0) != 0) {
        return 22;
    }
    const std::string authority = url.substr(scheme.size(), url.find('/', scheme.size()) - scheme.size());
    const std::size_t colon = authority.rfind(':');
    if (colon == std::string::npos || authority.find(']', colon) != std::string::npos) {
        return 22;
    }
    int port = 0;
    const char* last = authority.data() + authority.size();
    const std::from_chars_result read = std::from_chars(authority.data() + colon + 1, last, port);
    return read.ec == std::errc() && read.ptr == last && port > 0 && port < 65536 ? port : 22;
}

int credentials(git_credential** out, const char* /*url*/, const char* username_from_url, unsigned int allowed,
                void* payload) {
    auto* state = static_cast<CallbackPayload*>(payload);
    const RemoteAuth& auth = *state->auth;
    const char* user = username_from_url != nullptr ? username_from_url : "git";
    if ((allowed & GIT_CREDENTIAL_USERNAME) != 0) {
        return git_credential_username_new(out, user);
    }
    if (++state->attempts > k_credential_attempts) {
        const std::string refused =
            (allowed & GIT_CREDENTIAL_SSH_KEY) != 0
                ? fmt::format("the remote refused the ssh key ({})",
                              auth.ssh_key_file.empty() ? "the agent at SSH_AUTH_SOCK" : auth.ssh_key_file.string())
                : fmt::format("the remote refused the token from {}", auth.token_source);
        git_error_set_str(GIT_ERROR_NET, refused.c_str());
        return GIT_EUSER;
    }
    if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) != 0 && !auth.token.empty()) {
        return git_credential_userpass_plaintext_new(out, auth.username.c_str(), auth.token.reveal().c_str());
    }
    if ((allowed & GIT_CREDENTIAL_SSH_KEY) != 0) {
        if (!auth.ssh_key_file.empty()) {
            return git_credential_ssh_key_new(out, user, nullptr, auth.ssh_key_file.c_str(), nullptr);
        }
        return git_credential_ssh_key_from_agent(out, user);
    }
    git_error_set_str(GIT_ERROR_NET,
                      "the remote asks for a password and pipe has no token for it (set "
                      "PIPE_GIT_TOKEN, or PIPE_GITHUB_TOKEN for a GitHub remote)");
    return GIT_EUSER;
}

// Accepts an ssh server only when its host key is in the known_hosts file; TLS certificates keep
// libgit2's own verdict.
int check_host_key(git_cert* cert, int /*valid*/, const char* host, void* payload) {
    if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2) {
        return GIT_PASSTHROUGH;
    }
    const auto* state = static_cast<CallbackPayload*>(payload);
    const auto* key = reinterpret_cast<const git_cert_hostkey*>(cert);
    const std::filesystem::path& file = state->auth->known_hosts;
    if ((key->type & GIT_CERT_SSH_RAW) == 0) {
        git_error_set_str(GIT_ERROR_SSH, "libgit2 did not hand over the ssh host key, so it cannot be checked");
        return GIT_ECERTIFICATE;
    }
    const std::optional<std::string> text = file.empty() ? std::nullopt : read_file_text(file);
    if (text && known_host(*text, host, state->ssh_port, std::string_view(key->hostkey, key->hostkey_len))) {
        return 0;
    }
    const std::string message = fmt::format(
        "the ssh host key of {} port {} is not in {} (add it with `ssh-keyscan -p {} {} >> {}` after "
        "checking it, or set PIPE_GIT_KNOWN_HOSTS)",
        host, state->ssh_port, file.empty() ? "~/.ssh/known_hosts" : file.string(), state->ssh_port, host,
        file.empty() ? "~/.ssh/known_hosts" : file.string());
    git_error_set_str(GIT_ERROR_SSH, message.c_str());
    return GIT_ECERTIFICATE;
}

int push_status(const char* refname, const char* status, void* payload) {
    if (status != nullptr) {
        static_cast<CallbackPayload*>(payload)->rejection = fmt::format("{}: {}", refname, status);
    }
    return 0;
}

// libgit2 calls these while it counts, packs, sends and indexes objects; a non-zero answer
// aborts the transfer, so Ctrl-C stops a long fetch or push instead of waiting for its end.
int stop_when_interrupted_text(const char* /*text*/, int /*length*/, void* /*payload*/) {
    return proc::pending_interrupt() != 0 ? -1 : 0;
}

int stop_when_interrupted_indexing(const git_indexer_progress* /*progress*/, void* /*payload*/) {
    return proc::pending_interrupt() != 0 ? -1 : 0;
}

int stop_when_interrupted_packing(int /*stage*/, std::uint32_t /*current*/, std::uint32_t /*total*/,
                                  void* /*payload*/) {
    return proc::pending_interrupt() != 0 ? -1 : 0;
}

git_remote_callbacks callbacks_for(CallbackPayload& payload) {
    git_remote_callbacks callbacks{};
    git_remote_init_callbacks(&callbacks, GIT_REMOTE_CALLBACKS_VERSION);
    callbacks.sideband_progress = stop_when_interrupted_text;
    callbacks.transfer_progress = stop_when_interrupted_indexing;
    callbacks.pack_progress = stop_when_interrupted_packing;
    callbacks.credentials = credentials;
    callbacks.certificate_check = check_host_key;
    callbacks.push_update_reference = push_status;
    callbacks.payload = &payload;
    return callbacks;
}

}  // namespace

struct ConfigCheckout::State {
    RepositoryPtr repository;
    RemotePtr remote;
    std::string url;      // for the remote, credentials included when the user wrote them
    std::string display;  // without credentials, for messages
    RemoteAuth auth;
    int ssh_port = 22;
    std::string base;  // the branch fetched as the base
};

ConfigCheckout::ConfigCheckout(std::unique_ptr<State> state) : m_state(std::move(state)) {}
ConfigCheckout::~ConfigCheckout() = default;
ConfigCheckout::ConfigCheckout(ConfigCheckout&&) noexcept = default;
ConfigCheckout& ConfigCheckout::operator=(ConfigCheckout&&) noexcept = default;

Result<ConfigCheckout> ConfigCheckout::fetch(const std::string& url, const std::string& branch,
                                             const std::filesystem::path& directory, const RemoteAuth& auth,
                                             const std::string& other_branch) {
    ensure_initialised();
    auto state = std::make_unique<State>();
    state->url = url;
    state->display = strip_credentials(url);
    state->auth = auth;
    state->ssh_port = ssh_port(url);
    git_repository* repository = nullptr;
    if (git_repository_init(&repository, directory.c_str(), 1) != 0) {
        return libgit2_failure(fmt::format("creating a scratch repository in {}", directory.string()));
    }
    state->repository.reset(repository);
    git_remote* remote = nullptr;
    if (git_remote_create_anonymous(&remote, repository, url.c_str()) != 0) {
        return libgit2_failure(fmt::format("using the remote {}", state->display));
    }
    state->remote.reset(remote);
    state->base = branch;
    if (state->base.empty()) {
        CallbackPayload payload{&state->auth, state->ssh_port, 0, {}};
        git_remote_callbacks callbacks = callbacks_for(payload);
        git_buf head = GIT_BUF_INIT;
        const bool found = git_remote_connect(remote, GIT_DIRECTION_FETCH, &callbacks, nullptr, nullptr) == 0 &&
                           git_remote_default_branch(&head, remote) == 0;
        if (found) {
            state->base = std::string(head.ptr, head.size);
            constexpr std::string_view prefix = "refs/heads/";
            if (state->base.rfind(prefix, 0) == 0) {
                state->base.erase(0, prefix.size());
            }
        }
        git_buf_dispose(&head);
        git_remote_disconnect(remote);
        if (!found) {
            return libgit2_failure(fmt::format("finding the default branch of {}", state->display));
        }
    }
    const std::string base = state->base;

    std::vector<std::string> specs{fmt::format("+refs/heads/{0}:refs/remotes/origin/{0}", base)};
    if (!other_branch.empty()) {
        specs.push_back(fmt::format("+refs/heads/{0}:refs/remotes/origin/{0}", other_branch));
    }
    for (std::size_t i = 0; i < specs.size(); ++i) {
        CallbackPayload payload{&state->auth, state->ssh_port, 0, {}};
        git_fetch_options options;
        git_fetch_options_init(&options, GIT_FETCH_OPTIONS_VERSION);
        options.callbacks = callbacks_for(payload);
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
        char* raw = specs[i].data();
        git_strarray refspecs{&raw, 1};
        if (git_remote_fetch(remote, &refspecs, &options, nullptr) != 0) {
            return libgit2_failure(
                fmt::format("fetching branch {} of {}", i == 0 ? branch : other_branch, state->display));
        }
    }
    ConfigCheckout checkout(std::move(state));
    if (!checkout.tip(base)) {
        return runtime_error(fmt::format("{} has no branch '{}'", checkout.m_state->display, base),
                             "check `base:` in the bump settings (default: the repository's default branch)");
    }
    return checkout;
}

const std::string& ConfigCheckout::base() const {
    return m_state->base;
}

std::optional<std::string> ConfigCheckout::tip(const std::string& branch) const {
    git_oid oid;
    const std::string name = "refs/remotes/origin/" + branch;
    if (git_reference_name_to_id(&oid, m_state->repository.get(), name.c_str()) != 0) {
        return std::nullopt;
    }
    return oid_text(oid);
}

Result<std::optional<std::string>> ConfigCheckout::read_file(const std::string& commit, const std::string& path) const {
    return file_at(m_state->repository.get(), commit, path, m_state->display);
}

Result<std::string> ConfigCheckout::commit(const std::string& parent, const std::map<std::string, std::string>& files,
                                           const std::string& message, const Signature& author) {
    git_repository* repository = m_state->repository.get();
    Result<git_oid> parent_oid = parse_oid(parent);
    if (!parent_oid) {
        return parent_oid.error();
    }
    git_commit* raw_parent = nullptr;
    if (git_commit_lookup(&raw_parent, repository, &*parent_oid) != 0) {
        return libgit2_failure(fmt::format("reading commit {}", parent));
    }
    CommitPtr parent_commit(raw_parent);
    git_tree* raw_tree = nullptr;
    if (git_commit_tree(&raw_tree, parent_commit.get()) != 0) {
        return libgit2_failure("reading the base tree");
    }
    TreePtr base_tree(raw_tree);
    git_index* raw_index = nullptr;
    if (git_index_new(&raw_index) != 0 || raw_index == nullptr) {
        return libgit2_failure("creating an in-memory index");
    }
    IndexPtr index(raw_index);
    if (git_index_read_tree(index.get(), base_tree.get()) != 0) {
        return libgit2_failure("loading the base tree");
    }
    for (const auto& [path, content] : files) {
        git_index_entry entry{};
        entry.path = path.c_str();
        entry.mode = GIT_FILEMODE_BLOB;
        if (const git_index_entry* existing = git_index_get_bypath(index.get(), path.c_str(), 0)) {
            entry.mode = existing->mode;
        }
        if (git_blob_create_from_buffer(&entry.id, repository, content.data(), content.size()) != 0 ||
            git_index_add(index.get(), &entry) != 0) {
            return libgit2_failure(fmt::format("writing {}", path));
        }
    }
    git_oid tree_oid;
    if (git_index_write_tree_to(&tree_oid, index.get(), repository) != 0) {
        return libgit2_failure("writing the new tree");
    }
    git_tree* raw_new_tree = nullptr;
    if (git_tree_lookup(&raw_new_tree, repository, &tree_oid) != 0) {
        return libgit2_failure("reading the new tree");
    }
    TreePtr new_tree(raw_new_tree);
    git_signature* raw_signature = nullptr;
    if (git_signature_now(&raw_signature, author.name.c_str(), author.email.c_str()) != 0) {
        return libgit2_failure(fmt::format("using the commit author '{} <{}>'", author.name, author.email));
    }
    SignaturePtr signature(raw_signature);
    git_oid commit_oid;
    const git_commit* parents[] = {parent_commit.get()};
    if (git_commit_create(&commit_oid, repository, nullptr, signature.get(), signature.get(), "UTF-8", message.c_str(),
                          new_tree.get(), 1, parents) != 0) {
        return libgit2_failure("creating the commit");
    }
    return oid_text(commit_oid);
}

Result<PushOutcome> ConfigCheckout::push(const std::string& commit, const std::string& branch,
                                         const std::optional<std::string>& expected) {
    git_repository* repository = m_state->repository.get();
    git_remote* remote = m_state->remote.get();
    Result<git_oid> oid = parse_oid(commit);
    if (!oid) {
        return oid.error();
    }
    if (expected) {
        // The lease: the branch must still hold what pipe saw, else someone else wrote to it.
        CallbackPayload payload{&m_state->auth, m_state->ssh_port, 0, {}};
        git_remote_callbacks callbacks = callbacks_for(payload);
        if (git_remote_connect(remote, GIT_DIRECTION_FETCH, &callbacks, nullptr, nullptr) != 0) {
            return libgit2_failure(fmt::format("connecting to {}", m_state->display));
        }
        const git_remote_head** heads = nullptr;
        std::size_t count = 0;
        if (git_remote_ls(&heads, &count, remote) != 0) {
            git_remote_disconnect(remote);
            return libgit2_failure(fmt::format("listing the branches of {}", m_state->display));
        }
        std::string current;
        const std::string name = "refs/heads/" + branch;
        for (std::size_t i = 0; i < count; ++i) {
            if (name == heads[i]->name) {
                current = oid_text(heads[i]->oid);
            }
        }
        git_remote_disconnect(remote);
        if (current != *expected) {
            return PushOutcome::rejected;
        }
    }
    git_reference* raw_ref = nullptr;
    if (git_reference_create(&raw_ref, repository, "refs/heads/pipe-push", &*oid, 1, "pipe push") != 0) {
        return libgit2_failure("preparing the push");
    }
    ReferencePtr local(raw_ref);
    std::string spec = fmt::format("{}refs/heads/pipe-push:refs/heads/{}", expected ? "+" : "", branch);
    char* raw_spec = spec.data();
    git_strarray refspecs{&raw_spec, 1};
    CallbackPayload payload{&m_state->auth, m_state->ssh_port, 0, {}};
    git_push_options options;
    git_push_options_init(&options, GIT_PUSH_OPTIONS_VERSION);
    options.callbacks = callbacks_for(payload);
    const int pushed = git_remote_push(remote, &refspecs, &options);
    if (pushed == GIT_ENONFASTFORWARD || !payload.rejection.empty()) {
        return PushOutcome::rejected;
    }
    if (pushed != 0) {
        const std::string message = last_error_message();
        if (message.find("non-fast") != std::string::npos || message.find("fetch first") != std::string::npos ||
            message.find("not fast-forward") != std::string::npos) {
            return PushOutcome::rejected;
        }
        return runtime_error(fmt::format("pushing {} to {}: {}", branch, m_state->display, message),
                             "check that the credentials may push to that repository");
    }
    return PushOutcome::pushed;
}

Result<bool> ConfigCheckout::landed(const std::string& commit, const std::string& branch) {
    CallbackPayload payload{&m_state->auth, m_state->ssh_port, 0, {}};
    git_fetch_options options;
    git_fetch_options_init(&options, GIT_FETCH_OPTIONS_VERSION);
    options.callbacks = callbacks_for(payload);
    options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
    std::string spec = fmt::format("+refs/heads/{0}:refs/remotes/origin/{0}", branch);
    char* raw = spec.data();
    git_strarray refspecs{&raw, 1};
    if (git_remote_fetch(m_state->remote.get(), &refspecs, &options, nullptr) != 0) {
        return libgit2_failure(fmt::format("fetching branch {} of {} again", branch, m_state->display));
    }
    const std::optional<std::string> now = tip(branch);
    if (!now) {
        return false;
    }
    if (*now == commit) {
        return true;
    }
    Result<git_oid> ours = parse_oid(commit);
    Result<git_oid> theirs = parse_oid(*now);
    if (!ours || !theirs) {
        return false;
    }
    return git_graph_descendant_of(m_state->repository.get(), &*theirs, &*ours) == 1;
}

}  // namespace pipeline::git
