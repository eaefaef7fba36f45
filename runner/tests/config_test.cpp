// SPDX-License-Identifier: GPL-2.0
// config_test.cpp - sweep files, including every kind of mistake a user
// makes, and the option table that drives them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config/config.h"
#include "config/options.h"
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

std::vector<std::string> strings(const std::vector<Value>& v) {
  std::vector<std::string> out;
  for (const auto& x : v) out.push_back(std::get<std::string>(x));
  return out;
}

std::vector<int64_t> ints(const std::vector<Value>& v) {
  std::vector<int64_t> out;
  for (const auto& x : v) out.push_back(std::get<int64_t>(x));
  return out;
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
  EXPECT_EQ(strings(a.get("apis")), (std::vector<std::string>{"kmalloc", "vmalloc"}));
  EXPECT_EQ(ints(a.get("sizes")), (std::vector<int64_t>{64, 4096}));
  EXPECT_EQ(ints(a.get("batches")), (std::vector<int64_t>{4}));
  ASSERT_EQ(a.get("gfp").size(), 1U);
  EXPECT_EQ(std::get<Gfp>(a.get("gfp")[0]).base, static_cast<uint32_t>(KBENCH_GFP_ATOMIC));
  EXPECT_EQ(ints(a.get("batch_sizes")), (std::vector<int64_t>{8, 16}));
  EXPECT_EQ(std::get<std::string>(a.get("ops_per_batch")[0]), "auto");
  EXPECT_EQ(a.location("batch_sizes"), "t.toml:11");
  const SweepBlock& b = c.sweeps[1];
  EXPECT_EQ(b.name, "sweep-2");
  EXPECT_EQ(b.get("apis").size(), api_names().size());
  EXPECT_EQ(ints(b.get("batches")), (std::vector<int64_t>{2}));
  EXPECT_EQ(ints(b.get("ops_per_batch")), (std::vector<int64_t>{3}));
  EXPECT_EQ(strings(b.get("contexts")), (std::vector<std::string>{"preempt-off"}));
}

TEST(Config, DefaultsComeFromTheOptionTable) {
  // Each default is written once, in the table; a block gets exactly it.
  const SweepBlock d = default_block();
  for (const auto& o : options()) {
    if (!(o.where & kInSweep) || o.def.empty()) continue;
    ASSERT_FALSE(d.get(o.key).empty()) << o.key;
    EXPECT_EQ(d.get(o.key).front(), default_value(o)) << o.key;
  }
  const Config c = parse_config("[[sweep]]\napis=[\"noop\"]\nsizes=[1]\n", "t.toml");
  EXPECT_EQ(c.sweeps[0].get("batches").front(), default_value(*find_option("batches")));
  EXPECT_EQ(c.run.repetitions, static_cast<uint32_t>(std::get<int64_t>(default_value(*find_option("repetitions")))));
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
  EXPECT_NE(zero_batches.find("from 1 to 100000"), std::string::npos) << zero_batches;

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
  // A [run] key in a sweep says where it belongs.
  EXPECT_NE(error_of("[[sweep]]\napis=[\"noop\"]\nsizes=[1]\nrepetitions=3\n").find("belongs in [run]"),
            std::string::npos);
}

TEST(Config, ThreadsAreACountAllOrAListOfThem) {
  auto threads = [](const std::string& value) {
    const Config c = parse_config("[[sweep]]\napis = [\"kmalloc\"]\nsizes = [64]\nthreads = " + value + "\n", "t.toml");
    std::vector<std::string> out;
    for (const auto& v : c.sweeps.front().get("threads"))
      out.push_back(std::holds_alternative<std::string>(v) ? std::get<std::string>(v)
                                                           : std::to_string(std::get<int64_t>(v)));
    return out;
  };
  EXPECT_EQ(threads("2"), (std::vector<std::string>{"2"}));
  EXPECT_EQ(threads("\"all\""), (std::vector<std::string>{"all"}));
  EXPECT_EQ(threads("[1, \"all\", 4]"), (std::vector<std::string>{"1", "all", "4"}));
  const std::string zero = error_of("[[sweep]]\napis = [\"kmalloc\"]\nsizes = [64]\nthreads = 0\n");
  EXPECT_NE(zero.find("t.toml:4: 'threads' must be \"all\" or an integer from 1 to 4096"), std::string::npos) << zero;
  EXPECT_NE(error_of("[[sweep]]\napis = [\"kmalloc\"]\nsizes = [64]\nthreads = \"many\"\n").find("t.toml:4"),
            std::string::npos);
}

