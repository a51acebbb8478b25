#include <pipe/git/repository_state.h>

#include "libgit2_handles.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>

namespace pipeline::git {
namespace {

Result<RepositoryPtr> open_repository(const std::filesystem::path& start) {
    ensure_initialised();
    git_repository* raw = nullptr;
    int rc = git_repository_open_ext(&raw, start.c_str(), 0, nullptr);
    if (rc == GIT_ENOTFOUND) {
        return usage_error(fmt::format("not a git repository: {}", start.string()),
                           "run pipe inside a git checkout, or point at one with -C DIR");
    }
    if (rc != 0) {
        return runtime_error(
            fmt::format("cannot open the git repository at {}: {}", start.string(), last_error_message()),
            "if the checkout belongs to another user, fix its ownership or run as that user");
    }
    RepositoryPtr repo(raw);
    if (git_repository_is_bare(repo.get()) == 1) {
        return usage_error(fmt::format("{} is a bare repository", start.string()),
                           "run pipe in a checkout with a work tree");
    }
    return repo;
}

std::optional<git_oid> peel_to_commit(git_repository* repo, const git_oid& oid) {
    git_object* raw = nullptr;
    if (git_object_lookup(&raw, repo, &oid, GIT_OBJECT_ANY) != 0) {
        return std::nullopt;
    }
    ObjectPtr object(raw);
    if (git_object_type(object.get()) == GIT_OBJECT_COMMIT) {
        return oid;
    }
    git_object* peeled = nullptr;
    if (git_object_peel(&peeled, object.get(), GIT_OBJECT_COMMIT) != 0) {
        return std::nullopt;
    }
    ObjectPtr owner(peeled);
    return *git_object_id(owner.get());
}

// The type of an object from its header alone (no inflating), GIT_OBJECT_INVALID if unreadable.
git_object_t object_type(const OdbPtr& odb, const git_oid& oid) {
    std::size_t size = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    if (git_odb_read_header(&size, &type, odb.get(), &oid) != 0) {
        return GIT_OBJECT_INVALID;
    }
    return type;
}

// Names of the tags whose commit is head. Packed refs carry the peeled target of annotated tags,
// so most tags are decided without reading any object; only loose annotated tags are read.
Result<std::vector<std::string>> tags_pointing_at(git_repository* repo, const git_oid& head) {
    git_reference_iterator* raw = nullptr;
    if (git_reference_iterator_glob_new(&raw, repo, "refs/tags/*") != 0) {
        return libgit2_failure("cannot list tags");
    }
    ReferenceIteratorPtr iterator(raw);
    git_odb* odb_raw = nullptr;
    if (git_repository_odb(&odb_raw, repo) != 0) {
        return libgit2_failure("cannot open the object database");
    }
    OdbPtr odb(odb_raw);
    std::vector<std::string> names;
    git_reference* ref_raw = nullptr;
    while (git_reference_next(&ref_raw, iterator.get()) == 0) {
        ReferencePtr ref(ref_raw);
        const git_oid* target = git_reference_target(ref.get());
        if (target == nullptr) {
            continue;
        }
        const git_oid* peeled = git_reference_target_peel(ref.get());
        bool at_head = git_oid_equal(target, &head) == 1 || (peeled != nullptr && git_oid_equal(peeled, &head) == 1);
        if (!at_head && peeled == nullptr && object_type(odb, *target) == GIT_OBJECT_TAG) {
            std::optional<git_oid> commit = peel_to_commit(repo, *target);
            at_head = commit && git_oid_equal(&*commit, &head) == 1;
        }
        if (at_head) {
            names.emplace_back(
                std::string_view(git_reference_name(ref.get())).substr(std::string_view("refs/tags/").size()));
        }
    }
    return names;
}

int note_dirty(const char*, unsigned int, void* payload) {
    *static_cast<bool*>(payload) = true;
    return 1;  // stop at the first change
}

bool is_dirty(git_repository* repo) {
    git_status_options options{};
    git_status_options_init(&options, GIT_STATUS_OPTIONS_VERSION);
    options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
    bool dirty = false;
    git_status_foreach_ext(repo, &options, note_dirty, &dirty);
    return dirty;
}

std::string default_branch(git_repository* repo) {
    git_reference* raw = nullptr;
    if (git_reference_lookup(&raw, repo, "refs/remotes/origin/HEAD") == 0) {
        ReferencePtr ref(raw);
        if (git_reference_type(ref.get()) == GIT_REFERENCE_SYMBOLIC) {
            std::string target = git_reference_symbolic_target(ref.get());
            const std::string prefix = "refs/remotes/origin/";
            if (target.rfind(prefix, 0) == 0) {
                return target.substr(prefix.size());
            }
        }
    }
    for (const char* candidate : {"main", "master"}) {
        git_reference* branch = nullptr;
        if (git_branch_lookup(&branch, repo, candidate, GIT_BRANCH_LOCAL) == 0) {
            git_reference_free(branch);
            return candidate;
        }
    }
    return {};
}

std::string origin_url(git_repository* repo) {
    git_remote* raw = nullptr;
    if (git_remote_lookup(&raw, repo, "origin") != 0) {
        return {};
    }
    RemotePtr remote(raw);
    const char* url = git_remote_url(remote.get());
    return url == nullptr ? std::string() : strip_credentials(url);
}

struct BranchCandidate {
    std::string ref;
    bool at_head = false;
    git_time_t tip_time = 0;
};

// Finds a branch for a detached HEAD: pointing at HEAD beats containing it; local beats
// remote; among equals the most recently committed tip wins.
std::string branch_for_detached(git_repository* repo, const git_oid& head) {
    std::optional<BranchCandidate> best;
    for (git_branch_t kind : {GIT_BRANCH_LOCAL, GIT_BRANCH_REMOTE}) {
        git_branch_iterator* raw = nullptr;
        if (git_branch_iterator_new(&raw, repo, kind) != 0) {
            continue;
        }
        BranchIteratorPtr iterator(raw);
        git_reference* ref_raw = nullptr;
        git_branch_t type = GIT_BRANCH_LOCAL;
        while (git_branch_next(&ref_raw, &type, iterator.get()) == 0) {
            ReferencePtr ref(ref_raw);
            if (git_reference_type(ref.get()) != GIT_REFERENCE_DIRECT) {
                continue;  // origin/HEAD
            }
            const git_oid* tip = git_reference_target(ref.get());
            bool at_head = git_oid_equal(tip, &head) == 1;
            if (!at_head && git_graph_descendant_of(repo, tip, &head) != 1) {
                continue;
            }
            git_commit* commit_raw = nullptr;
            if (git_commit_lookup(&commit_raw, repo, tip) != 0) {
                continue;
            }
            CommitPtr commit(commit_raw);
            std::string name = git_reference_shorthand(ref.get());
            if (kind == GIT_BRANCH_REMOTE) {
                std::size_t slash = name.find('/');
                name = slash == std::string::npos ? name : name.substr(slash + 1);
            }
            BranchCandidate candidate{"refs/heads/" + name, at_head, git_commit_time(commit.get())};
            bool better = !best || (candidate.at_head && !best->at_head) ||
                          (candidate.at_head == best->at_head && candidate.tip_time > best->tip_time);
            if (better) {
                best = candidate;
            }
        }
        if (best && best->at_head) {
            break;
        }
    }
    return best ? best->ref : std::string();
}

// Splits a tag name into alternating text and number chunks for version ordering.
std::vector<std::pair<std::string, unsigned long long>> version_chunks(const std::string& text) {
    std::vector<std::pair<std::string, unsigned long long>> chunks;
    std::size_t i = 0;
    while (i < text.size()) {
        std::string word;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) == 0) {
            word += text[i++];
        }
        unsigned long long number = 0;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) {
            number = number * 10 + static_cast<unsigned long long>(text[i++] - '0');
        }
        chunks.emplace_back(word, number);
    }
    return chunks;
}

}  // namespace

