#include "2-runner/escaped_children.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "2-runner/process_table.hpp"

namespace c10k::grader {
namespace {
std::mutex g_live_groups_mutex;
std::set<pid_t> g_live_groups;
}  // namespace

LiveGroupRegistration::LiveGroupRegistration() : lock_(g_live_groups_mutex) {}

void LiveGroupRegistration::add(pid_t group) { g_live_groups.insert(group); }

void forget_live_group(pid_t group) {
    std::lock_guard lock(g_live_groups_mutex);
    g_live_groups.erase(group);
}

void become_subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }

int kill_escaped_descendants() {
    const pid_t self = ::getpid();
    const pid_t own_group = ::getpgrp();
    std::lock_guard lock(g_live_groups_mutex);
    int killed = 0;
    // Repeat: a killed escapee's own children are re-parented to us in turn.
    for (int round = 0; round < 5; ++round) {
        int found = 0;
        for (const ProcessEntry& process : list_processes()) {
            // Our own helpers (e.g. a popen'd command) share our group: leave them alone.
            if (process.parent != self || process.group == own_group || g_live_groups.contains(process.group))
                continue;
            if (!process.zombie) {  // a zombie is already dead: only reap it
                ::kill(process.pid, SIGKILL);
                ++found;
            }
            ::waitpid(process.pid, nullptr, 0);
        }
        killed += found;
        if (found == 0) break;
    }
    return killed;
}

}  // namespace c10k::grader
