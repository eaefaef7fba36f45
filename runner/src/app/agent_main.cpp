// SPDX-License-Identifier: GPL-2.0
// agent_main.cpp - kbench-agent, the statically linked program that runs a
// plan inside a guest: it reads /plan.json, drives /dev/kbench and writes
// the record stream to the data serial line. No statistics here.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "core/error.h"
#include "device/device.h"
#include "measure/environment.h"
#include "measure/fuzz.h"
#include "measure/plan.h"
#include "measure/selftest.h"

int main(int argc, char** argv) {
  std::string plan_path = "/plan.json", out_path = "/dev/ttyS1", dev_path = "/dev/kbench";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--plan")
      plan_path = argv[i + 1];
    else if (k == "--out")
      out_path = argv[i + 1];
    else if (k == "--device")
      dev_path = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: kbench-agent [--plan FILE] [--out FILE] [--device PATH]\n");
      return 2;
    }
  }
  try {
    std::ifstream in(plan_path);
    if (!in) throw kbench::Error("cannot read plan " + plan_path);
    std::stringstream ss;
    ss << in.rdbuf();
    const kbench::Plan plan = nlohmann::json::parse(ss.str()).get<kbench::Plan>();
    const int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY | O_CLOEXEC, 0644);
    if (fd < 0) throw kbench::Error("cannot open " + out_path + ": " + std::strerror(errno));
    kbench::FdRecordSink sink(fd);
    auto device = kbench::open_kernel_device(dev_path);
    kbench::execute_plan(plan, *device, sink, kbench::capture_environment(), nullptr, nullptr);
    if (plan.selftest) sink.write({{"type", "selftest"}, {"checks", kbench::run_device_selftest(dev_path)}});
    if (plan.fuzz_calls)
      sink.write({{"type", "fuzz"}, {"result", kbench::fuzz_device(dev_path, plan.fuzz_calls, plan.seed)}});
    ::fsync(fd);
    ::close(fd);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kbench-agent: %s\n", e.what());
    return 1;
  }
  return 0;
}
