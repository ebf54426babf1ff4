#pragma once
// Test helpers: is a process still there, and is anything left running from a binary.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

#include <sys/types.h>

namespace test_support {

/// True while @p pid exists and is not a zombie.
inline bool process_alive(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!std::getline(stat, text)) return false;
    auto close = text.rfind(')');
    return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z';
}

/// Live processes whose command line starts with @p binary.
inline int processes_running(const std::string& binary) {
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream cmdline(entry.path() / "cmdline");
        std::string argv0;
        std::getline(cmdline, argv0, '\0');
        if (argv0 == binary && process_alive(std::stoi(name))) ++count;
    }
    return count;
}

/// Processes whose parent is this process (zombies included: a child not reaped is
/// left behind too). Safe under parallel ctest, unlike matching by binary name.
inline int children_left() {
    int count = 0;
    std::string self = std::to_string(::getpid());
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        std::ifstream stat(entry.path() / "stat");
        std::string text;
        if (!std::getline(stat, text)) continue;
        auto close = text.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream fields(text.substr(close + 2));
        std::string state, parent;
        fields >> state >> parent;
        if (parent == self) ++count;
    }
    return count;
}

}  // namespace test_support
