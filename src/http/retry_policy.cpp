#include <pipe/http/retry_policy.h>

#include <pipe/proc/interrupt.h>

#include <fmt/format.h>

#include <poll.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <limits>
#include <random>

namespace pipeline::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::system_clock;

std::optional<std::string> header(const Response& response, std::string_view name) {
    if (const std::optional<std::string_view> value = response.headers.find(name)) {
        return std::string(*value);
    }
    return std::nullopt;
}

std::string_view trim(std::string_view text) {
    const std::size_t first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// A non-negative decimal integer made only of digits; huge values saturate.
std::optional<long long> parse_count(std::string_view text) {
    if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    long long value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc::result_out_of_range) {
        return std::numeric_limits<long long>::max();
    }
    return end == text.data() + text.size() ? std::optional<long long>(value) : std::nullopt;
}

// Reads the fixed-layout pieces of an HTTP-date from left to right.
class DateScanner {
public:
    explicit DateScanner(std::string_view text) : m_text(text) {}

    bool literal(std::string_view expected) {
        if (!m_text.starts_with(expected)) {
            return false;
        }
        m_text.remove_prefix(expected.size());
        return true;
    }

    // Exactly `width` digits; a leading space stands for a zero (asctime's " 6").
    std::optional<int> number(std::size_t width, bool space_padded = false) {
        if (m_text.size() < width) {
            return std::nullopt;
        }
        int value = 0;
        for (std::size_t i = 0; i < width; ++i) {
            const char c = m_text[i];
            if (space_padded && i == 0 && c == ' ') {
                continue;
            }
            if (c < '0' || c > '9') {
                return std::nullopt;
            }
            value = value * 10 + (c - '0');
        }
        m_text.remove_prefix(width);
        return value;
    }

    // A run of letters (day or month name).
    std::string_view word() {
        std::size_t length = 0;
        while (length < m_text.size() && std::isalpha(static_cast<unsigned char>(m_text[length])) != 0) {
            ++length;
        }
        const std::string_view found = m_text.substr(0, length);
        m_text.remove_prefix(length);
        return found;
    }

    bool done() const { return m_text.empty(); }

private:
    std::string_view m_text;
};

std::optional<unsigned> month_number(std::string_view name) {
    static constexpr std::array<std::string_view, 12> k_months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto found = std::find(k_months.begin(), k_months.end(), name);
    if (found == k_months.end()) {
        return std::nullopt;
    }
    return static_cast<unsigned>(found - k_months.begin()) + 1;
}

struct DateFields {
    std::optional<int> year;
    std::optional<unsigned> month;
    std::optional<int> day;
    std::optional<int> hour;
    std::optional<int> minute;
    std::optional<int> second;
};

// "08:49:37"
void scan_time(DateScanner& scan, DateFields& fields) {
    fields.hour = scan.number(2);
    if (scan.literal(":")) {
        fields.minute = scan.number(2);
    }
    if (scan.literal(":")) {
        fields.second = scan.number(2);
    }
}

