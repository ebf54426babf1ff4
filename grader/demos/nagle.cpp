// Nagle's algorithm meets delayed ACK. A client sends each request as two writes (a header,
// then a body) and waits for the answer. Nagle holds the body back until the header is
// acknowledged; the server, still waiting for the body, has nothing to send, so it delays
// its ACK (40 ms at least on Linux). Every request stalls. One write per request, or
// TCP_NODELAY, and the stall is gone.
//
//   c10k-demo-nagle [--small] [--out DIR]

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "c10k/fd.hpp"
#include "c10k/syscall_error.hpp"
#include "demo_report.hpp"
#include "loopback.hpp"

namespace {

using c10k::Fd;
using c10k::check_syscall;
using namespace c10k::demo;

constexpr std::size_t kHeader = 16, kBody = 100, kAnswer = 8;

void read_exactly(int fd, char* buffer, std::size_t size) {
    for (std::size_t done = 0; done < size;) {
        ssize_t n = ::read(fd, buffer + done, size - done);
        if (n <= 0) throw std::runtime_error(n == 0 ? "the peer closed early" : std::string("read: ") + std::strerror(errno));
        done += static_cast<std::size_t>(n);
    }
}

void write_all(int fd, const char* data, std::size_t size) {
    if (::write(fd, data, size) != static_cast<ssize_t>(size)) throw std::runtime_error("write: short or failed");
}

// The server: reads whole requests, answers each with one write.
void serve(int connection, int requests) {
    char request[kHeader + kBody], answer[kAnswer] = "answer!";
    for (int i = 0; i < requests; ++i) {
        read_exactly(connection, request, sizeof request);
        write_all(connection, answer, sizeof answer);
    }
}

enum class Way { two_writes, one_write, two_writes_nodelay };

// Latencies in µs of @p requests request/answer round trips.
std::vector<double> measure(Way way, int requests) {
    auto [client, connection] = connected_pair(5);  // a side that stops makes the other fail in 5 s
    int on = 1;
    if (way == Way::two_writes_nodelay)
        check_syscall(::setsockopt(client.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on), "setsockopt");
    std::string server_failure, client_failure;
    std::thread server([&, fd = connection.get()] {
        try {
            serve(fd, requests);
        } catch (const std::exception& error) {
            server_failure = error.what();
        }
    });
    std::vector<double> latencies;
    try {
        char request[kHeader + kBody], answer[kAnswer];
        std::memset(request, 'x', sizeof request);
        for (int i = 0; i < requests; ++i) {
            double start = now_s();
            if (way == Way::one_write) {
                write_all(client.get(), request, sizeof request);
            } else {
                write_all(client.get(), request, kHeader);
                write_all(client.get(), request + kHeader, kBody);
            }
            read_exactly(client.get(), answer, sizeof answer);
            latencies.push_back((now_s() - start) * 1e6);
        }
    } catch (const std::exception& error) {
        client_failure = error.what();
        ::shutdown(client.get(), SHUT_RDWR);  // the server's next read fails at once
    }
    server.join();
    if (!client_failure.empty() || !server_failure.empty())
        throw std::runtime_error(client_failure.empty() ? server_failure : client_failure);
    return latencies;
}

double percentile(std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    auto index = static_cast<std::size_t>(p / 100 * static_cast<double>(values.size() - 1) + 0.5);
    return values[std::min(index, values.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
    Demo demo("nagle", "two small writes per request, Nagle and delayed ACK: the 40 ms stall", argc, argv);
    const int requests = demo.small() ? 30 : 100;
    struct Case {
        Way way;
        const char* name;
    };
    const Case cases[] = {{Way::two_writes, "two writes (header, body)"},
                          {Way::one_write, "one write"},
                          {Way::two_writes_nodelay, "two writes, TCP_NODELAY"}};
    // Histogram buckets, upper bounds in ms.
    const std::vector<std::pair<double, std::string>> buckets = {
        {0.1, "< 0.1 ms"}, {1, "0.1-1 ms"}, {10, "1-10 ms"}, {30, "10-30 ms"}, {60, "30-60 ms"}, {1e9, ">= 60 ms"}};
    auto& table = demo.table(number(requests) + " requests of " + std::to_string(kHeader + kBody) +
                                 " B on one loopback connection",
                             {"", "median", "p99", "max", "requests >= 30 ms", "requests/s"});
    c10k::grader::BarTable histogram{"latency", {}, {}, {}};
    for (const auto& bucket : buckets) histogram.rows.push_back(bucket.second);
    for (const auto& c : cases) {
        std::vector<double> latencies;
        try {
            latencies = measure(c.way, requests);
        } catch (const std::exception& error) {
            add_row(table, {c.name, error.what()});
            continue;
        }
        double total = 0;
        long slow = 0;
        std::vector<long> counts(buckets.size());
        for (double us : latencies) {
            total += us;
            slow += us >= 30000;
            std::size_t b = 0;
            while (us / 1000 >= buckets[b].first) ++b;
            ++counts[b];
        }
        add_row(table, {c.name, duration_us(percentile(latencies, 50)), duration_us(percentile(latencies, 99)),
                        duration_us(percentile(latencies, 100)), number(slow),
                        number(static_cast<double>(latencies.size()) / (total * 1e-6))});
        demo.figures()[c.name] = {{"median_us", percentile(latencies, 50)}, {"p99_us", percentile(latencies, 99)},
                                  {"max_us", percentile(latencies, 100)}, {"stalled", slow},
                                  {"requests", latencies.size()}, {"histogram", counts}};
        histogram.columns.push_back(c.name);
        for (std::size_t b = 0; b < buckets.size(); ++b)
            histogram.values[{buckets[b].second, c.name}] = counts[b] > 0 ? static_cast<double>(counts[b]) : -1;
    }
    demo.note("A new connection acknowledges at once for its first segments (quick-ACK mode), so the first");
    demo.note("two-write request or so is fast; after that, each waits for the server's delayed ACK.");
    demo.chart("histogram", c10k::grader::bars(histogram, "Request latency on loopback: how many requests took how long",
                                               "requests", true, c10k::grader::KeyPlace::below));
    return demo.finish();
}
