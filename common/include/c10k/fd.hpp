#pragma once
/// @file fd.hpp
/// @brief Fd: a file descriptor that closes itself.

namespace c10k {

/// Owns one file descriptor and closes it when destroyed.
///
/// Move-only: exactly one Fd owns a descriptor, so it is closed exactly once.
/// A default-constructed or moved-from Fd holds -1 and closes nothing.
class Fd {
public:
    Fd() noexcept = default;
    /// Takes ownership of @p fd (which may be -1 for "none").
    explicit Fd(int fd) noexcept : fd_(fd) {}
    ~Fd();

    Fd(Fd&& other) noexcept;
    Fd& operator=(Fd&& other) noexcept;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;

    /// The descriptor, still owned by this Fd (-1 if none).
    [[nodiscard]] int get() const noexcept { return fd_; }
    /// True when a descriptor is held.
    [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
    explicit operator bool() const noexcept { return valid(); }

    /// Gives up ownership without closing; the caller must close the result.
    [[nodiscard]] int release() noexcept;
    /// Closes the held descriptor (if any) and takes @p fd instead.
    void reset(int fd = -1) noexcept;

private:
    int fd_ = -1;
};

}  // namespace c10k
