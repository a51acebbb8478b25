// fake-buildah for unit tests: a Runner that answers from a RecordingRunner script and, as
// buildah does, writes a scripted image id to the --iidfile of a successful build command.
// Anything unscripted fails loudly (the RecordingRunner's error names the command).
#pragma once

#include <pipe/proc/recording_runner.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace pipeline::testing {

// A process that exited with code, having printed out and err.
inline proc::ProcessResult exited(int code, std::string out = {}, std::string err = {}) {
    proc::ProcessResult result;
    result.status = proc::ExitStatus::exited(code);
    result.out = std::move(out);
    result.err = std::move(err);
    return result;
}

// Scripted buildah: expect() commands like RecordingRunner; builds write image_id to --iidfile.
class FakeBuildahRunner final : public proc::Runner {
public:
    explicit FakeBuildahRunner(std::string image_id = "sha256:" + std::string(64, 'a'))
        : m_image_id(std::move(image_id)) {}

    // Queues the answer for the next command, which must have exactly this argv.
    void expect(std::vector<std::string> argv, Result<proc::ProcessResult> answer) {
        m_script.expect(std::move(argv), std::move(answer));
    }

    Result<proc::ProcessResult> run(const proc::Command& command) override {
        Result<proc::ProcessResult> answer = m_script.run(command);
        if (!answer || !answer->status.success()) {
            return answer;
        }
        const std::vector<std::string>& argv = command.argv;
        auto iidfile = std::find(argv.begin(), argv.end(), "--iidfile");
        if (std::find(argv.begin(), argv.end(), "build") != argv.end() && iidfile != argv.end() &&
            iidfile + 1 != argv.end()) {
            std::ofstream(*(iidfile + 1), std::ios::binary) << m_image_id;
        }
        return answer;
    }

    const std::vector<proc::Command>& commands() const { return m_script.commands(); }
    std::size_t unanswered() const { return m_script.unanswered(); }

private:
    proc::RecordingRunner m_script;
    std::string m_image_id;
};

}  // namespace pipeline::testing
