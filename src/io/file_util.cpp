// SPDX-License-Identifier: MIT
#include "io/file_util.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hebllm/errors.hpp>

namespace hebllm::io_detail {
namespace {

std::string errno_text(int err) {
    return std::generic_category().message(err);
}

// Closes a file descriptor on scope exit (unless released).
class fd_guard {
public:
    explicit fd_guard(int fd) : fd_(fd) {}
    ~fd_guard() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    fd_guard(const fd_guard&) = delete;
    fd_guard& operator=(const fd_guard&) = delete;
    int get() const { return fd_; }
    // Closes now and reports close()'s error (a delayed write error can surface here).
    int close_checked() {
        const int fd = fd_;
        fd_ = -1;
        return ::close(fd);
    }

private:
    int fd_;
};

}  // namespace

std::string read_file(const std::filesystem::path& path) {
    const std::string name = path.string();
    // Only regular files: a FIFO would block open() and a device like /dev/zero never ends.
    struct stat before {};
    if (::stat(path.c_str(), &before) == 0 && !S_ISREG(before.st_mode)) {
        throw file_error(name, 0,
                         S_ISDIR(before.st_mode)
                             ? "is a directory, not a file"
                             : "is not a regular file (device, pipe or socket)");
    }
    int fd = -1;
    do {
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        throw file_error(name, 0, "cannot open file: " + errno_text(errno));
    }
    fd_guard guard(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        throw file_error(name, 0, "cannot stat file: " + errno_text(errno));
    }
    if (S_ISDIR(st.st_mode)) {
        throw file_error(name, 0, "is a directory, not a file");
    }
    std::string data;
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
        data.reserve(static_cast<std::size_t>(st.st_size));
    }
    char buffer[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw file_error(name, 0, "cannot read file: " + errno_text(errno));
        }
        if (n == 0) {
            break;
        }
        data.append(buffer, static_cast<std::size_t>(n));
    }
    return data;
}

void write_file_atomic(const std::filesystem::path& path, std::string_view data) {
    write_file_atomic(path, [&](const byte_sink& write) {
        write({reinterpret_cast<const std::uint8_t*>(data.data()), data.size()});
    });
}

void write_file_atomic(const std::filesystem::path& path,
                       const std::function<void(const byte_sink&)>& produce,
                       const checkpoint_fault& fault) {
    const std::string name = path.string();
    if (!path.has_filename()) {
        throw file_error(name, 0, "cannot write: not a file name");
    }
    std::filesystem::path dir = path.parent_path();
    if (dir.empty()) {
        dir = ".";
    }
    // Unique within this process by the counter and across processes by the pid; O_EXCL
    // makes a collision an error instead of a shared file.
    static std::atomic<std::uint64_t> counter{0};
    // Built with append: GCC 12 at -O2 gives a false -Wrestrict for "." + std::string.
    std::string temp_name(1, '.');
    temp_name.append(path.filename().string())
        .append(".tmp.")
        .append(std::to_string(::getpid()))
        .append(".")
        .append(std::to_string(counter.fetch_add(1)));
    const std::filesystem::path temp = dir / temp_name;
    int fd = -1;
    do {
        // 0666 & ~umask: the permissions an ordinary new file gets (mkstemp would give 0600).
        fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        throw file_error(
            name, 0,
            "cannot create temporary file in '" + dir.string() + "': " + errno_text(errno));
    }
    fd_guard guard(fd);
    auto fail = [&](const std::string& what, int err) {
        if (guard.get() >= 0) {
            guard.close_checked();
        }
        ::unlink(temp.c_str());
        throw file_error(name, 0, what + ": " + errno_text(err));
    };
    std::uint64_t written = 0;
    const byte_sink write = [&](std::span<const std::uint8_t> bytes) {
        const std::uint8_t* p = bytes.data();
        std::size_t left = bytes.size();
        while (left > 0) {
            std::size_t chunk = left;
            if (fault.after_bytes >= 0) {  // the test seam: die after exactly K bytes
                const auto limit = static_cast<std::uint64_t>(fault.after_bytes);
                if (written >= limit) {
                    ::_exit(86);
                }
                chunk = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, limit - written));
            }
            const ssize_t n = ::write(fd, p, chunk);
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                fail("cannot write", errno);
            }
            p += n;
            left -= static_cast<std::size_t>(n);
            written += static_cast<std::uint64_t>(n);
        }
    };
    try {
        produce(write);
    } catch (...) {
        if (guard.get() >= 0) {  // else fail() has closed and removed it already
            guard.close_checked();
            ::unlink(temp.c_str());
        }
        throw;
    }
    if (fault.after_bytes >= 0) {  // K >= the file's size: everything written, not flushed
        ::_exit(86);
    }
    if (::fsync(fd) != 0) {
        fail("cannot flush to disk", errno);
    }
    if (guard.close_checked() != 0) {
        fail("cannot close", errno);
    }
    if (fault.before_rename) {
        ::_exit(86);
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        fail("cannot rename temporary file into place", errno);
    }
    if (fault.after_rename) {
        ::_exit(86);
    }
    // Make the rename itself durable. Best effort: some file systems refuse fsync on a
    // directory, and the data is already safely in place for readers.
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        (void)::fsync(dir_fd);
        ::close(dir_fd);
    }
}

