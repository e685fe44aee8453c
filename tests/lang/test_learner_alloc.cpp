// SPDX-License-Identifier: MIT
// The learner's presentation loop allocates nothing per step (issue 11): once a frozen pass has
// started (its one copy of the state taken), presenting and predicting tokens makes no heap
// allocation at all. This binary counts every operator new.

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

#include <gtest/gtest.h>

#include <hebllm/lang/learner.hpp>

namespace {
std::atomic<std::uint64_t> allocations{0};
}  // namespace

// The replacements pair malloc with free; GCC cannot see that every operator new here is this
// one and warns that free() meets a pointer from operator new.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t n) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n == 0 ? 1 : n)) {
        return p;
    }
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    return operator new(n);
}
// The nothrow forms too (std::stable_sort's temporary buffer uses them): every form of new
// that the replaced deletes below may free must come from malloc.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    allocations.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept {
    return operator new(n, t);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}

namespace hebllm::lang {
namespace {

TEST(learner_alloc, presenting_and_predicting_allocates_nothing_per_step) {
    learner_params p;
    p.vocab_size = 8;
    p.conjunction_units_2 = 80;
    p.conjunction_units_3 = 600;
    network_learner net(p, "cpu");
    std::vector<std::uint32_t> stream;
    for (std::uint32_t k = 0; k < 600; ++k) {
        stream.push_back((k * 5 + k / 7) % 8);
    }
    for (std::size_t k = 0; k < 400; ++k) {
        net.observe(stream[k], true);  // learning grows synapses: allowed to allocate
    }
    std::vector<double> probs(p.vocab_size);
    net.start_scoring(false);
    net.predict(probs);  // the first frozen window may size its buffers
    net.observe(stream[400], false);
    const std::uint64_t before = allocations.load();
    for (std::size_t k = 401; k < stream.size(); ++k) {
        net.predict(probs);
        net.observe(stream[k], false);
    }
    const std::uint64_t during = allocations.load() - before;
    net.end_scoring();
    EXPECT_EQ(during, 0u) << "heap allocations while presenting 199 tokens ("
                          << 199 * p.window_steps << " steps)";
}

}  // namespace
}  // namespace hebllm::lang
