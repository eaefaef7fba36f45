// SPDX-License-Identifier: GPL-2.0
// config.cpp - TOML sweep files to SweepBlocks, driven by the option table,
// with errors that say file:line, what is wrong and what is allowed.
#include "config/config.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <vector>

#include <toml++/toml.h>

#include "core/error.h"
#include "core/experiments.h"
#include "core/job.h"

namespace kbench {
namespace {

using Fail = std::function<void(const toml::node&, const std::string&, const std::string&)>;

std::string range_text(const Option& o) {
  auto num = [](double v) {
    std::ostringstream s;
    s.precision(12);
    s << v;
    return s.str();
  };
  return num(o.lo) + " to " + num(o.hi);
}

// One element of an option's value, checked against its type and range.
Value parse_element(const Option& o, const toml::node& node, const Fail& fail) {
  const std::string key(o.key);
  switch (o.type) {
    case OptType::Int:
    case OptType::IntOrAuto:
    case OptType::IntOrAll: {
      const char* word = o.type == OptType::IntOrAuto ? "auto" : o.type == OptType::IntOrAll ? "all" : nullptr;
      if (word && node.is_string() && node.as_string()->get() == word) return std::string(word);
      const auto* i = node.as_integer();
      if (!i || static_cast<double>(i->get()) < o.lo || static_cast<double>(i->get()) > o.hi)
        fail(node,
             "'" + key + "' must be " + (word ? "\"" + std::string(word) + "\" or " : std::string()) +
                 "an integer from " + range_text(o),
             "");
      return i->get();
    }
    case OptType::Bool:
      if (const auto* b = node.as_boolean()) return b->get();
      fail(node, "'" + key + "' must be true or false", "");
      break;
    case OptType::Float: {
      const auto* d = node.as_floating_point();
      if (!d || d->get() < o.lo || d->get() > o.hi || !std::isfinite(d->get()))
        fail(node, "'" + key + "' must be a number from " + range_text(o), "e.g. " + key + " = 0.03");
      return d->get();
    }
    case OptType::String:
      if (const auto* s = node.as_string()) return s->get();
      fail(node, "'" + key + "' must be a string", "");
      break;
    case OptType::Size: {
      uint64_t size = 0;
      if (const auto* i = node.as_integer()) {
        if (i->get() <= 0) fail(node, key + " must be positive", "");
        size = static_cast<uint64_t>(i->get());
      } else if (const auto* s = node.as_string()) {
        try {
          size = parse_size(s->get());
        } catch (const Error& e) {
          fail(node, e.what(), e.hint());
        }
      } else {
        fail(node,
             key + " are whole numbers of bytes or strings such as \"4K\"; got " +
                 std::string(node.is_floating_point() ? "a fractional number" : "another type"),
             "write e.g. 64, \"4K\", \"2M\"");
      }
      if (size == 0 || static_cast<double>(size) < o.lo || static_cast<double>(size) > o.hi)
        fail(node,
             key + " must be from " + format_size(static_cast<uint64_t>(o.lo)) + " to 4G - 1 bytes (got " +
                 std::to_string(size) + ")",
             "the module times objects below 4 GiB");
      return static_cast<int64_t>(size);
    }
    case OptType::Gfp: {
      const auto* s = node.as_string();
      if (!s) fail(node, "'" + key + "' entries must be strings such as \"GFP_KERNEL|__GFP_ZERO\"", "");
      try {
        return Gfp::parse(s->get());
      } catch (const Error& e) {
        fail(node, e.what(), e.hint());
      }
      break;
    }
    case OptType::Name: {
      const auto* s = node.as_string();
      if (!s) fail(node, "'" + key + "' must name one of: " + join_names(o.names()), "");
      const std::string name = s->get();
      if (find_name(o.names(), name)) return name;
      const std::string near = closest_name(o.names(), name);
      fail(node, "unknown " + key + " '" + name + "'" + (near.empty() ? "" : " (did you mean '" + near + "'?)"),
           "allowed: " + join_names(o.names()));
      break;
    }
  }
  return int64_t{0};
}

// All values of an option: one, or a list (or "all").
std::vector<Value> parse_values(const Option& o, const toml::node& node, const Fail& fail) {
  std::vector<Value> out;
  if (!o.list) {
    out.push_back(parse_element(o, node, fail));
    return out;
  }
  // A single count or "all" is a list of one.
  if (o.type == OptType::IntOrAll && !node.is_array()) {
    out.push_back(parse_element(o, node, fail));
    return out;
  }
  if (o.all && node.is_string() && node.as_string()->get() == "all") {
    for (const auto& n : o.names()) out.emplace_back(std::string(n));
    return out;
  }
  const auto* arr = node.as_array();
  if (!arr)
    fail(node,
         "'" + std::string(o.key) + "' must be a list, e.g. " + std::string(o.key) + " = [...]" +
             (o.all ? " or \"all\"" : ""),
         "");
  if (arr->empty()) fail(node, "'" + std::string(o.key) + "' is empty", "");
  for (const auto& el : *arr) out.push_back(parse_element(o, el, fail));
  return out;
}

std::vector<Value> parse_default(const Option& o) {
  const std::string text = "v = " + std::string(o.def);
  const toml::table t = toml::parse(std::string_view(text), std::string_view("option table"));
  const Fail fail = [&](const toml::node&, const std::string& what, const std::string&) {
    throw Error("option table: the default of '" + std::string(o.key) + "' is invalid: " + what);
  };
  return parse_values(o, *t.get("v"), fail);
}

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
        if (!node.is_string()) fail(node, "'description' must be a string");
        cfg.description = node.as_string()->get();
      } else if (key == "defaults") {
        if (!node.is_table()) fail(node, "[defaults] must be a table");
      } else if (key == "run") {
        if (!node.is_table()) fail(node, "[run] must be a table");
      } else if (key == "sweep") {
        if (!node.is_array_of_tables())
          fail(node, "'sweep' must be an array of tables", "write each block as [[sweep]]");
      } else {
        fail(node, "unknown top-level key '" + std::string(key.str()) + "'",
             "allowed: description, [run], [defaults], [[sweep]]");
      }
    }
    apply_run(root["run"].as_table(), cfg.run);

    SweepBlock defaults = default_block();
    if (const auto* t = root["defaults"].as_table()) apply(*t, defaults, kInDefaults);

    const auto* sweeps = root["sweep"].as_array();
    if (!sweeps || sweeps->empty())
      throw Error(path_ + ": no [[sweep]] block", "add at least one [[sweep]] with apis and sizes");
    int index = 0;
    for (const auto& node : *sweeps) {
      const auto& t = *node.as_table();
      SweepBlock block = defaults;
      block.name = "sweep-" + std::to_string(++index);
      block.where = at(t.source());
      apply(t, block, kInSweep);
      // Required are the keys of the dimensions the block's experiment reads.
      const uint32_t fields =
          experiment_spec(*find_name(experiment_names(), std::get<std::string>(block.get("experiment").front())))
              .fields;
      for (const auto& o : options())
        if (o.required && (o.field == 0 || (fields & o.field)) && block.get(o.key).empty())
          fail(t, "[[sweep]] '" + block.name + "' has no '" + std::string(o.key) + "'", std::string(o.help));
      cfg.sweeps.push_back(std::move(block));
    }
    return cfg;
  }

 private:
  std::string at(const toml::source_region& src) const { return path_ + ":" + std::to_string(src.begin.line); }

  [[noreturn]] void fail(const toml::node& node, const std::string& what, const std::string& hint = {}) const {
    throw Error(at(node.source()) + ": " + what, hint);
  }

  Fail failer() const {
    return [this](const toml::node& n, const std::string& what, const std::string& hint) { fail(n, what, hint); };
  }

  [[noreturn]] void unknown_key(const toml::node& node, const std::string& key, unsigned where) const {
    std::vector<std::string_view> keys;
    for (const auto& o : options())
      if (o.where & where) keys.push_back(o.key);
    const std::string near = closest_name(keys, key);
    const char* table = where == kInRun ? "[run]" : where == kInDefaults ? "[defaults]" : "[[sweep]]";
    std::string also;
    if (const Option* o = find_option(key)) {
      if (o->where & kInRun) also = "; '" + key + "' belongs in [run]";
      if (o->where & kInSweep) also = "; '" + key + "' belongs in each [[sweep]]";
    }
    fail(node, "unknown key '" + key + "' in " + table + (near.empty() ? "" : " (did you mean '" + near + "'?)"),
         "allowed: " + join_names(keys) + also + " (see `kbench help config`)");
  }

  void apply_run(const toml::table* t, RunSettings& run) const {
    for (const auto& o : options())
      if ((o.where & kInRun) && !o.def.empty()) o.to_run(run, parse_default(o).front());
    if (!t) return;
    for (const auto& [key_raw, node] : *t) {
      const std::string key(key_raw.str());
      const Option* o = nullptr;
      for (const auto& opt : options())
        if (opt.key == key && (opt.where & kInRun)) o = &opt;
      if (!o) unknown_key(node, key, kInRun);
      o->to_run(run, parse_values(*o, node, failer()).front());
    }
    if (run.max_repetitions && run.max_repetitions < run.repetitions)
      fail(*t,
           "max_repetitions (" + std::to_string(run.max_repetitions) + ") is below repetitions (" +
               std::to_string(run.repetitions) + ")",
           "set max_repetitions to 0 (off) or at least repetitions");
  }

  void apply(const toml::table& t, SweepBlock& b, unsigned where) const {
    for (const auto& [key_raw, node] : t) {
      const std::string key(key_raw.str());
      const Option* o = nullptr;
      for (const auto& opt : options())
        if (opt.key == key && (opt.where & where)) o = &opt;
      if (!o) unknown_key(node, key, where);
      if (key == "name") {
        b.name = std::get<std::string>(parse_values(*o, node, failer()).front());
        continue;
      }
      b.values[key] = parse_values(*o, node, failer());
      b.given_at[key] = at(node.source());
    }
  }

  std::string path_;
};

}  // namespace

