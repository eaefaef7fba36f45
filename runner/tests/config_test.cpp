// SPDX-License-Identifier: GPL-2.0
// config_test.cpp - sweep files, including every kind of mistake a user makes.
#include <gtest/gtest.h>

#include <string>

#include "config/config.h"
#include "core/error.h"

namespace kbench {
namespace {

// The error message of parsing text, or "" if it parsed.
std::string error_of(const std::string& text) {
  try {
    parse_config(text, "t.toml");
  } catch (const Error& e) {
    return std::string(e.what()) + " | " + e.hint();
  }
  return "";
}

TEST(Config, ParsesDefaultsAndSweeps) {
  const Config c = parse_config(R"(
description = "d"
[defaults]
batches = 4
gfp = ["GFP_ATOMIC"]
[[sweep]]
name = "a"
apis = ["kmalloc", "vmalloc"]
sizes = [64, "4K"]
patterns = ["pair", "batch"]
batch_sizes = [8, 16]
[[sweep]]
apis = "all"
sizes = ["1M"]
batches = 2
ops_per_batch = 3
contexts = ["preempt-off"]
)",
                                "t.toml");
  EXPECT_EQ(c.description, "d");
  ASSERT_EQ(c.sweeps.size(), 2U);
  const SweepBlock& a = c.sweeps[0];
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.where, "t.toml:6");
  EXPECT_EQ(a.apis, (std::vector<uint32_t>{KBENCH_API_KMALLOC, KBENCH_API_VMALLOC}));
  EXPECT_EQ(a.sizes, (std::vector<uint64_t>{64, 4096}));
  EXPECT_EQ(a.batches, 4U);
  ASSERT_EQ(a.gfps.size(), 1U);
  EXPECT_EQ(a.gfps[0].base, static_cast<uint32_t>(KBENCH_GFP_ATOMIC));
  EXPECT_EQ(a.batch_sizes, (std::vector<uint32_t>{8, 16}));
  EXPECT_FALSE(a.ops_per_batch.has_value());
  const SweepBlock& b = c.sweeps[1];
  EXPECT_EQ(b.name, "sweep-2");
  EXPECT_EQ(b.apis.size(), static_cast<size_t>(KBENCH_API_COUNT));
  EXPECT_EQ(b.batches, 2U);
  EXPECT_EQ(b.ops_per_batch.value_or(0), 3U);
  EXPECT_EQ(b.contexts, (std::vector<uint32_t>{KBENCH_CTX_PREEMPT_OFF}));
}

