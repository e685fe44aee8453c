// SPDX-License-Identifier: MIT
// The progress bar (include/hebllm/lang/progress.hpp).

#include <hebllm/lang/progress.hpp>

#include <unistd.h>

#include <cstdio>
#include <utility>

namespace hebllm::lang {

progress::progress(std::string label, std::uint64_t total)
    : label_(std::move(label)),
      total_(total),
      active_(isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

progress::~progress() {
    if (drawn_) {
        std::fputc('\n', stderr);
    }
}

void progress::update(std::uint64_t done, double bits, double top1) {
    done_ = done;
    bits_ = bits;
    top1_ = top1;
    if (!active_) {
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100)) {
        return;
    }
    last_ = now;
    draw(false);
}

void progress::finish() {
    if (active_) {
        draw(true);
        std::fputc('\n', stderr);
        drawn_ = false;
        active_ = false;
    }
}

void progress::draw(bool final) {
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = s > 0.0 ? static_cast<double>(done_) / s : 0.0;
    const double frac = total_ > 0 ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
    constexpr int width = 24;
    const int filled = static_cast<int>(frac * width + (final ? 0.5 : 0.0));
    char bar[width + 1];
    for (int i = 0; i < width; ++i) {
        bar[i] = i < filled ? '#' : '.';
    }
    bar[width] = '\0';
    std::fprintf(stderr, "\r%-18s [%s] %llu/%llu tokens  %.0f tok/s", label_.c_str(), bar,
                 static_cast<unsigned long long>(done_), static_cast<unsigned long long>(total_),
                 rate);
    if (!std::isnan(bits_)) {
        std::fprintf(stderr, "  %.3f bits", bits_);
    }
    if (!std::isnan(top1_)) {
        std::fprintf(stderr, "  top-1 %.1f%%", 100.0 * top1_);
    }
    std::fprintf(stderr, "\x1b[K");
    std::fflush(stderr);
    drawn_ = true;
}

}  // namespace hebllm::lang
