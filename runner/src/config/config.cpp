// SPDX-License-Identifier: GPL-2.0
// config.cpp - TOML sweep files to SweepBlocks, with errors that say
// file:line, what is wrong and what is allowed.
#include "config/config.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include <toml++/toml.h>

#include "core/error.h"
#include "core/job.h"

namespace kbench {
namespace {

constexpr OptionSpec kOptions[] = {
    {"name", "string", "sweep-<n>", "Label of the sweep in reports."},
    {"apis", "list of strings, or \"all\"", "(required)",
     "Allocation APIs to time; `kbench list` shows them with what each accepts."},
    {"sizes", "list of sizes", "(required)",
     "Bytes per allocation: integers or strings with K/M/G (binary), e.g. [\"64\", \"4K\"]. "
     "Page APIs use the order that holds the size."},
    {"gfp", "list of strings", "[\"GFP_KERNEL\"]",
     "GFP masks: a base (GFP_KERNEL, GFP_ATOMIC, ...) optionally with modifiers joined by |, "
     "e.g. \"GFP_KERNEL|__GFP_ZERO\". Combinations an API cannot honour are refused by the "
     "module and reported with the reason."},
    {"patterns", "list of strings", "[\"pair\"]",
     "pair: alloc+free one object, repeated (fast path). batch: N allocs then N frees, timed "
     "apart. batch-shuffled: frees in random order."},
    {"batch_sizes", "list of integers", "[64]", "N, the allocations per batch of the batch patterns (1..65536)."},
    {"ops_per_batch", "integer or \"auto\"", "\"auto\"",
     "Alloc+free pairs per timed batch of the pair pattern; auto uses more for small sizes "
     "so one clock read stays cheap against the batch."},
    {"contexts", "list of strings", "[\"preempt-on\"]",
     "preempt-on, preempt-off or irqs-off around each timed phase; the last two only for "
     "non-sleeping GFP."},
    {"batches", "integer", "16", "Timed batches per configuration; each is one sample."},
    {"warmup_batches", "integer", "1", "Untimed batches run first and discarded."},
    {"mempool_min_nr", "integer", "16", "Reserve elements of the mempool APIs."},
    {"hwcache_align", "boolean", "false", "SLAB_HWCACHE_ALIGN for kmem_cache and mempool_slab."},
    {"seed", "integer", "1", "Seed of the batch-shuffled free order."},
    {"experiment", "string", "\"alloc\"",
     "alloc: time allocation loops. footprint: count the page-table entries (4 KiB PTE, 2 MiB PMD, 1 GiB PUD) "
     "that map one allocation. access: time touching allocated memory (see access_modes). stages: split "
     "vmalloc(size) into page allocation, mapping, bookkeeping, unmapping and the lazy TLB flush."},
    {"access_modes", "list of strings", "[\"sequential\", \"page-stride\", \"page-random\"]",
     "For experiment = \"access\": sequential (a load per cache line), page-stride (a load per page, in "
     "order), page-random (a load per page, shuffled), memset (zero the whole buffer: the bandwidth limit)."},
    {"raw_event", "string", "\"\" (none)",
     "A model-specific PMU event to count as well, by its libpfm4 name (e.g. \"DTLB_LOAD_MISSES.WALK_ACTIVE\" "
     "for page-walk cycles on Intel); resolved on the target, reported unsupported with the reason where the "
     "CPU lacks it."},
    {"counters", "boolean", "true",
     "Count cycles, instructions and TLB misses with in-kernel perf counters where the CPU offers them "
     "(reported as unsupported, with the reason, where it does not)."},
};

constexpr OptionSpec kRunOptions[] = {
    {"repetitions", "integer", "5",
     "Times each configuration is measured, each a separate module run with its own warm-up; "
     "results.json has one entry per repetition and aggregates over them."},
    {"interleave", "boolean", "true",
     "Run configurations x repetitions in a seeded random order, so drift of the machine does not "
     "bias one API."},
    {"seed", "integer", "(random, recorded)", "Seed of the interleaved order, for an exact replay."},
    {"max_repetitions", "integer", "0 (off)",
     "Dynamic run count: repeat a configuration until the CV of its repetition medians is below "
     "cv_target or it has this many repetitions; configurations that hit the cap are flagged."},
    {"cv_target", "number", "0.03", "Target coefficient of variation of the dynamic run count."},
    {"discard_noisy", "boolean", "false",
     "Leave batches that a context switch, interrupt or migration hit out of the statistics "
     "(they are counted either way)."},
};

constexpr uint32_t kDefaultBatches = 16;
constexpr uint32_t kDefaultWarmup = 1;
constexpr uint32_t kDefaultMinNr = 16;
constexpr uint32_t kDefaultBatchSize = 64;

class Parser {
 public:
  explicit Parser(std::string path) : path_(std::move(path)) {}