TEST(Config, SizesAreWholeBytesBelowFourGiBWithOneClearMessage) {
  const std::string fractional = error_of("[[sweep]]\napis=[\"noop\"]\nsizes=[1.5]\n");
  EXPECT_NE(fractional.find("t.toml:3: sizes are whole numbers of bytes"), std::string::npos) << fractional;
  EXPECT_NE(fractional.find("fractional"), std::string::npos) << fractional;
  EXPECT_EQ(fractional.find("t.toml:3", fractional.find("t.toml:3") + 1), std::string::npos)
      << "the location is said once: " << fractional;
  const std::string huge = error_of("[[sweep]]\napis=[\"noop\"]\nsizes=[\"4G\"]\n");
  EXPECT_NE(huge.find("t.toml:3: sizes must be from 1 to 4G - 1 bytes"), std::string::npos) << huge;
  EXPECT_EQ(error_of("[[sweep]]\napis=[\"noop\"]\nsizes=[4294967295]\n"), "");
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
  EXPECT_TRUE(d.run.interleave);
  EXPECT_DOUBLE_EQ(d.run.cv_target, 0.03);
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
  for (const char* name : {"quick.toml", "default.toml", "tlb.toml", "vmalloc-overhead.toml"}) {
    const Config c = load_config(std::string(KBENCH_SOURCE_DIR) + "/configs/" + name);
    EXPECT_FALSE(c.sweeps.empty()) << name;
  }
  EXPECT_THROW(load_config("/nonexistent.toml"), Error);
}

TEST(Config, OnlyShortRegularFilesAreRead) {
  // A device or a directory is refused at once, not read until memory runs out.
  for (const char* path : {"/dev/zero", "/tmp"}) {
    try {
      load_config(path);
      FAIL() << path << " was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("is not a regular file"), std::string::npos) << e.what();
    }
  }
  const std::string big =
      (std::filesystem::temp_directory_path() / ("kbench-big-" + std::to_string(::getpid()))).string();
  {
    std::ofstream f(big);
    f << "# " << std::string(kMaxConfigBytes, 'x') << "\n";
  }
  try {
    load_config(big);
    FAIL() << "a config larger than the limit was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("more than a config can be"), std::string::npos) << e.what();
  }
  std::filesystem::remove(big);
}

TEST(Config, EveryOptionIsDocumentedWithItsDefaultFromTheTable) {
  const std::string doc = describe_config_keys();
  for (const auto& o : options()) {
    EXPECT_NE(doc.find("  " + std::string(o.key) + " ("), std::string::npos) << o.key;
    EXPECT_FALSE(o.help.empty()) << o.key;
    if (!o.def.empty()) {
      EXPECT_NE(doc.find("default " + std::string(o.def)), std::string::npos) << o.key;
    }
    // Every key goes somewhere: a job, the run settings, the request, or
    // it is one of the keys the sweep expansion reads itself.
    const bool used = o.to_job || o.to_run || o.encode || o.key == "name" || o.key == "experiment" ||
                      o.key == "batch_sizes" || o.key == "ops_per_batch";
    EXPECT_TRUE(used) << o.key << " is parsed but goes nowhere";
  }
}

}  // namespace
}  // namespace kbench
