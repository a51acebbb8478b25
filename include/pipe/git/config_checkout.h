// A GitOps config repository as `pipe bump` needs it in git mode: one branch fetched into a
// private bare repository (no work tree, so the repository's size costs only the fetch), files
// read from that commit, a new commit written straight into the object database, and a push
// that never overwrites someone else's work: a branch pipe does not own is only fast-forwarded,
// and pipe's own bump branch is replaced only while it still holds what pipe last saw.
#pragma once

#include <pipe/core/result.h>
#include <pipe/core/secret.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace pipeline::git {

// How to authenticate to the remote: a token for http(s) (sent as the password of `username`),
// else ssh keys from the agent or key_file, with the server's host key checked against
// known_hosts; file:// and git:// need nothing.
struct RemoteAuth {
    Secret token;
    std::string username = "x-access-token";
    std::string token_source;            // the variable the token came from, for messages
    std::filesystem::path ssh_key_file;  // private key for ssh; empty: the ssh agent
    std::filesystem::path known_hosts;   // OpenSSH known_hosts holding the ssh server's key
};

// The committer and author of pipe's commits.
struct Signature {
    std::string name;
    std::string email;
};

// What a push did.
enum class PushOutcome {
    pushed,
    rejected,  // the remote branch moved (not a fast-forward, or the lease no longer holds)
};

// One branch of a remote, fetched. Movable, not copyable.
class ConfigCheckout {
public:
    ~ConfigCheckout();
    ConfigCheckout(ConfigCheckout&&) noexcept;
    ConfigCheckout& operator=(ConfigCheckout&&) noexcept;
    ConfigCheckout(const ConfigCheckout&) = delete;
    ConfigCheckout& operator=(const ConfigCheckout&) = delete;

    // Fetches branch of url (the remote's default branch when empty; and, when other_branch is
    // given and exists, that one too) into a new bare repository at directory. A missing branch or repository, or
    // refused credentials, is a runtime error naming the remote without credentials.
    static Result<ConfigCheckout> fetch(const std::string& url, const std::string& branch,
                                        const std::filesystem::path& directory, const RemoteAuth& auth,
                                        const std::string& other_branch = {});

    // The branch fetched as the base (the remote's default branch when none was named).
    const std::string& base() const;

    // The fetched commit of branch (or of other_branch), or nullopt when it was not fetched.
    std::optional<std::string> tip(const std::string& branch) const;

    // The content of path in commit, or nullopt when the file does not exist there.
    Result<std::optional<std::string>> read_file(const std::string& commit, const std::string& path) const;

    // A new commit on top of parent with files (path -> content) replaced; returns its sha.
    Result<std::string> commit(const std::string& parent, const std::map<std::string, std::string>& files,
                               const std::string& message, const Signature& author);

    // Pushes commit to the remote branch. Without expected, only a fast-forward is accepted;
    // with expected (the sha the branch held when fetched, or "" for a branch that did not
    // exist), the branch is replaced only if the remote still holds exactly that.
    Result<PushOutcome> push(const std::string& commit, const std::string& branch,
                             const std::optional<std::string>& expected);

    // Fetches branch again and says whether it still contains commit (is it or descends from
    // it). After a push this catches transports that update refs without a compare-and-swap
    // (libgit2's file:// transport), where a concurrent push can silently replace pipe's.
    Result<bool> landed(const std::string& commit, const std::string& branch);

private:
    struct State;
    explicit ConfigCheckout(std::unique_ptr<State> state);
    std::unique_ptr<State> m_state;
};

}  // namespace pipeline::git
