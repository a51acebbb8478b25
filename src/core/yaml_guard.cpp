#include <pipe/core/yaml_guard.h>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <sstream>

namespace pipeline {
namespace {

// Walks the event stream once without building nodes, to find where yaml-cpp 0.7's LoadAll() would
// loop forever allocating empty documents: a document that starts where the previous one did has
// consumed nothing.
class StallDetector final : public YAML::EventHandler {
public:
    void OnDocumentStart(const YAML::Mark& mark) override {
        m_stalled = m_started && mark.pos == m_previous.pos;
        m_previous = mark;
        m_started = true;
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override {}
    void OnAlias(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override {}
    void OnScalar(const YAML::Mark& /*mark*/, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                  const std::string& /*value*/) override {}
    void OnSequenceStart(const YAML::Mark& /*mark*/, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                         YAML::EmitterStyle::value /*style*/) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark& /*mark*/, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                    YAML::EmitterStyle::value /*style*/) override {}
    void OnMapEnd() override {}

    bool stalled() const { return m_stalled; }
    const YAML::Mark& mark() const { return m_previous; }

private:
    YAML::Mark m_previous = YAML::Mark::null_mark();
    bool m_started = false;
    bool m_stalled = false;
};

}  // namespace

std::vector<YAML::Node> load_yaml_documents(const std::string& text) {
    std::istringstream stream(text);
    YAML::Parser parser(stream);
    StallDetector detector;
    while (parser.HandleNextDocument(detector)) {
        if (detector.stalled()) {
            throw YAML::ParserException(detector.mark(), "unexpected character where a document should start");
        }
    }
    return YAML::LoadAll(text);
}

}  // namespace pipeline
