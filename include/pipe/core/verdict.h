// What a step concluded when it ran to the end: the only source of exit code 1.
#pragma once

namespace pipeline {

// pass -> exit 0; fail -> exit 1 (tests failed, vulnerabilities over the gate, bad signature).
enum class Verdict { pass, fail };

}  // namespace pipeline
