#include "demo_report.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <thread>

#include <CLI/CLI.hpp>

namespace c10k::demo {

Demo::Demo(std::string name, std::string claim, int argc, char** argv)
    : name_(std::move(name)), claim_(std::move(claim)), out_("build/demos") {
    CLI::App app{"c10k-demo-" + name_ + ": " + claim_};
    app.add_flag("--small", small_, "a short version (the tests run it): fewer rounds, smaller sizes");
    app.add_option("--out", out_, "where NAME.json and the charts go")->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        std::exit(app.exit(error));
    }
    std::error_code error;
    std::filesystem::create_directories(out_, error);
    if (error) {
        std::fprintf(stderr, "c10k-demo-%s: cannot make %s: %s\n", name_.c_str(), out_.c_str(), error.message().c_str());
        std::exit(1);
    }
    std::printf("== %s: %s\n", name_.c_str(), claim_.c_str());
    std::fflush(stdout);
}

Demo::~Demo() {
    std::error_code ignored;
    std::filesystem::remove_all(out_ / (name_ + ".scratch"), ignored);
}

std::filesystem::path Demo::scratch() const {
    auto dir = out_ / (name_ + ".scratch");
    std::filesystem::create_directories(dir);
    return dir;
}

Table& Demo::table(std::string title, std::vector<std::string> columns) {
    tables_.push_back({std::move(title), std::move(columns), {}});
    return tables_.back();
}

void Demo::note(std::string line) { notes_.push_back(std::move(line)); }

void Demo::chart(const std::string& stem, const std::string& plot) {
    charts_.push_back({name_ + "-" + stem, grader::render(name_ + "-" + stem, plot)});
}

void add_row(Table& table, std::vector<std::string> cells) {
    cells.resize(table.columns.size());
    table.rows.push_back(std::move(cells));
}

namespace {

// Display width: µs and × are one column each, two bytes in UTF-8.
std::size_t width(const std::string& text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

void print_table(const Table& table) {
    std::vector<std::size_t> widths;
    for (const auto& column : table.columns) widths.push_back(width(column));
    for (const auto& row : table.rows)
        for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], width(row[i]));
    auto line = [&](const std::vector<std::string>& cells) {
        std::string out = " ";
        for (std::size_t i = 0; i < cells.size(); ++i) {
            std::string pad(widths[i] - width(cells[i]), ' ');
            out += " " + (i == 0 ? cells[i] + pad : pad + cells[i]) + " ";  // text left, figures right
        }
        std::puts(out.c_str());
    };
    std::printf("\n  %s\n", table.title.c_str());
    line(table.columns);
    std::string rule = " ";
    for (auto w : widths) rule += " " + std::string(w, '-') + " ";
    std::puts(rule.c_str());
    for (const auto& row : table.rows) line(row);
}

nlohmann::json machine() {
    utsname name{};
    ::uname(&name);
    return {{"cpus", std::thread::hardware_concurrency()}, {"kernel", name.release}, {"root", ::geteuid() == 0}};
}

std::string today() {
    char text[32];
    std::time_t now = std::time(nullptr);
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", std::localtime(&now));
    return text;
}

}  // namespace

void Demo::write_json(const nlohmann::json& extra) const {
    nlohmann::json out = {{"demo", name_}, {"claim", claim_}, {"small", small_}, {"date", today()},
                          {"machine", machine()}};
    out.update(extra);
    std::ofstream(out_ / (name_ + ".json")) << out.dump(2) << "\n";
}

int Demo::finish() {
    for (const auto& table : tables_) print_table(table);
    std::puts("");
    for (const auto& line : notes_) std::printf("  %s\n", line.c_str());
    nlohmann::json tables = nlohmann::json::array();
    for (const auto& t : tables_) tables.push_back({{"title", t.title}, {"columns", t.columns}, {"rows", t.rows}});
    std::vector<std::string> drawn;
    if (!charts_.empty()) {
        auto problems = grader::draw_charts(charts_, out_, "c10k-demo-" + name_);
        for (const auto& problem : problems) std::printf("  %s\n", problem.c_str());
        if (problems.empty())
            for (const auto& chart : charts_) drawn.push_back(chart.stem + ".svg");
    }
    write_json({{"tables", tables}, {"notes", notes_}, {"figures", figures_}, {"charts", drawn}});
    std::printf("  figures: %s\n\n", (out_ / (name_ + ".json")).c_str());
    return 0;
}

int Demo::unavailable(const std::string& what_is_missing) {
    std::printf("  skipped: %s\n\n", what_is_missing.c_str());
    write_json({{"unavailable", what_is_missing}});
    return 0;
}

std::string number(double value, int digits) {
    if (!std::isfinite(value) || value < 0) return "?";
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", digits, value);
    std::string out = text;
    auto point = out.find('.');
    auto integer_end = point == std::string::npos ? out.size() : point;
    for (auto i = integer_end; i > 3; i -= 3) out.insert(i - 3, ",");
    return out;
}

std::string duration_us(double us) {
    if (us < 0) return "?";
    if (us >= 1000) return number(us / 1000, us >= 100000 ? 0 : 1) + " ms";
    return number(us, us < 10 ? 1 : 0) + " µs";
}

std::string bytes(double value) {
    if (value >= (1 << 30)) return number(value / (1 << 30), 2) + " GiB";
    if (value >= (1 << 20)) return number(value / (1 << 20), value >= 100.0 * (1 << 20) ? 0 : 1) + " MiB";
    if (value >= 1024) return number(value / 1024, 0) + " KiB";
    return number(value, 0) + " B";
}

std::string errno_name(int error) {
    const char* name = ::strerrorname_np(error);
    return name ? name : "errno " + std::to_string(error);
}

double now_s() {
    timespec t{};
    ::clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

namespace {
double cpu_clock(clockid_t clock) {
    timespec t{};
    ::clock_gettime(clock, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}
}  // namespace

double thread_cpu_s() { return cpu_clock(CLOCK_THREAD_CPUTIME_ID); }
double process_cpu_s() { return cpu_clock(CLOCK_PROCESS_CPUTIME_ID); }

}  // namespace c10k::demo
