// Ctrl-C and `pipe bump` in git mode: a server that accepts the connection and then says
// nothing keeps libgit2 in a read that the first signal cannot cut short; the second
// ends pipe at once, by the signal (a shell sees 128 + the signal). SIGTERM stands in for
// Ctrl-C here: a background job of a non-interactive shell starts with SIGINT ignored.
#include "git_fixture.h"
#include "pipe_binary.h"
#include "run_command.h"
#include "temp_dir.h"

#include <catch2/catch.hpp>

#include <string>

using pipeline::testing::TempDir;

TEST_CASE("a second SIGTERM or Ctrl-C ends a git-mode bump stuck on a silent server",
          "[integration][bump][interrupt]") {
    TempDir dir;
    const auto repo = pipeline::testing::service_repository(dir.path() / "app", {{"README.md", "app\n"}});
    const std::string script = std::string(R"SH(set -u
python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True)
connection = s.accept(); time.sleep(30)' > port &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s port ] && break; sleep 0.05; done
printf 'image: ghcr.io/acme/api\nbump:\n  url: git://127.0.0.1:%s/config.git\n  file: values.yaml\n  key: image.tag\n' "$(cat port)" > app/pipe.yaml
git -C app add pipe.yaml && git -C app -c user.name=t -c user.email=t@t commit -qm bump
")SH") + pipeline::testing::pipe_binary() +
                               R"SH(" -C app bump --direct --value sha-x 2>err &
pipe=$!
sleep 1; kill -TERM $pipe; sleep 1.5
kill -0 $pipe 2>/dev/null && echo "still running after the first SIGTERM"
started=$(date +%s%N); kill -TERM $pipe; wait $pipe; status=$?
echo "status $status after $(( ($(date +%s%N) - started) / 1000000 )) ms"
)SH";
    auto run = pipeline::testing::run_command({"bash", "-c", script}, dir.path(), "install bash, python3 and git");
    INFO(run.out << run.err << pipeline::testing::read_file(dir.path() / "err"));
    const std::size_t at = run.out.find("status 143 after ");
    REQUIRE(at != std::string::npos);
    CHECK(std::stoi(run.out.substr(at + 17)) < 2000);
}