void append_double(std::string& out, double v) {
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    out.append(buffer, result.ptr);
}

std::string format_double(double v) {
    std::string s;
    append_double(s, v);
    return s;
}

void append_int(std::string& out, std::int64_t v) {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    out.append(buffer, result.ptr);
}

void append_uint(std::string& out, std::uint64_t v) {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    out.append(buffer, result.ptr);
}

field_error_kind parse_u32(std::string_view text, std::uint32_t& out) {
    if (text.empty()) {
        return field_error_kind::empty;
    }
    if (text.front() == '-') {
        return field_error_kind::negative;
    }
    const char* end = text.data() + text.size();
    const auto result = std::from_chars(text.data(), end, out);
    if (result.ec == std::errc::result_out_of_range) {
        return field_error_kind::out_of_range;
    }
    if (result.ec != std::errc() || result.ptr == text.data()) {
        return field_error_kind::not_a_number;
    }
    if (result.ptr != end) {
        return field_error_kind::trailing;
    }
    return field_error_kind::none;
}

field_error_kind parse_double(std::string_view text, double& out) {
    if (text.empty()) {
        return field_error_kind::empty;
    }
    const char* begin = text.data();
    const char* end = begin + text.size();
    // from_chars rejects a leading '+', which spreadsheets and printf("%+g") can produce.
    if (*begin == '+' && text.size() > 1 && *(begin + 1) != '-') {
        ++begin;
    }
    const auto result = std::from_chars(begin, end, out, std::chars_format::general);
    if (result.ec == std::errc::result_out_of_range) {
        return field_error_kind::out_of_range;
    }
    if (result.ec != std::errc() || result.ptr == begin) {
        return field_error_kind::not_a_number;
    }
    if (result.ptr != end) {
        return field_error_kind::trailing;
    }
    if (!std::isfinite(out)) {
        return field_error_kind::not_finite;
    }
    return field_error_kind::none;
}

std::string describe_field_error(field_error_kind kind, std::string_view field_name,
                                 std::string_view text, bool integer) {
    // Built with append: GCC 12 at -O2 gives a false -Wrestrict for "'" + std::string(...).
    std::string field(1, '\'');
    field.append(field_name).push_back('\'');
    std::string got(1, '\'');
    got.append(text).push_back('\'');
    const char* wanted = integer ? "a non-negative integer" : "a finite number";
    switch (kind) {
        case field_error_kind::none: break;
        case field_error_kind::empty: return field + " is empty";
        case field_error_kind::negative:
            return field + " must be " + wanted + ", got negative " + got;
        case field_error_kind::not_a_number:
            return field + " must be " + wanted + ", got non-numeric " + got;
        case field_error_kind::trailing:
            return field + " must be " + wanted + ", got " + got + " (trailing characters)";
        case field_error_kind::out_of_range:
            return field + " is out of range: " + got +
                   (integer ? " (largest allowed: 4294967295)" : "");
        case field_error_kind::not_finite: return field + " must be " + wanted + ", got " + got;
    }
    return field + ": invalid value " + got;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

}  // namespace hebllm::io_detail
