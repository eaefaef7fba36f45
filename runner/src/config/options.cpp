// SPDX-License-Identifier: GPL-2.0
// options.cpp - the table of config keys. Add a new key here; if the module
// needs it, also its field in the UAPI request.
#include "config/options.h"

#include <array>
#include <cstdio>

#include "config/config.h"
#include "core/experiments.h"

namespace kbench {
namespace {

int64_t as_int(const Value& v) { return std::get<int64_t>(v); }
uint32_t as_u32(const Value& v) { return static_cast<uint32_t>(std::get<int64_t>(v)); }
bool as_bool(const Value& v) { return std::get<bool>(v); }

std::span<const std::string_view> apis_list() { return api_names(); }
std::span<const std::string_view> patterns_list() { return pattern_names(); }
std::span<const std::string_view> contexts_list() { return context_names(); }
std::span<const std::string_view> modes_list() { return access_mode_names(); }
std::span<const std::string_view> states_list() { return state_names(); }
std::span<const std::string_view> conditions_list() { return condition_names(); }
std::span<const std::string_view> experiments_list() { return experiment_names(); }

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), v == static_cast<double>(static_cast<int64_t>(v)) ? "%.0f" : "%g", v);
  return buf;
}

constexpr unsigned kSweep = kInSweep | kInDefaults;
constexpr double kMaxOps = KBENCH_MAX_OPS_PER_BATCH;
constexpr double kMaxBatches = KBENCH_MAX_BATCHES;

