// Reading files that are not in the page cache, six ways: blocking read(); glibc's POSIX
// AIO (a pool of threads doing blocking reads); Linux AIO (io_submit) with O_DIRECT, and
// without it, where io_submit itself blocks; io_uring, plain, with registered files and
// buffers, and as one linked openat -> read -> close chain per file, all in one submission.
// Then what epoll says about a regular file.
//
//   c10k-demo-disk_io [--small] [--out DIR]
//
// The files live under DIR (it must be on a disk: tmpfs has no O_DIRECT and never leaves
// the cache). Before each way they are evicted with posix_fadvise(DONTNEED) -- no root
// needed, and only these files leave the cache -- and mincore() checks that they left.

#include <aio.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/magic.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <liburing.h>

#include "c10k/fd.hpp"
#include "c10k/io_uring_support.hpp"
#include "c10k/syscall_error.hpp"
#include "demo_report.hpp"
#include "kernel_counter.hpp"

namespace {

using c10k::Fd;
using c10k::check_syscall;
using namespace c10k::demo;

struct Files {
    std::vector<std::string> paths;
    std::size_t size = 0;
};

// Aligned for O_DIRECT (the device's logical block; 4096 covers every disk).
struct Buffers {
    Buffers(std::size_t count, std::size_t size) : size(size), memory(static_cast<char*>(std::aligned_alloc(4096, count * size))) {
        if (!memory) throw std::bad_alloc();
    }
    ~Buffers() { std::free(memory); }
    Buffers(const Buffers&) = delete;
    Buffers& operator=(const Buffers&) = delete;
    char* at(std::size_t i) const { return memory + i * size; }
    std::size_t size;
    char* memory;
};

// -- the page cache --------------------------------------------------------------------

Files make_files(const std::filesystem::path& dir, int count, std::size_t size) {
    Files files{{}, size};
    std::vector<char> block(size);
    for (std::size_t i = 0; i < size; ++i) block[i] = static_cast<char>('a' + i % 23);
    for (int i = 0; i < count; ++i) {
        auto path = (dir / ("file-" + std::to_string(i))).string();
        Fd fd(check_syscall(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), "open"));
        if (::write(fd.get(), block.data(), size) != static_cast<ssize_t>(size)) throw c10k::SyscallError("write", errno);
        check_syscall(::fsync(fd.get()), "fsync");  // clean pages: DONTNEED can drop them
        files.paths.push_back(path);
    }
    return files;
}

void evict(const Files& files) {
    for (const auto& path : files.paths) {
        Fd fd(check_syscall(::open(path.c_str(), O_RDONLY | O_CLOEXEC), "open"));
        ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_DONTNEED);
    }
}

// The share of the files' pages in the page cache, 0..1 (mincore on a mapping of each).
double cached(const Files& files) {
    long page = ::sysconf(_SC_PAGESIZE), in = 0, total = 0;
    for (const auto& path : files.paths) {
        Fd fd(check_syscall(::open(path.c_str(), O_RDONLY | O_CLOEXEC), "open"));
        void* map = ::mmap(nullptr, files.size, PROT_READ, MAP_SHARED, fd.get(), 0);
        if (map == MAP_FAILED) return -1;
        std::vector<unsigned char> resident((files.size + page - 1) / page);
        ::mincore(map, files.size, resident.data());
        for (auto r : resident) in += r & 1;
        total += static_cast<long>(resident.size());
        ::munmap(map, files.size);
    }
    return static_cast<double>(in) / static_cast<double>(total);
}

// -- counting threads ------------------------------------------------------------------

long threads_now() {
    std::ifstream status("/proc/self/status");
    std::string key;
    long value = -1;
    while (status >> key) {
        if (key == "Threads:" && (status >> value)) return value;
        status.ignore(1 << 12, '\n');
    }
    return -1;
}