std::string strip_credentials(const std::string& url) {
    std::size_t scheme = url.find("://");
    if (scheme == std::string::npos) {
        return url;
    }
    std::size_t host_start = scheme + 3;
    std::size_t path_start = url.find('/', host_start);
    std::size_t at = url.rfind('@', path_start == std::string::npos ? url.size() : path_start);
    if (at == std::string::npos || at < host_start) {
        return url;
    }
    return url.substr(0, host_start) + url.substr(at + 1);
}

bool version_greater(const std::string& a, const std::string& b) {
    auto left = version_chunks(a);
    auto right = version_chunks(b);
    if (left != right) {
        for (std::size_t i = 0; i < std::min(left.size(), right.size()); ++i) {
            if (left[i].first != right[i].first) {
                return left[i].first > right[i].first;
            }
            if (left[i].second != right[i].second) {
                return left[i].second > right[i].second;
            }
        }
        // One is a prefix of the other: a '-' suffix is a pre-release (lower), anything else higher.
        const auto& longer = left.size() > right.size() ? left : right;
        bool suffix_is_prerelease = longer[std::min(left.size(), right.size())].first.rfind('-', 0) == 0;
        return (left.size() > right.size()) != suffix_is_prerelease;
    }
    return a > b;
}

Result<std::filesystem::path> find_root(const std::filesystem::path& start) {
    Result<RepositoryPtr> repo = open_repository(start);
    if (!repo) {
        return repo.error();
    }
    const char* workdir = git_repository_workdir(repo->get());
    return std::filesystem::path(workdir).lexically_normal().parent_path();
}