  Config parse(std::string_view text) {
    toml::table root;
    try {
      root = toml::parse(text, path_);
    } catch (const toml::parse_error& e) {
      throw Error(at(e.source()) + ": " + std::string(e.description()),
                  "the file is not valid TOML; see https://toml.io for the syntax");
    }
    Config cfg;
    cfg.path = path_;
    for (const auto& [key, node] : root) {
      if (key == "description") {
        cfg.description = string_of(node, "description");
      } else if (key == "defaults") {
        if (!node.is_table()) fail(node, "[defaults] must be a table");
      } else if (key == "run") {
        if (!node.is_table()) fail(node, "[run] must be a table");
        apply_run(*node.as_table(), cfg.run);
      } else if (key == "sweep") {
        if (!node.is_array_of_tables())
          fail(node, "'sweep' must be an array of tables", "write each block as [[sweep]]");
      } else {
        fail(node, "unknown top-level key '" + std::string(key.str()) + "'",
             "allowed: description, [run], [defaults], [[sweep]]");
      }
    }
    SweepBlock defaults;
    defaults.gfps = {Gfp{}};
    defaults.patterns = {KBENCH_PATTERN_PAIR};
    defaults.batch_sizes = {kDefaultBatchSize};
    defaults.contexts = {KBENCH_CTX_PREEMPT_ON};
    defaults.batches = kDefaultBatches;
    defaults.warmup_batches = kDefaultWarmup;
    defaults.mempool_min_nr = kDefaultMinNr;
    defaults.seed = 1;
    defaults.access_modes = {KBENCH_ACCESS_SEQUENTIAL, KBENCH_ACCESS_PAGE_STRIDE, KBENCH_ACCESS_PAGE_RANDOM};
    if (const auto* t = root["defaults"].as_table()) apply(*t, defaults, /*is_defaults=*/true);

    const auto* sweeps = root["sweep"].as_array();
    if (!sweeps || sweeps->empty())
      throw Error(path_ + ": no [[sweep]] block", "add at least one [[sweep]] with apis and sizes");
    int index = 0;
    for (const auto& node : *sweeps) {
      const auto& t = *node.as_table();
      SweepBlock block = defaults;
      block.name = "sweep-" + std::to_string(++index);
      block.where = at(t.source());
      apply(t, block, /*is_defaults=*/false);
      if (block.apis.empty()) fail(t, "[[sweep]] '" + block.name + "' has no 'apis'");
      if (block.sizes.empty()) fail(t, "[[sweep]] '" + block.name + "' has no 'sizes'");
      cfg.sweeps.push_back(std::move(block));
    }
    return cfg;
  }

 private:
  std::string at(const toml::source_region& src) const { return path_ + ":" + std::to_string(src.begin.line); }

  [[noreturn]] void fail(const toml::node& node, const std::string& what, const std::string& hint = {}) const {
    throw Error(at(node.source()) + ": " + what, hint);
  }

  std::string string_of(const toml::node& node, std::string_view key) const {
    if (const auto* s = node.as_string()) return s->get();
    fail(node, "'" + std::string(key) + "' must be a string");
  }

