#include "2-runner/process_watch.hpp"

#include <algorithm>
#include <chrono>

#include "2-runner/io_uring_view.hpp"
#include "2-runner/process_table.hpp"

namespace c10k::grader {

ProcessWatch::ProcessWatch(pid_t pid, bool watch_rings) : pid_(pid), watch_rings_(watch_rings) {
    sample();  // at least one look, however short the test
    // Often (a server that dies at fd 1024 is seen near it), but never more than a fifth
    // of a core: listing 10,000 descriptors takes milliseconds.
    thread_ = std::thread([this] {
        std::chrono::steady_clock::duration pause = std::chrono::milliseconds(5);
        while (!stop_) {
            std::this_thread::sleep_for(pause);
            auto started = std::chrono::steady_clock::now();
            sample();
            auto took = std::chrono::steady_clock::now() - started;
            pause = std::max<std::chrono::steady_clock::duration>(std::chrono::milliseconds(5), 4 * took);
        }
    });
}

ProcessWatch::~ProcessWatch() {
    stop_ = true;
    thread_.join();
}

void ProcessWatch::sample() {
    ProcessSample now;
    now.open_fds = open_fd_count(pid_);
    if (now.open_fds < 0) return;  // gone: keep the last look at it alive
    now.virtual_kib = virtual_kib(pid_);
    now.open_file_limit = open_file_limit(pid_);
    bool sqpoll = watch_rings_ && has_sqpoll_thread(pid_);
    RingEntries ring = watch_rings_ ? submitted_opcodes(pid_) : RingEntries{};
    std::lock_guard lock(mutex_);
    last_ = now;
    peak_fds_ = std::max(peak_fds_, now.open_fds);
    sqpoll_seen_ = sqpoll_seen_ || sqpoll;
    ring_entries_.rings = std::max(ring_entries_.rings, ring.rings);
    ring_entries_.readable = ring_entries_.readable && ring.readable;
    ring_entries_.opcodes.insert(ring.opcodes.begin(), ring.opcodes.end());
}

bool ProcessWatch::sqpoll_seen() const {
    std::lock_guard lock(mutex_);
    return sqpoll_seen_;
}

RingEntries ProcessWatch::ring_entries() const {
    std::lock_guard lock(mutex_);
    return ring_entries_;
}

ProcessSample ProcessWatch::last() const {
    std::lock_guard lock(mutex_);
    return last_;
}

int ProcessWatch::peak_fds() const {
    std::lock_guard lock(mutex_);
    return peak_fds_;
}

}  // namespace c10k::grader
