#!/usr/bin/env bash
# Self-check for tests/fakes/fake-github: a bare repo with one commit, the fake started on
# loopback, then curl through contents GET/PUT (a real commit must land), refs, pulls (a duplicate
# must get 422), a configured 503 fault, a stale sha (409), auth and header checks. Exits non-zero
# on the first mismatch; the server is stopped (stdin closed) at the end either way.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fake="$here/fake-github"
work="$(mktemp -d "${TMPDIR:-/tmp}/fake-github-selftest.XXXXXX")"
fake_pid=""

cleanup() {
    if [[ -n "$fake_pid" ]]; then
        exec {FAKE[1]}>&- 2>/dev/null || true
        wait "$fake_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

failures=0
pass() { printf 'ok   %s\n' "$1"; }
die() {
    printf 'FAIL %s\n' "$1" >&2
    [[ -f "$work/stderr" ]] && sed 's/^/  fake stderr: /' "$work/stderr" >&2
    exit 1
}

export GIT_AUTHOR_NAME=selftest GIT_AUTHOR_EMAIL=selftest@example.invalid
export GIT_COMMITTER_NAME=selftest GIT_COMMITTER_EMAIL=selftest@example.invalid
unset GIT_DIR GIT_INDEX_FILE GIT_WORK_TREE

# --- the repository: acme/app.git with values.yaml on main
mkdir -p "$work/root/acme" "$work/seed"
git init -q --bare -b main "$work/root/acme/app.git"
git -C "$work/seed" init -q -b main
printf 'image:\n  tag: v1\n' >"$work/seed/values.yaml"
git -C "$work/seed" add values.yaml
git -C "$work/seed" commit -q -m "seed"
git -C "$work/seed" push -q "$work/root/acme/app.git" main
gitdir="$work/root/acme/app.git"
seed_sha="$(git --git-dir "$gitdir" rev-parse main)"

# --- start the fake; it prints its port and lives until its stdin closes
coproc FAKE { exec "$fake" --root "$work/root" --token sekrit --read-only-token reader 2>"$work/stderr"; }
fake_pid=$FAKE_PID
read -r -t 10 port <&"${FAKE[0]}" || die "fake-github printed no port"
[[ "$port" =~ ^[0-9]+$ ]] || die "port line is not a number: $port"
base="http://127.0.0.1:$port"
pass "started on port $port"

# call METHOD PATH [JSON] [extra curl args...]: the body into $work/out, the status in $status
call() {
    local method="$1" path="$2" data="${3:-}"
    shift 3 || shift $#
    local args=(-sS -o "$work/out" -w '%{http_code}' -X "$method"
        -H "Accept: application/vnd.github+json" -H "X-GitHub-Api-Version: 2022-11-28"
        -H "User-Agent: fake-github-selftest" -H "Authorization: Bearer ${token:-sekrit}")
    [[ -n "$data" ]] && args+=(-H "Content-Type: application/json" --data "$data")
    status="$(curl "${args[@]}" "$@" "$base$path")"
}
# json EXPR: evaluates a python expression over the last body (bound to j)
json() { /usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$work/out" "$1"; }
expect() { # expect STATUS what
    [[ "$status" == "$1" ]] || die "$2: status $status, wanted $1; body: $(head -c 400 "$work/out")"
}
same() { # same ACTUAL WANTED what
    [[ "$1" == "$2" ]] || die "$3: got '$1', wanted '$2'"
}

# --- repository
call GET /repos/acme/app
expect 200 "GET repo"
same "$(json 'j["default_branch"], j["full_name"], j["permissions"]["push"]')" "('main', 'acme/app', True)" "repo view"
pass "GET /repos/acme/app -> default_branch main"

# --- header and auth checks
status="$(curl -sS -o "$work/out" -w '%{http_code}' -H "User-Agent: x" -H "Authorization: Bearer sekrit" \
    -H "X-GitHub-Api-Version: 2022-11-28" "$base/repos/acme/app")"
expect 400 "missing Accept"
token=wrong call GET /repos/acme/app
expect 401 "wrong token"
same "$(json 'j["message"]')" "Bad credentials" "401 message"
call GET /repos/acme/nope
expect 404 "unknown repo"
pass "400 without Accept, 401 on a wrong token, 404 on an unknown repo"

# --- contents GET
call GET "/repos/acme/app/contents/values.yaml?ref=main"
expect 200 "GET contents"
blob_sha="$(json 'j["sha"]')"
same "$blob_sha" "$(git --git-dir "$gitdir" rev-parse main:values.yaml)" "contents sha is the blob sha"
same "$(json '__import__("base64").b64decode(j["content"]).decode()')" "$(printf 'image:\n  tag: v1')" "contents decode"
same "$(json 'j["type"], j["encoding"], j["path"], j["name"], j["size"]')" "('file', 'base64', 'values.yaml', 'values.yaml', 17)" "contents shape"
call GET "/repos/acme/app/contents/missing.yaml?ref=main"
expect 404 "missing file"
pass "GET contents returns the blob sha and base64 content; 404 for a missing file"

# --- contents PUT: a real commit
new_content="$(printf 'image:\n  tag: v2\n' | base64 -w0)"
call PUT /repos/acme/app/contents/values.yaml \
    "{\"message\":\"deploy v2\",\"content\":\"$new_content\",\"sha\":\"$blob_sha\",\"branch\":\"main\",\"committer\":{\"name\":\"pipe\",\"email\":\"pipe@example.invalid\"}}"
expect 200 "PUT contents"
commit_sha="$(json 'j["commit"]["sha"]')"
same "$(git --git-dir "$gitdir" rev-parse main)" "$commit_sha" "main moved to the new commit"
same "$(git --git-dir "$gitdir" log -1 --format='%s|%an|%P' main)" "deploy v2|pipe|$seed_sha" "git log of the new commit"
same "$(git --git-dir "$gitdir" show main:values.yaml)" "$(printf 'image:\n  tag: v2')" "file content in git"
same "$(json 'j["content"]["sha"]')" "$(git --git-dir "$gitdir" rev-parse main:values.yaml)" "PUT content.sha"
git --git-dir "$gitdir" fsck --no-progress >/dev/null 2>&1 || die "git fsck failed after the PUT"
pass "PUT contents made commit ${commit_sha:0:12} on main (git log: $(git --git-dir "$gitdir" log --oneline main | tr '\n' ';'))"

# --- stale sha -> 409, missing sha -> 422
call PUT /repos/acme/app/contents/values.yaml "{\"message\":\"stale\",\"content\":\"$new_content\",\"sha\":\"$blob_sha\",\"branch\":\"main\"}"
expect 409 "stale sha"
same "$(json 'j["message"]')" "values.yaml does not match $blob_sha" "409 message"
same "$(git --git-dir "$gitdir" rev-parse main)" "$commit_sha" "main did not move on 409"
stale_message="$(json 'j["message"]')"
call PUT /repos/acme/app/contents/values.yaml "{\"message\":\"no sha\",\"content\":\"$new_content\",\"branch\":\"main\"}"
expect 422 "missing sha"
pass "stale sha -> 409 '$stale_message'; missing sha -> 422"

# --- refs: branch creation, duplicate, read back
call POST /repos/acme/app/git/refs "{\"ref\":\"refs/heads/pipe/deploy\",\"sha\":\"$commit_sha\"}"
expect 201 "create ref"
call POST /repos/acme/app/git/refs "{\"ref\":\"refs/heads/pipe/deploy\",\"sha\":\"$commit_sha\"}"
expect 422 "duplicate ref"
same "$(json 'j["message"]')" "Reference already exists" "duplicate ref message"
call GET /repos/acme/app/git/ref/heads/pipe/deploy
expect 200 "get ref"
same "$(json 'j["ref"], j["object"]["sha"], j["object"]["type"]')" "('refs/heads/pipe/deploy', '$commit_sha', 'commit')" "ref view"
pass "POST git/refs -> 201, again -> 422, GET git/ref/heads/pipe/deploy"

# --- a PR with no commits ahead -> 422
call POST /repos/acme/app/pulls '{"title":"deploy","head":"pipe/deploy","base":"main"}'
expect 422 "PR without commits"
same "$(json 'j["errors"][0]["message"]')" "No commits between main and pipe/deploy" "no-commits message"

# --- a multi-file commit through the git data API on the branch
call POST /repos/acme/app/git/blobs '{"content":"replicas: 3\n","encoding":"utf-8"}'
expect 201 "create blob"
new_blob="$(json 'j["sha"]')"
call GET "/repos/acme/app/git/commits/$commit_sha"
expect 200 "get commit"
base_tree="$(json 'j["tree"]["sha"]')"
call POST /repos/acme/app/git/trees "{\"base_tree\":\"$base_tree\",\"tree\":[{\"path\":\"env/prod.yaml\",\"mode\":\"100644\",\"type\":\"blob\",\"sha\":\"$new_blob\"},{\"path\":\"README\",\"mode\":\"100644\",\"type\":\"blob\",\"content\":\"hello\n\"}]}"
expect 201 "create tree"
tree="$(json 'j["sha"]')"
call POST /repos/acme/app/git/commits "{\"message\":\"two files\",\"tree\":\"$tree\",\"parents\":[\"$commit_sha\"]}"
expect 201 "create commit"
two_sha="$(json 'j["sha"]')"
call PATCH /repos/acme/app/git/refs/heads/pipe/deploy "{\"sha\":\"$two_sha\",\"force\":false}"
expect 200 "fast-forward ref"
call PATCH /repos/acme/app/git/refs/heads/pipe/deploy "{\"sha\":\"$seed_sha\"}"
expect 422 "non-fast-forward"
same "$(json 'j["message"]')" "Update is not a fast forward" "non-ff message"
same "$(git --git-dir "$gitdir" show pipe/deploy:env/prod.yaml)" "replicas: 3" "file from the git data API"
same "$(git --git-dir "$gitdir" ls-tree --name-only pipe/deploy | tr '\n' ' ')" "README env values.yaml " "tree keeps the base"
pass "blobs/trees/commits + PATCH ref: ${two_sha:0:12} on pipe/deploy; non-fast-forward -> 422"

# --- pulls
call POST /repos/acme/app/pulls '{"title":"Deploy v2","head":"acme:pipe/deploy","base":"main","body":"by pipe","draft":false}'
expect 201 "create PR"
same "$(json 'j["number"], j["html_url"], j["state"], j["head"]["ref"], j["head"]["sha"], j["base"]["ref"], j["draft"]')" \
    "(1, 'https://github.com/acme/app/pull/1', 'open', 'pipe/deploy', '$two_sha', 'main', False)" "PR view"
pr_node="$(json 'j["node_id"]')"
call POST /repos/acme/app/pulls '{"title":"Deploy v2 again","head":"pipe/deploy","base":"main"}'
expect 422 "duplicate PR"
same "$(json 'j["message"], j["errors"][0]["message"]')" "('Validation Failed', 'A pull request already exists for acme:pipe/deploy.')" "duplicate PR body"
call GET "/repos/acme/app/pulls?state=open&head=acme:pipe/deploy&base=main"
expect 200 "list PRs"
same "$(json '[p["number"] for p in j]')" "[1]" "filtered list"
call GET "/repos/acme/app/pulls?state=open&head=acme:other"
same "$(json 'len(j)')" "0" "list filtered by another head"
call POST /repos/acme/app/issues/1/comments '{"body":"deployed"}'
expect 201 "comment"
call POST /repos/acme/app/issues/1/labels '{"labels":["deploy","automated"]}'
expect 200 "labels"
same "$(json '[l["name"] for l in j]')" "['deploy', 'automated']" "labels"
call POST /repos/acme/app/pulls/1/requested_reviewers '{"reviewers":["alice"]}'
expect 201 "reviewers"
curl -sS -o "$work/out" -w '%{http_code}' -H "User-Agent: selftest" -H "Authorization: bearer sekrit" \
    -H "Content-Type: application/json" --data "{\"query\":\"mutation(\$id: ID!) { enablePullRequestAutoMerge(input: {pullRequestId: \$id, mergeMethod: SQUASH}) { clientMutationId } }\",\"variables\":{\"id\":\"$pr_node\"}}" \
    "$base/graphql" >"$work/status"
status="$(cat "$work/status")"
expect 200 "graphql"
same "$(json 'j["data"]["enablePullRequestAutoMerge"]["pullRequest"]["number"]')" "1" "auto-merge answer"
pass "PR #1 opened, duplicate -> 422 'A pull request already exists for acme:pipe/deploy.', comment, labels, reviewers, auto-merge"

# --- read-only token
token=reader call POST /repos/acme/app/issues/1/comments '{"body":"nope"}'
expect 403 "read-only write"
same "$(json 'j["message"]')" "Resource not accessible by integration" "read-only message"
pass "read-only token -> 403 on a write"

# --- faults: one 503 with Retry-After on the next contents PUT, then normal service
curl -sS -o "$work/out" -X POST -H "Content-Type: application/json" \
    --data '[{"method":"PUT","path_regex":"/contents/","status":503,"headers":{"Retry-After":"1"},"times":1}]' \
    "$base/_fake/faults"
call GET /repos/acme/app/contents/values.yaml
expect 200 "GET unaffected by a PUT fault"
cur_sha="$(json 'j["sha"]')"
payload="{\"message\":\"deploy v3\",\"content\":\"$(printf 'image:\n  tag: v3\n' | base64 -w0)\",\"sha\":\"$cur_sha\"}"
call PUT /repos/acme/app/contents/values.yaml "$payload" -D "$work/headers"
expect 503 "configured fault"
grep -qi '^Retry-After: 1' "$work/headers" || die "fault header Retry-After missing"
same "$(git --git-dir "$gitdir" rev-parse main)" "$commit_sha" "a faulted PUT changes nothing"
call PUT /repos/acme/app/contents/values.yaml "$payload"
expect 200 "PUT after the fault is used up"
same "$(git --git-dir "$gitdir" log -1 --format=%s main)" "deploy v3" "commit after the fault"
pass "configured 503 (Retry-After: 1) answered once, then the PUT landed"

# --- the state and the request log
curl -sS -o "$work/out" "$base/_fake/state"
same "$(json '[(p["number"], p["comments"], p["labels"], p["requested_reviewers"], p["auto_merge"]["merge_method"]) for p in j["pulls"]]')" \
    "[(1, ['deployed'], ['deploy', 'automated'], ['alice'], 'squash')]" "/_fake/state"
grep -q sekrit "$work/root/requests.jsonl" && die "a token value reached requests.jsonl"
same "$(/usr/bin/python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; print(len(r), r[0]["headers"]["Authorization"], sum(1 for x in r if x["fault"] is not None))' "$work/root/requests.jsonl")" \
    "31 Bearer 1" "requests.jsonl (count, auth scheme, faulted)"
pass "/_fake/state and requests.jsonl ($(wc -l <"$work/root/requests.jsonl") lines, no token values)"

# --- smart HTTP over the same repository, and the GitHub Enterprise Server layout
git_url="http://127.0.0.1:$port/acme/app.git"
git -c credential.helper= ls-remote "$git_url" >/dev/null 2>&1 && die "git without a token was served"
same "$(git -c credential.helper= ls-remote "http://x-access-token:sekrit@127.0.0.1:$port/acme/app.git" main | cut -f1)" \
    "$(git --git-dir "$gitdir" rev-parse main)" "ls-remote with the token as Basic password"
git -C "$work/seed" fetch -q "http://x:sekrit@127.0.0.1:$port/acme/app.git" main
git -C "$work/seed" checkout -q FETCH_HEAD
git -C "$work/seed" commit -q --allow-empty -m "pushed over http"
git -C "$work/seed" push -q "http://x:reader@127.0.0.1:$port/acme/app.git" HEAD:refs/heads/smart 2>/dev/null &&
    die "a read-only token pushed"
git -C "$work/seed" -c http.extraHeader="Authorization: Bearer sekrit" push -q "$git_url" HEAD:refs/heads/smart
same "$(git --git-dir "$gitdir" log -1 --format=%s smart)" "pushed over http" "push with a Bearer token"
call GET /api/v3/repos/acme/app/branches/smart
expect 200 "GET under /api/v3"
pass "smart HTTP (401 without a token, Basic and Bearer, read-only refused) and /api/v3"

# --- stop: close stdin, the server must exit
exec {FAKE[1]}>&-
for _ in $(seq 50); do kill -0 "$fake_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$fake_pid" 2>/dev/null && die "fake-github still running after stdin closed"
wait "$fake_pid" 2>/dev/null || true
fake_pid=""
pass "stopped when stdin closed"
echo "fake-github selftest: all checks passed"
