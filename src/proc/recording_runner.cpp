#include <pipe/proc/recording_runner.h>

#include <fmt/format.h>

#include <utility>

namespace pipeline::proc {

void RecordingRunner::expect(std::vector<std::string> argv, Result<ProcessResult> answer) {
    m_script.push_back(Expectation{std::move(argv), std::move(answer)});
}

Result<ProcessResult> RecordingRunner::run(const Command& command) {
    m_commands.push_back(command);
    if (m_script.empty()) {
        return runtime_error(fmt::format("fake runner: unexpected command: {}", describe(command)),
                             "the test scripted no further commands");
    }
    Expectation next = std::move(m_script.front());
    m_script.pop_front();
    if (next.argv != command.argv) {
        Command expected;
        expected.argv = next.argv;
        return runtime_error(fmt::format("fake runner: unexpected command: {}", describe(command)),
                             fmt::format("the test expected: {}", describe(expected)));
    }
    return std::move(next.answer);
}

}  // namespace pipeline::proc
