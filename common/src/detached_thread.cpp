#include "c10k/detached_thread.hpp"

#include <pthread.h>

#include <memory>

namespace c10k {
namespace {

void* run(void* argument) {
    std::unique_ptr<std::function<void()>> work(static_cast<std::function<void()>*>(argument));
    (*work)();
    return nullptr;
}

}  // namespace

int start_detached_thread(std::function<void()> work, std::size_t stack_bytes) {
    pthread_attr_t attributes;
    if (int error = ::pthread_attr_init(&attributes)) return error;
    ::pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    ::pthread_attr_setstacksize(&attributes, stack_bytes);
    auto owned = std::make_unique<std::function<void()>>(std::move(work));
    pthread_t thread;
    int error = ::pthread_create(&thread, &attributes, run, owned.get());
    ::pthread_attr_destroy(&attributes);
    if (error == 0) owned.release();  // the thread owns it now
    return error;
}

}  // namespace c10k
