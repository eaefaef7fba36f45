// SPDX-License-Identifier: GPL-2.0
// module_signing.cpp - lockdown, Secure Boot and signature enforcement.
#include "target/module_signing.h"

#include <fstream>
#include <iterator>

namespace kbench {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

constexpr const char* kSecureBootVar = "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-e08c0d1c0c23";
constexpr std::string_view kSignatureMarker = "~Module signature appended~\n";

}  // namespace

std::string parse_lockdown(const std::string& text) {
  const auto open = text.find('[');
  const auto close = text.find(']', open);
  if (open == std::string::npos || close == std::string::npos) return "";
  return text.substr(open + 1, close - open - 1);
}

std::string ModuleSigning::why() const {
  std::string s;
  auto add = [&](const std::string& part) { s += (s.empty() ? "" : ", ") + part; };
  if (!lockdown.empty() && lockdown != "none") add("kernel lockdown=" + lockdown);
  if (secure_boot == "enabled") add("Secure Boot enabled");
  if (sig_enforce) add("module.sig_enforce");
  return s;
}

ModuleSigning read_module_signing(const std::string& root) {
  ModuleSigning m;
  m.lockdown = parse_lockdown(slurp(root + "/sys/kernel/security/lockdown"));
  // An EFI variable: 4 bytes of attributes, then its one byte of value.
  const std::string sb = slurp(root + kSecureBootVar);
  if (sb.size() >= 5) m.secure_boot = sb[4] == 1 ? "enabled" : "disabled";
  const std::string enforce = slurp(root + "/sys/module/module/parameters/sig_enforce");
  m.sig_enforce = !enforce.empty() && enforce[0] == 'Y';
  return m;
}

bool module_is_signed(const std::string& ko_path) {
  std::ifstream in(ko_path, std::ios::binary | std::ios::ate);
  const auto size = static_cast<std::streamoff>(in.tellg());
  const auto n = static_cast<std::streamoff>(kSignatureMarker.size());
  if (!in || size < n) return false;
  std::string tail(kSignatureMarker.size(), '\0');
  in.seekg(size - n);
  in.read(tail.data(), n);
  return in && tail == kSignatureMarker;
}

}  // namespace kbench
