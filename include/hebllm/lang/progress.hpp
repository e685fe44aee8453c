// SPDX-License-Identifier: MIT
#pragma once
// A progress bar for training and evaluation: tokens done, tokens/s, running bits and top-1.
// Draws on stderr only when stderr is a terminal (at most 10 times a second), otherwise silent.

#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>

namespace hebllm::lang {

class progress {
public:
    progress(std::string label, std::uint64_t total);
    progress(const progress&) = delete;
    progress& operator=(const progress&) = delete;
    ~progress();
    void update(std::uint64_t done, double bits = NAN, double top1 = NAN);
    void finish();  // draws the final state and ends the line

private:
    void draw(bool final);
    std::string label_;
    std::uint64_t total_;
    std::uint64_t done_ = 0;
    double bits_ = NAN, top1_ = NAN;
    bool active_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace hebllm::lang
