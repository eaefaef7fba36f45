// SPDX-License-Identifier: GPL-2.0
// module_signing.h - whether this kernel loads only signed modules (kernel
// lockdown, Secure Boot, module.sig_enforce), read before kbench.ko is
// loaded so the user gets the commands that fix it instead of EPERM.
#pragma once

#include <string>

namespace kbench {

struct ModuleSigning {
  std::string lockdown;      // none, integrity, confidentiality; "" without the lockdown LSM
  std::string secure_boot;   // enabled, disabled; "" when not booted by EFI
  bool sig_enforce = false;  // module.sig_enforce=1 or CONFIG_MODULE_SIG_FORCE
  // Lockdown refuses unsigned modules in both of its modes.
  bool requires_signature() const { return sig_enforce || (!lockdown.empty() && lockdown != "none"); }
  // What requires it, for messages: "lockdown=integrity, Secure Boot enabled".
  std::string why() const;
};

// Reads /sys/kernel/security/lockdown, the SecureBoot EFI variable and
// /sys/module/module/parameters/sig_enforce under root ("" for /).
ModuleSigning read_module_signing(const std::string& root = "");

// The selected mode of a lockdown file: "none [integrity] confidentiality"
// gives "integrity"; "" if none is selected.
std::string parse_lockdown(const std::string& text);

// Whether a .ko carries an appended signature (the kernel's
// "~Module signature appended~\n" marker at its end).
bool module_is_signed(const std::string& ko_path);

}  // namespace kbench
