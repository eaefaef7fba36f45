// SPDX-License-Identifier: GPL-2.0
// errno_names.h - the symbolic names of the errnos a /dev/kbench caller
// meets (the ABI's own, and what the VFS and a privilege check add), for
// the selftest's and the fuzzer's reports.
#pragma once

#include <cerrno>

namespace kbench {

// "EINVAL" for EINVAL; nullptr for an errno not listed here.
inline const char* errno_symbol(int e) {
  switch (e) {
    case EPERM:
      return "EPERM";
    case EACCES:
      return "EACCES";
    case EINVAL:
      return "EINVAL";
    case EPROTO:
      return "EPROTO";
    case ENOTTY:
      return "ENOTTY";
    case EFBIG:
      return "EFBIG";
    case E2BIG:
      return "E2BIG";
    case EOPNOTSUPP:
      return "EOPNOTSUPP";
    case EFAULT:
      return "EFAULT";
    case EINTR:
      return "EINTR";
    case EBUSY:
      return "EBUSY";
    case ETIME:
      return "ETIME";
    case ENOMEM:
      return "ENOMEM";
    default:
      return nullptr;
  }
}

}  // namespace kbench