// The three forms recipients must accept: "Sun, 06 Nov 1994 08:49:37 GMT" (IMF-fixdate),
// "Sunday, 06-Nov-94 08:49:37 GMT" (RFC 850) and "Sun Nov  6 08:49:37 1994" (asctime).
std::optional<system_clock::time_point> parse_http_date(std::string_view text) {
    DateScanner scan(text);
    DateFields fields;
    const std::string_view day_name = scan.word();
    if (day_name.size() < 3) {
        return std::nullopt;
    }
    bool complete = false;
    if (scan.literal(", ")) {
        fields.day = scan.number(2);
        if (scan.literal(" ")) {
            fields.month = month_number(scan.word());
            if (scan.literal(" ")) {
                fields.year = scan.number(4);
            }
        } else if (scan.literal("-")) {
            fields.month = month_number(scan.word());
            if (scan.literal("-")) {
                if (const std::optional<int> two_digits = scan.number(2)) {
                    fields.year = *two_digits + (*two_digits < 70 ? 2000 : 1900);
                }
            }
        }
        if (scan.literal(" ")) {
            scan_time(scan, fields);
        }
        complete = scan.literal(" GMT") && scan.done();
    } else if (scan.literal(" ")) {
        fields.month = month_number(scan.word());
        if (scan.literal(" ")) {
            fields.day = scan.number(2, true);
        }
        if (scan.literal(" ")) {
            scan_time(scan, fields);
        }
        if (scan.literal(" ")) {
            fields.year = scan.number(4);
        }
        complete = scan.done();
    }
    if (!complete || !fields.year || !fields.month || !fields.day || !fields.hour || !fields.minute || !fields.second) {
        return std::nullopt;
    }
    const std::chrono::year_month_day date{std::chrono::year(*fields.year), std::chrono::month(*fields.month),
                                           std::chrono::day(static_cast<unsigned>(*fields.day))};
    if (!date.ok() || *fields.hour > 23 || *fields.minute > 59 || *fields.second > 60) {
        return std::nullopt;
    }
    return std::chrono::sys_days(date) + std::chrono::hours(*fields.hour) + std::chrono::minutes(*fields.minute) +
           seconds(std::min(*fields.second, 59));
}

milliseconds wait_until(system_clock::time_point then, system_clock::time_point now) {
    if (then <= now) {
        return milliseconds(0);
    }
    return std::chrono::ceil<milliseconds>(then - now);
}

std::string describe_failure(TransportFailure failure) {
    switch (failure) {
        case TransportFailure::connect:
            return "could not connect";
        case TransportFailure::timeout:
            return "timed out";
        case TransportFailure::dropped:
            return "the connection broke";
        case TransportFailure::tls:
            return "TLS failed";
        case TransportFailure::other:
            return "the request failed";
        case TransportFailure::interrupted:
            return "interrupted";
    }
    return "the request failed";
}

bool is_rate_limited(const AttemptOutcome& outcome) {
    return outcome.status == 429 ||
           (outcome.status == 403 && (outcome.retry_after.has_value() || outcome.rate_limit_remaining == "0"));
}

bool is_retryable_status(int status) {
    return status == 408 || (status >= 500 && status <= 599 && status != 501 && status != 505);
}

bool is_retryable_failure(TransportFailure failure) {
    return failure == TransportFailure::connect || failure == TransportFailure::timeout ||
           failure == TransportFailure::dropped;
}

// The wait the server asked for: Retry-After first, else the rate-limit reset when exhausted.
std::optional<milliseconds> server_wait(const AttemptOutcome& outcome, system_clock::time_point now) {
    if (outcome.retry_after) {
        if (std::optional<milliseconds> wait = parse_retry_after(*outcome.retry_after, now)) {
            return wait;
        }
    }
    if (outcome.rate_limit_remaining == "0" && outcome.rate_limit_reset) {
        if (const std::optional<long long> reset = parse_count(trim(*outcome.rate_limit_reset))) {
            const long long capped = std::min<long long>(*reset, std::numeric_limits<std::int32_t>::max());
            return wait_until(system_clock::time_point(seconds(capped)), now);
        }
    }
    return std::nullopt;
}

milliseconds backoff(const RetryPolicy& policy, int attempt, double jitter) {
    milliseconds base = policy.initial_backoff;
    for (int i = 1; i < attempt && base < policy.max_backoff; ++i) {
        base *= 2;
    }
    base = std::min(base, policy.max_backoff);
    const double fraction = std::clamp(jitter, 0.0, 1.0);
    const milliseconds half = base / 2;
    return half + milliseconds(static_cast<milliseconds::rep>(static_cast<double>((base - half).count()) * fraction));
}

std::string format_wait(milliseconds wait) {
    return fmt::format("{:.1f} s", static_cast<double>(wait.count()) / 1000.0);
}

}  // namespace