// Sweep keys come first, in the order `kbench help config` lists them.
const std::array kOptions = {
    Option{.key = "name",
           .where = kInSweep,
           .type = OptType::String,
           .help = "Label of the sweep in reports (default: sweep-<n>)."},
    Option{.key = "experiment",
           .where = kSweep,
           .type = OptType::Name,
           .def = "\"alloc\"",
           .names = experiments_list,
           .help = "What to measure. alloc: time allocation loops. footprint: count the page-table entries (4 KiB "
                   "PTE, 2 MiB PMD, 1 GiB PUD) that map one allocation. access: time touching allocated memory "
                   "(see access_modes). stages: split vmalloc(size) into page allocation, mapping, bookkeeping, "
                   "unmapping and the lazy TLB flush."},
    Option{.key = "apis",
           .where = kInSweep,
           .type = OptType::Name,
           .list = true,
           .required = true,
           .names = apis_list,
           .all = true,
           .field = KBENCH_FIELD_API,
           .help = "Allocation APIs, or \"all\"; `kbench list` shows them with what each accepts.",
           .to_job = [](Job& j, const Value& v) { j.api = std::get<std::string>(v); }},
    Option{.key = "sizes",
           .where = kInSweep,
           .type = OptType::Size,
           .list = true,
           .required = true,
           .lo = 1,
           .hi = 4294967295.0,
           .help = "Bytes per allocation: integers or strings with K/M/G (binary), e.g. [\"64\", \"4K\"], up to "
                   "4 GiB - 1. Page APIs use the order that holds the size.",
           .to_job = [](Job& j, const Value& v) { j.size = static_cast<uint64_t>(as_int(v)); }},
    Option{.key = "gfp",
           .where = kSweep,
           .type = OptType::Gfp,
           .list = true,
           .def = "[\"GFP_KERNEL\"]",
           .field = KBENCH_FIELD_GFP,
           .help = "GFP masks: a base (GFP_KERNEL, GFP_ATOMIC, ...) optionally with modifiers joined by |, e.g. "
                   "\"GFP_KERNEL|__GFP_ZERO\". Combinations an API cannot honour are refused by the module and "
                   "reported with the reason.",
           .to_job = [](Job& j, const Value& v) { j.gfp = std::get<Gfp>(v); }},
    Option{.key = "patterns",
           .where = kSweep,
           .type = OptType::Name,
           .list = true,
           .def = "[\"pair\"]",
           .names = patterns_list,
           .field = KBENCH_FIELD_PATTERN,
           .help = "pair: alloc+free one object, repeated (fast path). batch: N allocs then N frees, timed apart. "
                   "batch-shuffled: frees in random order. remote-free: as batch on threads >= 2 CPUs, each "
                   "freeing the N its neighbour CPU allocated (the cross-CPU free of network and block "
                   "completions).",
           .to_job = [](Job& j, const Value& v) { j.pattern = *find_name(pattern_names(), std::get<std::string>(v)); }},
    Option{.key = "batch_sizes",
           .where = kSweep,
           .type = OptType::Int,
           .list = true,
           .def = "[64]",
           .lo = 1,
           .hi = kMaxOps,
           .field = KBENCH_FIELD_OPS,
           .help = "N, the allocations per batch of the batch patterns."},
    Option{.key = "ops_per_batch",
           .where = kSweep,
           .type = OptType::IntOrAuto,
           .def = "\"auto\"",
           .lo = 1,
           .hi = kMaxOps,
           .field = KBENCH_FIELD_OPS,
           .help = "Alloc+free pairs per timed batch of the pair pattern; auto uses more for small sizes so one "
                   "clock read stays cheap against the batch."},
    Option{.key = "states",
           .where = kSweep,
           .type = OptType::Name,
           .list = true,
           .def = "[\"clean\"]",
           .names = states_list,
           .field = KBENCH_FIELD_OPS,
           .help = "clean: earlier lazy frees are purged first, the figure of a freshly purged kernel. steady: "
                   "nothing is purged and the module sizes each batch (batch_sizes and ops_per_batch do not apply) "
                   "to cross the kernel's own deferred-work threshold at least twice (the lazy vmap purge for "
                   "the vmalloc family: its purges and their TLB flushes land in the figure, and are counted), "
                   "the cost a long-running caller pays.",
           .to_job = [](Job& j, const Value& v) { j.state = *find_name(state_names(), std::get<std::string>(v)); }},
    Option{.key = "contexts",
           .where = kSweep,
           .type = OptType::Name,
           .list = true,
           .def = "[\"preempt-on\"]",
           .names = contexts_list,
           .field = KBENCH_FIELD_CONTEXT,
           .help = "preempt-on, preempt-off or irqs-off around each timed phase; the last two only for "
                   "non-sleeping GFP.",
           .to_job = [](Job& j, const Value& v) { j.context = *find_name(context_names(), std::get<std::string>(v)); }},
    Option{
        .key = "threads",
        .where = kSweep,
        .type = OptType::IntOrAll,
        .list = true,
        .def = "[1]",
        .lo = 1,
        .hi = 4096,
        .field = KBENCH_FIELD_THREADS,
        .help = "CPUs running the configuration at once: one kernel thread per CPU, each pinned, each with its "
                "own objects, all released together at the start of every batch; \"all\" is every online CPU "
                "of the target. A count or a list (an axis of the sweep). Each thread's batches are samples of "
                "the cost one CPU sees while the others allocate too; results also give the aggregate "
                "operations per second across the CPUs. remote-free needs 2 or more.",
        .to_job = [](Job& j,
                     const Value& v) { j.threads = std::holds_alternative<std::string>(v) ? kThreadsAll : as_u32(v); }},
    Option{.key = "conditions",
           .where = kSweep,
           .type = OptType::Name,
           .list = true,
           .def = "[\"none\"]",
           .names = conditions_list,
           .field = KBENCH_FIELD_CONDITION,
           .help = "The state of memory during the run. none: as the kernel has it. fragmented: before the first "
                   "batch the module allocates order-0 pages until free memory is down to 8 MiB + 1/256 of RAM (or "
                   "twice the memory cap), then frees those with odd frame numbers, so no free block of order 1 or "
                   "more is left there; high orders then fail, need compaction or fall back (kvmalloc), and the "
                   "results give failures, kvmalloc's fallbacks to vmalloc (batch patterns) and the compaction "
                   "and reclaim counters of /proc/vmstat. Undone when the run ends.",
           .to_job = [](Job& j,
                        const Value& v) { j.condition = *find_name(condition_names(), std::get<std::string>(v)); }},
    Option{.key = "access_modes",
           .where = kSweep,
           .type = OptType::Name,
           .list = true,
           .def = "[\"sequential\", \"page-stride\", \"page-random\"]",
           .names = modes_list,
           .field = KBENCH_FIELD_MODE,
           .help = "For experiment = \"access\": sequential (a load per cache line), page-stride (a load per page, "
                   "in order), page-random (a load per page, shuffled), memset (zero the whole buffer: the "
                   "bandwidth limit).",
           .to_job = [](Job& j,
                        const Value& v) { j.access_mode = *find_name(access_mode_names(), std::get<std::string>(v)); }},
    Option{.key = "batches",
           .where = kSweep,
           .type = OptType::Int,
           .def = "16",
           .lo = 1,
           .hi = kMaxBatches,
           .field = KBENCH_FIELD_BATCHES,
           .help = "Timed batches per configuration; each is one sample.",
           .to_job = [](Job& j, const Value& v) { j.batches = as_u32(v); }},
    Option{.key = "warmup_batches",
           .where = kSweep,
           .type = OptType::Int,
           .def = "1",
           .lo = 0,
           .hi = kMaxBatches,
           .field = KBENCH_FIELD_BATCHES,
           .help = "Untimed batches run first and discarded.",
           .to_job = [](Job& j, const Value& v) { j.warmup_batches = as_u32(v); }},
    Option{.key = "seed",
           .where = kSweep,
           .type = OptType::Int,
           .def = "1",
           .lo = 0,
           .hi = 4294967295.0,
           .field = KBENCH_FIELD_SEED,
           .help = "Seed of the shuffled orders (batch-shuffled frees, page-random touches).",
           .to_job = [](Job& j, const Value& v) { j.seed = as_u32(v); }},
    Option{.key = "counters",
           .where = kSweep,
           .type = OptType::Bool,
           .def = "true",
           .help = "Count cycles, instructions and TLB misses with in-kernel perf counters where the CPU offers "
                   "them and the experiment times something (reported as unsupported, with the reason, where the "
                   "CPU does not).",
           .to_job = [](Job& j, const Value& v) { j.counters = as_bool(v); }},
    Option{.key = "raw_event",
           .where = kSweep,
           .type = OptType::String,
           .def = "\"\"",
           .help = "A model-specific PMU event to count as well, by its libpfm4 name (e.g. "
                   "\"DTLB_LOAD_MISSES.WALK_ACTIVE\" for page-walk cycles on Intel); resolved on the target, "
                   "reported unsupported with the reason where the CPU lacks it.",
           .to_job = [](Job& j, const Value& v) { j.raw_event = std::get<std::string>(v); }},
    Option{.key = "mempool_min_nr",
           .where = kSweep,
           .type = OptType::Int,
           .def = "16",
           .lo = 1,
           .hi = 1 << 20,
           .field = KBENCH_FIELD_OPTIONS,
           .help = "Reserve elements of the APIs that keep a reserve (the mempools).",
           .api_option = KBENCH_OPT_MIN_NR,
           .job_key = "min_nr",
           .encode = [](kbench_run_args& a, int64_t v) { a.min_nr = static_cast<uint32_t>(v); }},
    Option{.key = "hwcache_align",
           .where = kSweep,
           .type = OptType::Bool,
           .def = "false",
           .field = KBENCH_FIELD_OPTIONS,
           .help = "SLAB_HWCACHE_ALIGN for the APIs over a cache of their own (kmem_cache, mempool_slab).",
           .api_option = KBENCH_OPT_CACHE_ALIGN,
           .job_key = "hwcache_align",
           .encode = [](kbench_run_args& a, int64_t v) { a.flags |= v ? KBENCH_RUN_HWCACHE_ALIGN : 0U; }},
    Option{.key = "mergeable_cache",
           .where = kSweep,
           .type = OptType::Bool,
           .def = "false",
           .field = KBENCH_FIELD_OPTIONS,
           .help = "For APIs that create a cache of their own (kmem_cache): a cache the kernel may merge with "
                   "kmalloc-<size>, as a driver's kmem_cache_create usually gets, instead of kbench's default "
                   "unmerged one, whose state depends on this run only.",
           .api_option = KBENCH_OPT_MERGEABLE,
           .job_key = "mergeable",
           .encode = [](kbench_run_args& a, int64_t v) { a.flags |= v ? KBENCH_RUN_MERGEABLE : 0U; }},
    // [run]
    Option{.key = "repetitions",
           .where = kInRun,
           .type = OptType::Int,
           .def = "5",
           .lo = 1,
           .hi = 1000,
           .help = "Times each configuration is measured, each a separate module run with its own warm-up; "
                   "results.json has one entry per repetition and aggregates over them.",
           .to_run = [](RunSettings& r, const Value& v) { r.repetitions = as_u32(v); }},
    Option{.key = "interleave",
           .where = kInRun,
           .type = OptType::Bool,
           .def = "true",
           .help = "Run configurations x repetitions in a seeded random order, so drift of the machine does not "
                   "bias one API.",
           .to_run = [](RunSettings& r, const Value& v) { r.interleave = as_bool(v); }},
    Option{.key = "seed",
           .where = kInRun,
           .type = OptType::Int,
           .lo = 0,
           .hi = 4294967295.0,
           .help = "Seed of the interleaved order, for an exact replay (default: random, recorded).",
           .to_run = [](RunSettings& r, const Value& v) { r.seed = static_cast<uint64_t>(as_int(v)); }},
    Option{.key = "max_repetitions",
           .where = kInRun,
           .type = OptType::Int,
           .def = "0",
           .lo = 0,
           .hi = 1000,
           .help = "Dynamic run count: repeat a configuration until the CV of its repetition medians is below "
                   "cv_target or it has this many repetitions (0: off); not while the CV is clearly above the "
                   "target (its 95 % lower bound above it), since more runs do not lower a CV. Configurations "
                   "left above the target are flagged.",
           .to_run = [](RunSettings& r, const Value& v) { r.max_repetitions = as_u32(v); }},
    Option{.key = "cv_target",
           .where = kInRun,
           .type = OptType::Float,
           .def = "0.03",
           .lo = 0.0001,
           .hi = 0.9999,
           .help = "Target coefficient of variation of the dynamic run count.",
           .to_run = [](RunSettings& r, const Value& v) { r.cv_target = std::get<double>(v); }},
    Option{.key = "discard_noisy",
           .where = kInRun,
           .type = OptType::Bool,
           .def = "false",
           .help = "Leave batches that a context switch, interrupt or migration hit out of the statistics (they "
                   "are counted either way).",
           .to_run = [](RunSettings& r, const Value& v) { r.discard_noisy = as_bool(v); }},
};

}  // namespace

