#include "race_proxy/contestant.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "1-spec/spec_error.hpp"
#include "2-runner/network_namespace.hpp"
#include "2-runner/process_table.hpp"
#include "2-runner/program_path.hpp"
#include "c10k/fd.hpp"
#include "c10k/io_uring_support.hpp"
#include "test_failure.hpp"
#include "tool_error.hpp"

namespace c10k::grader {
namespace {

constexpr const char* kTinyGate = "solutions/09-tinygate/server";  // the reference: tinygate-*
constexpr const char* kStudentTinyGate = "labs/09-tinygate/server";  // the student's: yours-*
// Idle origin connections each contestant may keep (per worker): above the race's 500
// clients, so no contestant closes and reopens origin connections per request. With the
// defaults (nginx: keepalive is off without the directive; TinyGate: 64), 500 clients made
// every proxy reconnect for most requests and all of them measured connect() instead.
constexpr int kUpstreamPool = 1024;

// nginx and haproxy live in /usr/sbin, which is not on every user's PATH.
std::optional<std::string> find_daemon(const std::string& name) {
    if (auto found = find_program(name)) return found;
    for (const char* dir : {"/usr/sbin/", "/sbin/", "/usr/local/sbin/"})
        if (::access((dir + name).c_str(), X_OK) == 0) return dir + name;
    return std::nullopt;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

// The last few lines of @p text, joined with " | ".
std::string tail_lines(const std::string& text, std::size_t count = 3) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    std::string out;
    for (std::size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i)
        out += (out.empty() ? "" : " | ") + lines[i];
    return out;
}

// A port nobody listens on in the race's network: nginx and haproxy take theirs from a file.
std::uint16_t unused_port(pid_t network_pid) {
    NetworkNamespaceGuard in_network(network_pid);
    c10k::Fd probe(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (!probe || ::bind(probe.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(probe.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0)
        throw ToolError(std::string("cannot find a free port on 127.0.0.1: ") + std::strerror(errno));
    return ntohs(address.sin_port);
}

bool accepts_connections(std::uint16_t port, pid_t network_pid) {
    NetworkNamespaceGuard in_network(network_pid);
    c10k::Fd probe(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    return probe && ::connect(probe.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
}

SandboxLimits contestant_limits(const ContestantSetting& setting) {
    // A benchmark, not a student's code: a thread per connection reserves GBs of stacks, and
    // nginx and haproxy size their descriptor limits from their configurations.
    SandboxLimits limits = tool_limits();
    limits.join_network_of = setting.network_pid;
    return limits;
}

std::filesystem::path make_dir() {
    const char* tmp = std::getenv("TMPDIR");  // a test gives each run a folder of its own
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/c10k-race-proxy-XXXXXX";
    if (!::mkdtemp(pattern.data())) throw ToolError(std::string("mkdtemp: ") + std::strerror(errno), "make /tmp writable");
    ::chmod(pattern.c_str(), 0755);  // nginx's workers run as nobody when started by root
    return pattern;
}

}  // namespace

std::string fill_template(std::string text, const std::vector<std::pair<std::string, std::string>>& values) {
    for (const auto& [name, value] : values) {
        std::string placeholder = "@" + name + "@";
        for (auto at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder, at + value.size()))
            text.replace(at, placeholder.size(), value);
    }
    auto open = text.find('@');
    while (open != std::string::npos) {
        auto close = text.find('@', open + 1);
        if (close == std::string::npos) break;
        std::string name = text.substr(open + 1, close - open - 1);
        if (!name.empty() && name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == std::string::npos)
            throw SpecError("template placeholder @" + name + "@ has no value");
        open = text.find('@', close + 1);
    }
    return text;
}

std::string contestant_missing(const std::string& name, const ContestantSetting& setting) {
    if (name == "nginx" || name == "haproxy")
        return find_daemon(name) ? "" : name + " is not installed: make deps-race installs it";
    if (name.starts_with("tinygate-") && !std::filesystem::exists(setting.source_dir / "solutions/09-tinygate"))
        return "the reference is not in this checkout (the handout has no solutions/); your own TinyGate "
               "races with make race-proxy LAB=09";
    if (name.starts_with("tinygate-") && ::access((setting.build_dir / kTinyGate).c_str(), X_OK) != 0)
        return "TinyGate's reference is not built (" + (setting.build_dir / kTinyGate).string() + "): run make";
    if (name.starts_with("yours-") && ::access((setting.build_dir / kStudentTinyGate).c_str(), X_OK) != 0)
        return "your lab 09 is not built (" + (setting.build_dir / kStudentTinyGate).string() +
               "): make race-proxy LAB=09 builds it";
    if (name.ends_with("-io_uring"))
        if (auto why = c10k::probe_io_uring()) return *why;  // e.g. a container's seccomp profile
    return {};
}

RunningContestant::RunningContestant(const std::string& name, int workers, const ContestantSetting& setting)
    : name_(name) {
    if (name == "origin-direct") {
        watched_ = setting.origin_pid;
        port_ = setting.origin_port;
        return;
    }
    std::string upstream = "127.0.0.1:" + std::to_string(setting.origin_port);
    if (name.starts_with("tinygate-") || name.starts_with("yours-")) {
        bool reference = name.starts_with("tinygate-");
        std::string model = name.substr(name.find('-') + 1);
        std::vector<std::string> command{(setting.build_dir / (reference ? kTinyGate : kStudentTinyGate)).string(),
                                         "--port", "0", "--upstream", upstream, "--model", model};
        command.insert(command.end(), {"--pool", std::to_string(kUpstreamPool)});
        if (model != "threads") command.insert(command.end(), {"--workers", std::to_string(workers)});
        process_.emplace(command, contestant_limits(setting));
        port_ = process_->wait_for_announce(Deadline(Seconds(5)));
        watched_ = process_->pid();
        return;
    }
    auto binary = find_daemon(name);
    if (!binary) throw ToolError(name + " is not installed", "make deps-race");
    dir_ = make_dir();
    port_ = unused_port(setting.network_pid);
    std::string conf_name = name == "nginx" ? "nginx.conf" : "haproxy.cfg";
    std::string text = fill_template(read_file(setting.source_dir / "grader/bench/proxy" / (conf_name + ".in")),
                                     {{"DIR", dir_.string()},
                                      {"PORT", std::to_string(port_)},
                                      {"ORIGIN_PORT", std::to_string(setting.origin_port)},
                                      {"WORKERS", std::to_string(workers)},
                                      {"POOL", std::to_string(kUpstreamPool)}});
    std::ofstream(dir_ / conf_name) << text;
    std::vector<std::string> command =
        name == "nginx" ? std::vector<std::string>{*binary, "-p", dir_.string(), "-c", (dir_ / conf_name).string(), "-e",
                                                   (dir_ / "error.log").string()}
                        : std::vector<std::string>{*binary, "-db", "-f", (dir_ / conf_name).string()};
    process_.emplace(command, contestant_limits(setting));
    watched_ = process_->pid();
    Deadline deadline(Seconds(5));
    while (!accepts_connections(port_, setting.network_pid)) {
        if (std::string why = died(); !why.empty()) throw TestFailure(name + " did not start: " + why);
        if (deadline.expired()) throw TestFailure(name + " did not listen on port " + std::to_string(port_) + " within 5 s");
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

RunningContestant::~RunningContestant() {
    stop();
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
}

std::vector<pid_t> RunningContestant::pids() const {
    // Everything in the contestant's process group: nginx's master and its workers.
    std::vector<pid_t> out;
    for (const ProcessEntry& process : list_processes())
        if (process.pid == watched_ || process.group == watched_) out.push_back(process.pid);
    return out;
}

double RunningContestant::cpu_seconds() const {
    double total = 0;
    for (const ProcessEntry& process : list_processes())
        if (process.pid == watched_ || process.group == watched_) total += std::max(0.0, process.cpu_seconds);
    return total;
}

std::string RunningContestant::died() {
    if (!process_) return {};
    auto status = process_->poll_exit();
    if (!status) return {};
    std::string words = dir_.empty() ? process_->stderr_tail() : tail_lines(read_file(dir_ / "error.log"));
    if (words.empty()) words = process_->stderr_tail();
    return status->describe() + (words.empty() ? "" : "; it said: " + words);
}

std::string RunningContestant::stop() {
    if (!process_) return {};
    ExitStatus status = process_->stop(Seconds(3));
    std::string stderr_words = process_->stderr_tail();
    process_.reset();
    // haproxy in the foreground ends on SIGTERM by the signal: that is its clean stop.
    if (status.clean() || (!status.exited && status.signal == SIGTERM && name_ == "haproxy")) return {};
    return name_ + " " + status.describe() + " when asked to stop" +
           (stderr_words.empty() ? "" : "; it said: " + stderr_words);
}

}  // namespace c10k::grader
