// SPDX-License-Identifier: GPL-2.0
// raw_event.cpp - libpfm4 name lookup for a kernel-mode perf event.
#include "measure/raw_event.h"

#include <perfmon/pfmlib_perf_event.h>

#include <cstring>

namespace kbench {

RawEvent resolve_raw_event(const std::string& name) {
  RawEvent ev;
  static const int init = pfm_initialize();
  if (init != PFM_SUCCESS) {
    ev.error = std::string("libpfm4 could not initialise: ") + pfm_strerror(init);
    return ev;
  }
  perf_event_attr attr{};
  pfm_perf_encode_arg_t arg{};
  arg.attr = &attr;
  arg.size = sizeof(arg);
  const int rc = pfm_get_os_event_encoding(name.c_str(), PFM_PLM0, PFM_OS_PERF_EVENT, &arg);
  if (rc != PFM_SUCCESS) {
    ev.error = "libpfm4 cannot resolve '" + name + "' on this CPU: " + pfm_strerror(rc);
    return ev;
  }
  ev.ok = true;
  ev.type = attr.type;
  ev.config = attr.config;
  return ev;
}

}  // namespace kbench