Value default_value(const Option& o) {
  if (o.def.empty()) throw Error("option '" + std::string(o.key) + "' has no default");
  return parse_default(o).front();
}

SweepBlock default_block() {
  SweepBlock b;
  for (const auto& o : options())
    if ((o.where & kInSweep) && !o.def.empty()) b.values[std::string(o.key)] = parse_default(o);
  return b;
}

const std::vector<Value>& SweepBlock::get(std::string_view key) const {
  static const std::vector<Value> kNone;
  const auto it = values.find(std::string(key));
  return it == values.end() ? kNone : it->second;
}

const std::string& SweepBlock::location(std::string_view key) const {
  const auto it = given_at.find(std::string(key));
  return it == given_at.end() ? where : it->second;
}

Config parse_config(std::string_view text, const std::string& path) { return Parser(path).parse(text); }

Config load_config(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw Error("cannot read config '" + path + "': " + std::strerror(errno),
                "configs/ holds quick.toml and default.toml");
  if (!S_ISREG(st.st_mode))
    throw Error("config '" + path + "' is not a regular file",
                "give the path of a .toml file, e.g. configs/quick.toml");
  if (static_cast<size_t>(st.st_size) > kMaxConfigBytes)
    throw Error("config '" + path + "' is " + std::to_string(st.st_size) + " bytes, more than a config can be (" +
                    std::to_string(kMaxConfigBytes) + ")",
                "a sweep file is a short TOML text; is this the right file?");
  std::ifstream in(path);
  if (!in) throw Error("cannot read config '" + path + "'", "configs/ holds quick.toml and default.toml");
  std::string text(kMaxConfigBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxConfigBytes)
    throw Error("config '" + path + "' grew past " + std::to_string(kMaxConfigBytes) + " bytes while it was read");
  return parse_config(text, path);
}

}  // namespace kbench
