// SPDX-License-Identifier: MIT
#pragma once
// Test seam of the checkpoint writer (not public API): tests/robustness/checkpoint_driver.cpp
// makes the writer end the process (_exit(86)) at a chosen point, as a crash would, to check
// that a crash at any moment leaves the old checkpoint or the new one under the name.
// Production code never sets it; without it the writer is io_detail::write_file_atomic.

namespace hebllm::io_detail {

struct checkpoint_fault {
    long long after_bytes = -1;  // >= 0: die after this many bytes of the temporary file
    bool before_rename = false;  // die once the temporary file is complete and flushed
    bool after_rename = false;   // die right after the rename, before the directory fsync
};

// Applies to every checkpoint this process writes from now on.
void set_checkpoint_fault(const checkpoint_fault& fault);

}  // namespace hebllm::io_detail