TEST(Config, ErrorsNameFileLineAndWhatIsAllowed) {
  const std::string unknown_api = error_of("[[sweep]]\napis = [\"kmaloc\"]\nsizes = [64]\n");
  EXPECT_NE(unknown_api.find("t.toml:2"), std::string::npos) << unknown_api;
  EXPECT_NE(unknown_api.find("did you mean 'kmalloc'"), std::string::npos) << unknown_api;
  EXPECT_NE(unknown_api.find("allowed: noop, kmalloc"), std::string::npos) << unknown_api;

  const std::string bad_key = error_of("[[sweep]]\napis = [\"kmalloc\"]\nsizes = [64]\nsize = 3\n");
  EXPECT_NE(bad_key.find("t.toml:4: unknown key 'size'"), std::string::npos) << bad_key;
  EXPECT_NE(bad_key.find("did you mean 'sizes'"), std::string::npos) << bad_key;

  const std::string bad_gfp =
      error_of("[[sweep]]\napis = [\"kmalloc\"]\nsizes = [64]\n\ngfp = [\"GFP_KERNEL|__GFP_ZER\"]\n");
  EXPECT_NE(bad_gfp.find("t.toml:5"), std::string::npos) << bad_gfp;
  EXPECT_NE(bad_gfp.find("__GFP_ZERO"), std::string::npos) << bad_gfp;

  const std::string bad_size = error_of("[[sweep]]\napis = [\"kmalloc\"]\nsizes = [\"4Q\"]\n");
  EXPECT_NE(bad_size.find("t.toml:3: bad size '4Q'"), std::string::npos) << bad_size;

  const std::string zero_batches = error_of("[defaults]\nbatches = 0\n[[sweep]]\napis = [\"kmalloc\"]\nsizes = [64]\n");
  EXPECT_NE(zero_batches.find("t.toml:2"), std::string::npos) << zero_batches;

  const std::string syntax = error_of("[[sweep]\napis = 1\n");
  EXPECT_NE(syntax.find("t.toml:1"), std::string::npos) << syntax;

  EXPECT_NE(error_of("description = \"x\"\n").find("no [[sweep]] block"), std::string::npos);
  EXPECT_NE(error_of("[[sweep]]\nsizes = [64]\n").find("has no 'apis'"), std::string::npos);
  EXPECT_NE(error_of("[[sweep]]\napis = [\"noop\"]\n").find("has no 'sizes'"), std::string::npos);
  EXPECT_NE(error_of("[[sweep]]\napis = []\nsizes=[1]\n").find("'apis' is empty"), std::string::npos);
  EXPECT_NE(error_of("[[sweep]]\napis = [\"noop\"]\nsizes=[1]\nbatch_sizes=[70000]\n").find("1 to 65536"),
            std::string::npos);
  EXPECT_NE(error_of("colour = 1\n[[sweep]]\napis=[\"noop\"]\nsizes=[1]\n").find("unknown top-level key"),
            std::string::npos);
  EXPECT_NE(error_of("[defaults]\nname = \"x\"\n[[sweep]]\napis=[\"noop\"]\nsizes=[1]\n").find("in [defaults]"),
            std::string::npos);
}

TEST(Config, RunTable) {
  const Config c = parse_config(
      "[run]\nrepetitions = 7\ninterleave = false\nseed = 5\nmax_repetitions = 12\ncv_target = 0.05\n"
      "discard_noisy = true\n[[sweep]]\napis=[\"noop\"]\nsizes=[1]\n",
      "t.toml");
  EXPECT_EQ(c.run.repetitions, 7U);
  EXPECT_FALSE(c.run.interleave);
  EXPECT_EQ(c.run.seed.value_or(0), 5U);
  EXPECT_EQ(c.run.max_repetitions, 12U);
  EXPECT_DOUBLE_EQ(c.run.cv_target, 0.05);
  EXPECT_TRUE(c.run.discard_noisy);
  const Config d = parse_config("[[sweep]]\napis=[\"noop\"]\nsizes=[1]\n", "t.toml");
  EXPECT_EQ(d.run.repetitions, 5U);
  EXPECT_FALSE(d.run.seed.has_value());
  EXPECT_NE(
      error_of("[run]\nrepetition = 3\n[[sweep]]\napis=[\"noop\"]\nsizes=[1]\n").find("did you mean 'repetitions'"),
      std::string::npos);
  EXPECT_NE(error_of("[run]\nrepetitions = 5\nmax_repetitions = 2\n[[sweep]]\napis=[\"noop\"]\nsizes=[1]\n")
                .find("below repetitions"),
            std::string::npos);
  EXPECT_NE(error_of("[run]\ncv_target = 3\n[[sweep]]\napis=[\"noop\"]\nsizes=[1]\n").find("t.toml:2"),
            std::string::npos);
}

TEST(Config, ShippedConfigsLoad) {
  for (const char* name : {"quick.toml", "default.toml"}) {
    const Config c = load_config(std::string(KBENCH_SOURCE_DIR) + "/configs/" + name);
    EXPECT_FALSE(c.sweeps.empty()) << name;
  }
  EXPECT_THROW(load_config("/nonexistent.toml"), Error);
}

TEST(Config, EveryOptionIsDocumented) {
  const std::string doc = describe_config_keys();
  for (const auto& o : sweep_options()) {
    EXPECT_NE(doc.find(std::string(o.key)), std::string::npos) << o.key;
    EXPECT_FALSE(o.help.empty()) << o.key;
  }
}

}  // namespace
}  // namespace kbench