AttemptOutcome outcome_of(const SendResult& result) {
    AttemptOutcome outcome;
    if (!result) {
        outcome.failure = result.transport_error().failure;
        outcome.reached_server = result.transport_error().reached_server;
        return outcome;
    }
    outcome.status = result->status;
    outcome.retry_after = header(*result, "Retry-After");
    outcome.rate_limit_remaining = header(*result, "X-RateLimit-Remaining");
    outcome.rate_limit_reset = header(*result, "X-RateLimit-Reset");
    return outcome;
}

RetryDecision decide_retry(const RetryPolicy& policy, int attempt, const AttemptOutcome& outcome, bool idempotent,
                           system_clock::time_point now, double jitter) {
    RetryDecision decision;
    bool retryable = false;
    if (outcome.failure) {
        decision.reason = describe_failure(*outcome.failure);
        retryable = is_retryable_failure(*outcome.failure);
    } else {
        decision.reason = fmt::format("HTTP {}", outcome.status);
        retryable = is_retryable_status(outcome.status) || is_rate_limited(outcome);
    }
    if (!retryable) {
        return decision;
    }
    if (!idempotent && outcome.reached_server) {
        decision.reason += "; a request that may have created something is not repeated";
        return decision;
    }
    if (attempt >= policy.max_attempts) {
        decision.reason += fmt::format("; no attempts left of {}", policy.max_attempts);
        return decision;
    }
    if (const std::optional<milliseconds> wait = server_wait(outcome, now)) {
        if (*wait > policy.max_server_wait) {
            decision.reason += fmt::format("; the server asked to wait {}, longer than the {} pipe waits",
                                           format_wait(*wait), format_wait(policy.max_server_wait));
            return decision;
        }
        decision.retry = true;
        decision.delay = *wait;
        return decision;
    }
    decision.retry = true;
    decision.delay = backoff(policy, attempt, jitter);
    return decision;
}

std::optional<milliseconds> parse_retry_after(std::string_view value, system_clock::time_point now) {
    const std::string_view text = trim(value);
    if (const std::optional<long long> count = parse_count(text)) {
        const long long capped = std::min<long long>(*count, std::numeric_limits<std::int32_t>::max());
        return std::chrono::duration_cast<milliseconds>(seconds(capped));
    }
    if (const std::optional<system_clock::time_point> date = parse_http_date(text)) {
        return wait_until(*date, now);
    }
    return std::nullopt;
}

void sleep_unless_interrupted(milliseconds duration) {
    const auto deadline = std::chrono::steady_clock::now() + duration;
    while (proc::pending_interrupt() == 0) {
        const auto left = std::chrono::ceil<milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left <= milliseconds(0)) {
            return;
        }
        pollfd wakeup{proc::interrupt_wakeup_fd(), POLLIN, 0};
        const int timeout = static_cast<int>(std::min<milliseconds::rep>(left.count(), 60000));
        if (::poll(&wakeup, 1, timeout) < 0 && errno != EINTR) {
            return;
        }
    }
}

double random_jitter() {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

Result<Response> send_with_retry(Client& client, const Request& request, const RetryPolicy& policy,
                                 const RetryHooks& hooks) {
    for (int attempt = 1;; ++attempt) {
        SendResult result = client.send(request);
        if (!result && result.error().kind == ErrorKind::interrupted) {
            return result.error();
        }
        const RetryDecision decision = decide_retry(policy, attempt, outcome_of(result), is_idempotent(request.method),
                                                    hooks.now(), hooks.jitter());
        if (!decision.retry) {
            if (result) {
                return std::move(result).value();
            }
            Error error = result.error();
            if (attempt > 1) {
                error.message += fmt::format(" (gave up after {} attempts)", attempt);
            }
            return error;
        }
        if (hooks.notify) {
            hooks.notify(fmt::format("{} {}: {}; retrying in {} (attempt {} of {})", method_name(request.method),
                                     request.url, decision.reason, format_wait(decision.delay), attempt + 1,
                                     policy.max_attempts));
        }
        hooks.sleep(decision.delay);
        if (proc::pending_interrupt() != 0) {
            return interrupted_error(proc::pending_interrupt());
        }
    }
}

}  // namespace pipeline::http