  uint32_t uint_of(const toml::node& node, std::string_view key, uint64_t lo, uint64_t hi) const {
    const auto* i = node.as_integer();
    if (!i || i->get() < static_cast<int64_t>(lo) || i->get() > static_cast<int64_t>(hi))
      fail(node,
           "'" + std::string(key) + "' must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    return static_cast<uint32_t>(i->get());
  }

  template <typename F>
  void each(const toml::node& node, std::string_view key, F&& f) const {
    const auto* arr = node.as_array();
    if (!arr) fail(node, "'" + std::string(key) + "' must be a list, e.g. " + std::string(key) + " = [...]");
    if (arr->empty()) fail(node, "'" + std::string(key) + "' is empty");
    for (const auto& el : *arr) f(el);
  }

  uint32_t name_id(const toml::node& node, std::span<const std::string_view> names, const char* what) const {
    const std::string s = string_of(node, what);
    if (auto id = find_name(names, s)) return *id;
    const std::string near = closest_name(names, s);
    fail(node,
         std::string("unknown ") + what + " '" + s + "'" + (near.empty() ? "" : " (did you mean '" + near + "'?)"),
         "allowed: " + join_names(names));
  }

  bool bool_of(const toml::node& node, std::string_view key) const {
    if (const auto* v = node.as_boolean()) return v->get();
    fail(node, "'" + std::string(key) + "' must be true or false");
  }

  void apply_run(const toml::table& t, RunSettings& run) const {
    for (const auto& [key_raw, node] : t) {
      const std::string key(key_raw.str());
      if (key == "repetitions") {
        run.repetitions = uint_of(node, key, 1, 1000);
      } else if (key == "interleave") {
        run.interleave = bool_of(node, key);
      } else if (key == "seed") {
        run.seed = uint_of(node, key, 0, UINT32_MAX);
      } else if (key == "max_repetitions") {
        run.max_repetitions = uint_of(node, key, 0, 1000);
      } else if (key == "cv_target") {
        const auto* d = node.as_floating_point();
        if (!d || d->get() <= 0 || d->get() >= 1) fail(node, "'cv_target' must be a number between 0 and 1, e.g. 0.03");
        run.cv_target = d->get();
      } else if (key == "discard_noisy") {
        run.discard_noisy = bool_of(node, key);
      } else {
        std::vector<std::string_view> keys;
        for (const auto& o : kRunOptions) keys.push_back(o.key);
        const std::string near = closest_name(keys, key);
        fail(node, "unknown key '" + key + "' in [run]" + (near.empty() ? "" : " (did you mean '" + near + "'?)"),
             "allowed: " + join_names(keys));
      }
    }
    if (run.max_repetitions && run.max_repetitions < run.repetitions)
      fail(t,
           "max_repetitions (" + std::to_string(run.max_repetitions) + ") is below repetitions (" +
               std::to_string(run.repetitions) + ")",
           "set max_repetitions to 0 (off) or at least repetitions");
  }

  void apply(const toml::table& t, SweepBlock& b, bool is_defaults) const {
    for (const auto& [key_raw, node] : t) {
      const std::string key(key_raw.str());
      if (key == "name" && !is_defaults) {
        b.name = string_of(node, key);
      } else if (key == "apis" && !is_defaults) {
        b.apis.clear();
        if (node.is_string() && node.as_string()->get() == "all") {
          for (uint32_t i = 0; i < KBENCH_API_COUNT; ++i) b.apis.push_back(i);
        } else {
          each(node, key, [&](const toml::node& el) { b.apis.push_back(name_id(el, api_names(), "api")); });
        }
      } else if (key == "sizes" && !is_defaults) {
        b.sizes.clear();
        each(node, key, [&](const toml::node& el) {
          uint64_t size = 0;
          if (const auto* i = el.as_integer()) {
            if (i->get() <= 0) fail(el, "sizes must be positive");
            size = static_cast<uint64_t>(i->get());
          } else {
            try {
              size = parse_size(string_of(el, key));
            } catch (const Error& e) {
              fail(el, e.what(), e.hint());
            }
          }
          if (size == 0) fail(el, "sizes must be positive");
          b.sizes.push_back(size);
        });
      } else if (key == "gfp") {
        b.gfps.clear();
        each(node, key, [&](const toml::node& el) {
          try {
            b.gfps.push_back(Gfp::parse(string_of(el, key)));
          } catch (const Error& e) {
            fail(el, e.what(), e.hint());
          }
        });
      } else if (key == "patterns") {
        b.patterns.clear();
        each(node, key, [&](const toml::node& el) { b.patterns.push_back(name_id(el, pattern_names(), "pattern")); });
      } else if (key == "contexts") {
        b.contexts.clear();
        each(node, key, [&](const toml::node& el) { b.contexts.push_back(name_id(el, context_names(), "context")); });
      } else if (key == "batch_sizes") {
        b.batch_sizes.clear();
        each(node, key,
             [&](const toml::node& el) { b.batch_sizes.push_back(uint_of(el, key, 1, KBENCH_MAX_OPS_PER_BATCH)); });
      } else if (key == "ops_per_batch") {
        if (node.is_string() && node.as_string()->get() == "auto")
          b.ops_per_batch.reset();
        else
          b.ops_per_batch = uint_of(node, key, 1, KBENCH_MAX_OPS_PER_BATCH);
      } else if (key == "batches") {
        b.batches = uint_of(node, key, 1, KBENCH_MAX_BATCHES);
      } else if (key == "warmup_batches") {
        b.warmup_batches = uint_of(node, key, 0, KBENCH_MAX_BATCHES);
      } else if (key == "mempool_min_nr") {
        b.mempool_min_nr = uint_of(node, key, 1, 1U << 20);
      } else if (key == "seed") {
        b.seed = uint_of(node, key, 0, UINT32_MAX);
      } else if (key == "experiment") {
        b.experiment = name_id(node, experiment_names(), "experiment");
      } else if (key == "access_modes") {
        b.access_modes.clear();
        each(node, key,
             [&](const toml::node& el) { b.access_modes.push_back(name_id(el, access_mode_names(), "access mode")); });
      } else if (key == "counters") {
        b.counters = bool_of(node, key);
      } else if (key == "raw_event") {
        b.raw_event = string_of(node, key);
      } else if (key == "hwcache_align") {
        const auto* v = node.as_boolean();
        if (!v) fail(node, "'hwcache_align' must be true or false");
        b.hwcache_align = v->get();
      } else {
        std::vector<std::string_view> keys;
        for (const auto& o : kOptions)
          if (!is_defaults || (o.key != "name" && o.key != "apis" && o.key != "sizes")) keys.push_back(o.key);
        const std::string near = closest_name(keys, key);
        fail(node,
             "unknown key '" + key + "' in " + (is_defaults ? "[defaults]" : "[[sweep]]") +
                 (near.empty() ? "" : " (did you mean '" + near + "'?)"),
             "allowed: " + join_names(keys) + " (see `kbench help config`)");
      }
    }
  }

  std::string path_;
};

}  // namespace

std::span<const OptionSpec> sweep_options() { return kOptions; }
std::span<const OptionSpec> run_options() { return kRunOptions; }

Config parse_config(std::string_view text, const std::string& path) { return Parser(path).parse(text); }

Config load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read config '" + path + "'", "configs/ holds quick.toml and default.toml");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path);
}

std::string describe_config_keys() {
  std::string out =
      "A config is a TOML file with an optional [run] table, an optional [defaults] table and\n"
      "one or more [[sweep]] blocks. Each block measures the cartesian product apis x sizes x\n"
      "gfp x patterns x contexts (x batch_sizes for batch patterns). [defaults] takes every\n"
      "sweep key but name, apis and sizes.\n\n[run]\n";
  for (const auto& o : kRunOptions) {
    out += "  " + std::string(o.key) + " (" + std::string(o.type) + ", default " + std::string(o.default_value) +
           ")\n      " + std::string(o.help) + "\n";
  }
  out += "\n[[sweep]] and [defaults]\n";
  for (const auto& o : kOptions) {
    out += "  " + std::string(o.key) + " (" + std::string(o.type) + ", default " + std::string(o.default_value) +
           ")\n      " + std::string(o.help) + "\n";
  }
  return out;
}

}  // namespace kbench
