#pragma once
/// @file escaped_children.hpp
/// @brief No server leaves anything behind: children that escape their server's process
/// group (setsid, double fork) are re-parented to the grader and killed here.

#include <sys/types.h>

#include <mutex>

namespace c10k::grader {

/// Makes this process the reaper of every orphaned descendant (PR_SET_CHILD_SUBREAPER), so
/// a server's child that escapes its process group (setsid) is re-parented here and not to
/// init, where it could run on unnoticed. Call once, before starting servers.
void become_subreaper();

/// Kills and reaps every child of this process outside this process's own group that is
/// not in a live group (see LiveGroupRegistration): the escaped descendants of servers.
/// Safe while other gradings run in parallel. Returns how many.
int kill_escaped_descendants();

/// The process groups of the servers (and compilers) running now, in any thread: parallel
/// gradings must not take each other's live servers for escaped leftovers. Hold one from
/// before fork() until add() registered the new group, so a clean-up scan can never see a
/// child that is not registered yet.
class LiveGroupRegistration {
public:
    LiveGroupRegistration();
    void add(pid_t group);
    /// Unlocks early (after add), so the caller does not block other gradings.
    void release() { lock_.unlock(); }

private:
    std::unique_lock<std::mutex> lock_;
};

/// The group has ended and been reaped.
void forget_live_group(pid_t group);

}  // namespace c10k::grader