std::span<const Option> options() { return kOptions; }

const Option* find_option(std::string_view key) {
  for (const auto& o : kOptions)
    if (o.key == key) return &o;
  return nullptr;
}

const Option* find_api_option(std::string_view job_key) {
  for (const auto& o : kOptions)
    if (o.api_option && o.job_key == job_key) return &o;
  return nullptr;
}

std::string describe_config_keys() {
  std::string out =
      "A config is a TOML file with an optional [run] table, an optional [defaults] table and\n"
      "one or more [[sweep]] blocks. Each block measures the cartesian product of its lists\n"
      "(apis x sizes x gfp x patterns x contexts, x batch_sizes for batch patterns, x\n"
      "access_modes for access probes) over the dimensions its experiment reads. [defaults]\n"
      "takes every sweep key but name, apis and sizes.\n";
  for (const unsigned where : {kInRun, kInSweep}) {
    out += where == kInRun ? "\n[run]\n" : "\n[[sweep]] and [defaults]\n";
    for (const auto& o : kOptions) {
      if (!(o.where & where)) continue;
      static constexpr const char* kTypes[] = {
          "integer",           "boolean", "number", "string", "size", "GFP mask", "name", "integer or \"auto\"",
          "integer or \"all\""};
      std::string type = kTypes[static_cast<int>(o.type)];
      if (o.list) type = "list of " + type.append("s");
      if (o.all) type += ", or \"all\"";
      if (o.type == OptType::Name) type += ": " + join_names(o.names());
      std::string range;
      if ((o.type == OptType::Int || o.type == OptType::IntOrAuto || o.type == OptType::IntOrAll ||
           o.type == OptType::Float) &&
          o.hi > o.lo)
        range = ", " + format_number(o.lo) + ".." + format_number(o.hi);
      const std::string def = o.required ? "required" : o.def.empty() ? "unset" : "default " + std::string(o.def);
      out.append("  ").append(o.key).append(" (").append(type).append(range).append(", ").append(def);
      out.append(")\n      ").append(o.help).append("\n");
    }
  }
  return out;
}

}  // namespace kbench
