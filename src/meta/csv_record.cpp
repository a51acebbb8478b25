#include <pipe/meta/csv_record.h>

#include <fmt/format.h>

namespace pipeline::meta {
namespace {

constexpr std::string_view k_utf8_bom = "\xEF\xBB\xBF";

// Reads one text with the state machine of csv-parse, restricted to its default delimiter,
// quote and escape characters.
class CsvReader {
public:
    CsvReader(std::string_view text, const CsvOptions& options) : m_text(text), m_options(options) {}

    Result<std::vector<CsvRecord>> read() {
        if (m_text.substr(0, k_utf8_bom.size()) == k_utf8_bom) {
            m_text.remove_prefix(k_utf8_bom.size());
        }
        for (m_pos = 0; m_pos < m_text.size(); ++m_pos) {
            Result<void> stepped = m_quoting ? step_quoted() : step_unquoted();
            if (!stepped) {
                return stepped.error();
            }
        }
        if (m_quoting) {
            return runtime_error("a quote is not closed");
        }
        if (m_was_quoting || !m_record.empty() || !m_field.empty()) {
            end_record();
        }
        return std::move(m_records);
    }

private:
    char at(std::size_t pos) const { return pos < m_text.size() ? m_text[pos] : '\0'; }

    // Length of the record delimiter at pos (discovering it on first sight), or 0.
    std::size_t record_delimiter_at(std::size_t pos) {
        if (m_delimiter.empty()) {
            for (std::string_view candidate : {"\r\n", "\n", "\r"}) {
                if (m_text.substr(pos, candidate.size()) == candidate) {
                    m_delimiter = candidate;
                    break;
                }
            }
            if (m_delimiter.empty()) {
                return 0;
            }
        }
        return m_text.substr(pos, m_delimiter.size()) == m_delimiter ? m_delimiter.size() : 0;
    }

    void end_field() {
        m_record.push_back(std::move(m_field));
        m_field.clear();
        m_was_quoting = false;
    }

    void end_record() {
        end_field();
        m_records.push_back(std::move(m_record));
        m_record.clear();
    }

    Result<void> step_quoted() {
        const char c = m_text[m_pos];
        if (c != '"') {
            m_field += c;
            return {};
        }
        if (m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '"') {
            m_field += '"';
            ++m_pos;
            return {};
        }
        const std::size_t next = m_pos + 1;
        const bool closes = next >= m_text.size() || at(next) == ',' || (m_options.comments && at(next) == '#') ||
                            (m_delimiter.empty() ? (at(next) == '\n' || at(next) == '\r')
                                                 : m_text.substr(next, m_delimiter.size()) == m_delimiter);
        if (closes) {
            m_quoting = false;
            m_was_quoting = true;
            return {};
        }
        if (!m_options.relax_quotes) {
            return runtime_error(fmt::format("a closing quote is followed by '{}' instead of ','", at(next)));
        }
        m_quoting = false;
        m_was_quoting = true;
        m_field.insert(0, 1, '"');
        return {};
    }

    Result<void> step_unquoted() {
        const char c = m_text[m_pos];
        if (!m_commenting && c == '"') {
            if (m_field.empty()) {
                m_quoting = true;
                return {};
            }
            if (!m_options.relax_quotes) {
                return runtime_error(fmt::format("a quote appears inside the unquoted field \"{}\"", m_field));
            }
        }
        if (const std::size_t length = record_delimiter_at(m_pos); length != 0) {
            const bool blank = !m_was_quoting && m_record.empty() && m_field.empty();
            if (!blank) {
                end_record();
            }
            m_commenting = false;
            m_pos += length - 1;
            return {};
        }
        if (m_commenting) {
            return {};
        }
        if (m_options.comments && c == '#' && m_record.empty() && m_field.empty()) {
            m_commenting = true;
            return {};
        }
        if (c == ',') {
            end_field();
            return {};
        }
        m_field += c;
        return {};
    }

    std::string_view m_text;
    CsvOptions m_options;
    std::size_t m_pos = 0;
    std::string_view m_delimiter;
    std::vector<CsvRecord> m_records;
    CsvRecord m_record;
    std::string m_field;
    bool m_quoting = false;
    bool m_was_quoting = false;
    bool m_commenting = false;
};

}  // namespace

Result<std::vector<CsvRecord>> parse_csv(std::string_view text, const CsvOptions& options) {
    return CsvReader(text, options).read();
}

}  // namespace pipeline::meta