// Samples the thread count every millisecond from its own thread (made before the syscall
// counter, so its reads are not counted); peak() excludes the sampler itself.
class ThreadPeak {
public:
    ThreadPeak() : sampler_([this] {
        while (!stop_) {
            long now = threads_now();
            long seen = peak_.load();
            while (now > seen && !peak_.compare_exchange_weak(seen, now)) {
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }) {}
    ~ThreadPeak() {
        stop_ = true;
        sampler_.join();
    }
    void reset() { peak_ = 0; }
    long peak() const { return peak_.load() - 1; }

private:
    std::atomic<bool> stop_{false};
    std::atomic<long> peak_{0};
    std::thread sampler_;
};

// -- the six ways ------------------------------------------------------------------------

void check_read(long got, std::size_t size, const char* how) {
    if (got != static_cast<long>(size))
        throw std::runtime_error(std::string(how) + ": " + (got < 0 ? errno_name(static_cast<int>(-got)) : "short read " + std::to_string(got)));
}

void blocking_read(const Files& files, Buffers& buffers) {
    for (std::size_t i = 0; i < files.paths.size(); ++i) {
        Fd fd(check_syscall(::open(files.paths[i].c_str(), O_RDONLY | O_CLOEXEC), "open"));
        check_read(::pread(fd.get(), buffers.at(i), files.size, 0), files.size, "pread");
    }
}

void posix_aio(const Files& files, Buffers& buffers) {
    std::vector<Fd> fds;
    std::vector<aiocb> requests(files.paths.size());
    std::vector<const aiocb*> list;
    for (std::size_t i = 0; i < files.paths.size(); ++i) {
        fds.emplace_back(check_syscall(::open(files.paths[i].c_str(), O_RDONLY | O_CLOEXEC), "open"));
        requests[i] = aiocb{};
        requests[i].aio_fildes = fds.back().get();
        requests[i].aio_buf = buffers.at(i);
        requests[i].aio_nbytes = files.size;
        check_syscall(::aio_read(&requests[i]), "aio_read");  // glibc hands it to a thread of its pool
        list.push_back(&requests[i]);
    }
    for (auto& request : requests) {
        while (::aio_error(&request) == EINPROGRESS) ::aio_suspend(list.data(), static_cast<int>(list.size()), nullptr);
        check_read(::aio_return(&request), files.size, "aio_return");
    }
}

// A Linux AIO context, made once: io_destroy waits for an RCU grace period (tens of ms),
// which is not the reads' time.
struct AioContext {
    explicit AioContext(std::size_t requests) { check_syscall(::syscall(SYS_io_setup, requests, &id), "io_setup"); }
    ~AioContext() { ::syscall(SYS_io_destroy, id); }
    AioContext(const AioContext&) = delete;
    AioContext& operator=(const AioContext&) = delete;
    aio_context_t id = 0;
};

// Linux AIO through its syscalls (what libaio wraps). Returns io_submit's own time, and
// sets @p reads_s to the time from submitting to the last completion.
double linux_aio(aio_context_t context, const Files& files, Buffers& buffers, bool direct, double& reads_s) {
    std::vector<Fd> fds;
    std::vector<iocb> requests(files.paths.size());
    std::vector<iocb*> list;
    for (std::size_t i = 0; i < files.paths.size(); ++i) {
        fds.emplace_back(check_syscall(::open(files.paths[i].c_str(), O_RDONLY | O_CLOEXEC | (direct ? O_DIRECT : 0)), "open"));
        requests[i] = iocb{};
        requests[i].aio_lio_opcode = IOCB_CMD_PREAD;
        requests[i].aio_fildes = static_cast<unsigned>(fds.back().get());
        requests[i].aio_buf = reinterpret_cast<std::uint64_t>(buffers.at(i));
        requests[i].aio_nbytes = files.size;
        list.push_back(&requests[i]);
    }
    double start = now_s();
    long submitted = check_syscall(::syscall(SYS_io_submit, context, list.size(), list.data()), "io_submit");
    double submit_s = now_s() - start;
    std::vector<io_event> events(list.size());
    for (long done = 0; done < submitted;) {
        long n = check_syscall(::syscall(SYS_io_getevents, context, 1, events.size(), events.data(), nullptr), "io_getevents");
        for (long i = 0; i < n; ++i) check_read(static_cast<long>(events[i].res), files.size, "io_getevents");
        done += n;
    }
    reads_s = now_s() - start;
    return submit_s;
}

void wait_all(io_uring& ring, std::size_t count, const std::function<void(io_uring_cqe*)>& check) {
    check_syscall(io_uring_submit_and_wait(&ring, static_cast<unsigned>(count)) < 0 ? -1 : 0, "io_uring_submit_and_wait");
    for (std::size_t done = 0; done < count; ++done) {
        io_uring_cqe* cqe = nullptr;
        if (int error = io_uring_wait_cqe(&ring, &cqe); error < 0) throw c10k::SyscallError("io_uring_wait_cqe", -error);
        check(cqe);
        io_uring_cqe_seen(&ring, cqe);
    }
}

struct Ring {
    explicit Ring(unsigned entries) {
        if (int error = io_uring_queue_init(entries, &ring, 0); error < 0) throw c10k::SyscallError("io_uring_queue_init", -error);
    }
    ~Ring() { io_uring_queue_exit(&ring); }
    io_uring ring{};
};

void uring_plain(const Files& files, Buffers& buffers) {
    Ring ring(static_cast<unsigned>(files.paths.size()));
    std::vector<Fd> fds;
    for (std::size_t i = 0; i < files.paths.size(); ++i) {
        fds.emplace_back(check_syscall(::open(files.paths[i].c_str(), O_RDONLY | O_CLOEXEC), "open"));
        io_uring_prep_read(io_uring_get_sqe(&ring.ring), fds.back().get(), buffers.at(i), static_cast<unsigned>(files.size), 0);
    }
    wait_all(ring.ring, files.paths.size(), [&](io_uring_cqe* cqe) { check_read(cqe->res, files.size, "IORING_OP_READ"); });
}

void uring_registered(const Files& files, Buffers& buffers) {
    Ring ring(static_cast<unsigned>(files.paths.size()));
    std::vector<Fd> fds;
    std::vector<int> raw;
    for (const auto& path : files.paths) {
        fds.emplace_back(check_syscall(::open(path.c_str(), O_RDONLY | O_CLOEXEC), "open"));
        raw.push_back(fds.back().get());
    }
    iovec whole{buffers.memory, buffers.size * files.paths.size()};
    if (int error = io_uring_register_files(&ring.ring, raw.data(), static_cast<unsigned>(raw.size())); error < 0)
        throw c10k::SyscallError("io_uring_register_files", -error);
    if (int error = io_uring_register_buffers(&ring.ring, &whole, 1); error < 0)
        throw c10k::SyscallError("io_uring_register_buffers (ulimit -l?)", -error);
    for (std::size_t i = 0; i < files.paths.size(); ++i) {
        auto* sqe = io_uring_get_sqe(&ring.ring);
        io_uring_prep_read_fixed(sqe, static_cast<int>(i), buffers.at(i), static_cast<unsigned>(files.size), 0, 0);
        sqe->flags |= IOSQE_FIXED_FILE;
    }
    wait_all(ring.ring, files.paths.size(), [&](io_uring_cqe* cqe) { check_read(cqe->res, files.size, "READ_FIXED"); });
}

// openat -> read -> close, linked, per file, into fixed-file slot i: no descriptor ever
// reaches user space, so the three can be submitted together.
void uring_chain(const Files& files, Buffers& buffers) {
    Ring ring(static_cast<unsigned>(3 * files.paths.size()));
    if (int error = io_uring_register_files_sparse(&ring.ring, static_cast<unsigned>(files.paths.size())); error < 0)
        throw c10k::SyscallError("io_uring_register_files_sparse", -error);
    for (std::size_t i = 0; i < files.paths.size(); ++i) {
        auto slot = static_cast<unsigned>(i);
        auto* open = io_uring_get_sqe(&ring.ring);
        io_uring_prep_openat_direct(open, AT_FDCWD, files.paths[i].c_str(), O_RDONLY, 0, slot);
        open->flags |= IOSQE_IO_LINK;
        auto* read = io_uring_get_sqe(&ring.ring);
        io_uring_prep_read(read, static_cast<int>(slot), buffers.at(i), static_cast<unsigned>(files.size), 0);
        read->flags |= IOSQE_FIXED_FILE | IOSQE_IO_LINK;
        read->user_data = 1;
        io_uring_prep_close_direct(io_uring_get_sqe(&ring.ring), slot);
    }
    wait_all(ring.ring, 3 * files.paths.size(), [&](io_uring_cqe* cqe) {
        if (cqe->user_data == 1) check_read(cqe->res, files.size, "linked READ");
        else if (cqe->res < 0) throw c10k::SyscallError("linked OPENAT/CLOSE", -cqe->res);
    });
}

// -- epoll and a regular file ------------------------------------------------------------

void epoll_and_a_file(Demo& demo, const Files& files) {
    auto& table = demo.table("readiness of a regular file whose data is on the disk", {"call", "answer"});
    evict(files);
    Fd file(check_syscall(::open(files.paths[0].c_str(), O_RDONLY | O_CLOEXEC), "open"));
    Fd epoll(check_syscall(::epoll_create1(EPOLL_CLOEXEC), "epoll_create1"));
    epoll_event interest{};
    interest.events = EPOLLIN;
    int added = ::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, file.get(), &interest);
    add_row(table, {"epoll_ctl(EPOLL_CTL_ADD, file)", added == 0 ? "0" : "-1, " + errno_name(errno) + " (epoll refuses files)"});
    pollfd p{file.get(), POLLIN, 0};
    double start = now_s();
    int ready = ::poll(&p, 1, 1000);
    add_row(table, {"poll(file, POLLIN)", std::to_string(ready) + ", " + ((p.revents & POLLIN) ? "POLLIN" : "not readable") +
                                               " after " + duration_us((now_s() - start) * 1e6) + ": always \"ready\""});
    demo.figures()["epoll_ctl_errno"] = added == 0 ? 0 : errno_name(errno);
    demo.figures()["poll_ready"] = ready == 1 && (p.revents & POLLIN);
}

}  // namespace

