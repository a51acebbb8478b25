// Content digests: a manifest's digest is the sha256 of its exact bytes, so pipe computes it
// itself to check what a registry says and what a tool wrote to --digestfile; the streaming
// form hashes build contexts without reading whole files into memory.
#pragma once

#include <pipe/core/result.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace pipeline::oci {

// "sha256:<64 lowercase hex>" of bytes.
std::string sha256_digest(std::string_view bytes);

// An incremental sha256.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    Sha256(Sha256&&) = delete;
    Sha256& operator=(Sha256&&) = delete;

    void update(std::string_view bytes);

    // "sha256:<hex>" of everything given; the object is spent afterwards.
    std::string finish();

private:
    struct Context;
    std::unique_ptr<Context> m_context;
};

// "sha256:<hex>" of a file's content, read in blocks; an unreadable file is a runtime error.
Result<std::string> sha256_file(const std::filesystem::path& path);

}  // namespace pipeline::oci