Result<std::string> read_origin_url(const std::filesystem::path& start) {
    Result<RepositoryPtr> repo = open_repository(start);
    if (!repo) {
        return repo.error();
    }
    return origin_url(repo->get());
}

Result<RepositoryState> read_state(const std::filesystem::path& start) {
    Result<RepositoryPtr> opened = open_repository(start);
    if (!opened) {
        return opened.error();
    }
    git_repository* repo = opened->get();
    RepositoryState state;
    state.root = std::filesystem::path(git_repository_workdir(repo)).lexically_normal().parent_path();
    if (git_repository_head_unborn(repo) == 1) {
        return usage_error(fmt::format("the repository at {} has no commits yet", state.root.string()),
                           "commit something first: pipe derives tags from HEAD");
    }
    git_reference* head_raw = nullptr;
    if (git_repository_head(&head_raw, repo) != 0) {
        return libgit2_failure("cannot read HEAD");
    }
    ReferencePtr head(head_raw);
    git_object* commit_raw = nullptr;
    if (git_reference_peel(&commit_raw, head.get(), GIT_OBJECT_COMMIT) != 0) {
        return libgit2_failure("cannot resolve HEAD to a commit");
    }
    ObjectPtr commit_object(commit_raw);
    const git_oid head_oid = *git_object_id(commit_object.get());
    char hex[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(hex, sizeof(hex), &head_oid);
    state.sha = hex;
    const auto* commit = reinterpret_cast<const git_commit*>(commit_object.get());
    state.commit_time = std::chrono::system_clock::time_point(std::chrono::seconds(git_commit_time(commit)));

    Result<std::vector<std::string>> tags = tags_pointing_at(repo, head_oid);
    if (!tags) {
        return tags.error();
    }
    state.tags_at_head = std::move(*tags);
    std::sort(state.tags_at_head.begin(), state.tags_at_head.end(), version_greater);

    state.detached = git_repository_head_detached(repo) == 1;
    if (!state.detached) {
        state.ref = git_reference_name(head.get());
    } else if (!state.tags_at_head.empty()) {
        state.ref = "refs/tags/" + state.tags_at_head.front();
    } else {
        state.ref = branch_for_detached(repo, head_oid);
    }
    state.dirty = is_dirty(repo);
    state.remote_url = origin_url(repo);
    state.default_branch = default_branch(repo);
    return state;
}

}  // namespace pipeline::git