int main(int argc, char** argv) {
    Demo demo("disk_io", "reading files that are not in the page cache: who blocks, who makes threads", argc, argv);
    const int count = demo.small() ? 16 : 64;
    const std::size_t size = demo.small() ? 256 * 1024 : 1024 * 1024;
    auto dir = demo.scratch();
    struct statfs fs{};
    if (::statfs(dir.c_str(), &fs) == 0 && fs.f_type == TMPFS_MAGIC)
        return demo.unavailable(dir.string() + " is on tmpfs (no O_DIRECT, never uncached): give --out a folder on a disk");
    auto no_uring = c10k::probe_io_uring();
    try {
        ThreadPeak threads;  // before the counter: its own reads are not counted
        std::optional<KernelCounter> syscalls;
        try {
            syscalls = KernelCounter::tracepoint("raw_syscalls:sys_enter");
        } catch (const std::runtime_error& error) {
            demo.note("syscalls: ? -- " + std::string(error.what()));
        }
        Files files = make_files(dir, count, size);
        Buffers buffers(files.paths.size(), size);
        auto& table = demo.table(std::to_string(count) + " files of " + bytes(static_cast<double>(size)) + ", evicted before each way",
                                 {"way", "in cache before", "syscalls", "threads (peak)", "wall time", "MB/s", "io_submit of the reads"});
        double reads_s = -1;  // Linux AIO: submit to last completion
        AioContext aio(files.paths.size());
        struct Way {
            const char* name;
            std::function<double()> run;  // returns io_submit's time (Linux AIO), or -1
            bool uring;
        };
        const Way ways[] = {
            {"blocking read", [&] { blocking_read(files, buffers); return -1.0; }, false},
            {"glibc POSIX AIO", [&] { posix_aio(files, buffers); return -1.0; }, false},
            {"Linux AIO, O_DIRECT", [&] { return linux_aio(aio.id, files, buffers, true, reads_s); }, false},
            {"Linux AIO, buffered", [&] { return linux_aio(aio.id, files, buffers, false, reads_s); }, false},
            {"io_uring", [&] { uring_plain(files, buffers); return -1.0; }, true},
            {"io_uring, registered files+buffers", [&] { uring_registered(files, buffers); return -1.0; }, true},
            {"io_uring, linked openat-read-close", [&] { uring_chain(files, buffers); return -1.0; }, true},
        };
        for (const auto& way : ways) {
            if (way.uring && no_uring) {
                add_row(table, {way.name, "skipped: " + *no_uring});
                continue;
            }
            evict(files);
            double in_cache = cached(files);
            threads.reset();
            std::this_thread::sleep_for(std::chrono::milliseconds(3));
            long calls_before = syscalls ? syscalls->value() : -1;
            double start = now_s();
            double submit_s = -1;
            try {
                submit_s = way.run();
            } catch (const std::exception& error) {
                add_row(table, {way.name, error.what()});
                continue;
            }
            double wall = now_s() - start;
            long calls = syscalls ? syscalls->value() - calls_before : -1;
            long peak = threads.peak();
            double mb = static_cast<double>(count * size) / 1e6;
            add_row(table, {way.name, number(100 * in_cache) + " %", calls < 0 ? "?" : number(static_cast<double>(calls)),
                            number(static_cast<double>(peak)), duration_us(wall * 1e6), number(mb / wall),
                            submit_s < 0 ? "" : duration_us(submit_s * 1e6) + " of " + duration_us(reads_s * 1e6)});
            demo.figures()[way.name] = {{"cached_before", in_cache}, {"syscalls", calls}, {"threads_peak", peak},
                                        {"wall_s", wall}, {"submit_s", submit_s}, {"reads_s", submit_s < 0 ? -1 : reads_s}};
            // glibc's AIO threads linger for a second: the next way starts with this thread alone.
            for (double until = now_s() + 3; threads_now() > 2 && now_s() < until;)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        demo.figures()["files"] = count;
        demo.figures()["file_bytes"] = size;
        epoll_and_a_file(demo, files);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "c10k-demo-disk_io: %s\n", error.what());
        return 1;
    }
    demo.note("Threads: this process's, sampled every ms (glibc's AIO pool and io_uring's io-wq workers count).");
    demo.note("Syscalls: every thread's, counted by perf's raw_syscalls:sys_enter tracepoint.");
    demo.note("Buffered Linux AIO reads inside io_submit: the submission is the whole wait. io_uring reads a missing");
    demo.note("page without blocking the submitter (async buffered reads, or an io-wq worker).");
    return demo.finish();
}
