// The one assertion fuzz targets use: abort, so libFuzzer (and the replay driver under ctest)
// reports the input that broke an invariant.
#pragma once

#include <cstdlib>

namespace pipeline::fuzz {

// Aborts when condition is false.
inline void require(bool condition) {
    if (!condition) {
        std::abort();
    }
}

}  // namespace pipeline::fuzz
