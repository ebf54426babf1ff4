#include "2-runner/output_drain.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

namespace c10k::grader {
namespace {
constexpr std::size_t kStdoutHeadCap = 4096;   // enough for the announce line and a few more
constexpr std::size_t kTailCap = 16384;        // the last lines, for failure messages

void append_capped(std::string& tail, const char* data, std::size_t size) {
    tail.append(data, size);
    if (tail.size() > kTailCap) tail.erase(0, tail.size() - kTailCap);
}
}  // namespace

OutputDrain::OutputDrain(int out_fd, int err_fd) : thread_([this, out_fd, err_fd] { drain(out_fd, err_fd); }) {}

OutputDrain::~OutputDrain() {
    stop_ = true;
    thread_.join();
}

void OutputDrain::drain(int out_fd, int err_fd) {
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    char buffer[8192];
    while (!stop_ && (fds[0].fd >= 0 || fds[1].fd >= 0)) {
        if (::poll(fds, 2, 50) <= 0) continue;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
            if (n < 0 && errno == EINTR) continue;
            std::lock_guard lock(mutex_);
            if (n <= 0) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                (i == 0 ? stdout_closed_ : stderr_closed_) = true;
            } else if (i == 0) {
                std::size_t room = kStdoutHeadCap - std::min(kStdoutHeadCap, stdout_head_.size());
                stdout_head_.append(buffer, std::min<std::size_t>(room, static_cast<std::size_t>(n)));
                append_capped(stdout_tail_, buffer, static_cast<std::size_t>(n));
            } else {
                append_capped(stderr_tail_, buffer, static_cast<std::size_t>(n));
            }
            changed_.notify_all();
        }
    }
    for (auto& fd : fds)
        if (fd.fd >= 0) ::close(fd.fd);
    std::lock_guard lock(mutex_);
    stdout_closed_ = stderr_closed_ = true;
    changed_.notify_all();
}

OutputDrain::Stdout OutputDrain::wait_for_stdout(std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, wait);
    return {stdout_head_, stdout_closed_};
}

void OutputDrain::wait_until_drained(const Deadline& deadline) {
    std::unique_lock lock(mutex_);
    while (!(stdout_closed_ && stderr_closed_) && !deadline.expired())
        changed_.wait_for(lock, std::chrono::milliseconds(std::max(1, std::min(deadline.remaining_ms(), 20))));
}

std::string OutputDrain::stdout_head() const {
    std::lock_guard lock(mutex_);
    return stdout_head_;
}

std::string OutputDrain::stdout_tail() const {
    std::lock_guard lock(mutex_);
    return stdout_tail_;
}

std::string OutputDrain::stderr_text() const {
    std::lock_guard lock(mutex_);
    return stderr_tail_;
}

std::string last_lines(std::string text, std::size_t max_lines) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    std::vector<std::string> lines;
    std::size_t end = text.size();
    while (end > 0 && lines.size() < max_lines) {
        std::size_t start = text.rfind('\n', end - 1);
        start = start == std::string::npos ? 0 : start + 1;
        if (end > start) lines.insert(lines.begin(), text.substr(start, std::min<std::size_t>(end - start, 200)));
        if (start == 0) break;
        end = start - 1;
    }
    std::string joined;
    for (const auto& line : lines) joined += (joined.empty() ? "" : " | ") + line;
    return joined;
}

}  // namespace c10k::grader
