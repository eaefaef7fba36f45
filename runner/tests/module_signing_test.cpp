// SPDX-License-Identifier: GPL-2.0
// module_signing_test.cpp - when the host must sign kbench.ko: lockdown
// modes, the SecureBoot EFI variable, sig_enforce, and the signature marker,
// read from a directory laid out as /sys is.
#include "target/module_signing.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace kbench {
namespace {

namespace fs = std::filesystem;

// The SecureBoot variable, in EFI's global-variable GUID.
constexpr const char* kSecureBootVar = "sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-e08c0d1c0c23";

class FakeRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("kbench-signing-" + std::to_string(::getpid()));
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& rel, const std::string& bytes) {
    const fs::path p = root_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
  }
  fs::path root_;
};

TEST(Lockdown, TheBracketedModeIsTheActiveOne) {
  EXPECT_EQ(parse_lockdown("[none] integrity confidentiality\n"), "none");
  EXPECT_EQ(parse_lockdown("none [integrity] confidentiality\n"), "integrity");
  EXPECT_EQ(parse_lockdown("none integrity [confidentiality]\n"), "confidentiality");
  EXPECT_EQ(parse_lockdown(""), "");
}

TEST_F(FakeRoot, NoLockdownNoEfiNoEnforcementNeedsNoSignature) {
  write("sys/kernel/security/lockdown", "[none] integrity confidentiality\n");
  write("sys/module/module/parameters/sig_enforce", "N\n");
  const ModuleSigning m = read_module_signing(root_.string());
  EXPECT_EQ(m.lockdown, "none");
  EXPECT_EQ(m.secure_boot, "");
  EXPECT_FALSE(m.requires_signature());
  EXPECT_EQ(m.why(), "");
}

TEST_F(FakeRoot, SecureBootWithLockdownNeedsASignature) {
  write("sys/kernel/security/lockdown", "none [integrity] confidentiality\n");
  // Attributes (4 bytes), then the value: 1.
  write(kSecureBootVar, std::string("\x06\0\0\0\x01", 5));
  const ModuleSigning m = read_module_signing(root_.string());
  EXPECT_EQ(m.secure_boot, "enabled");
  EXPECT_TRUE(m.requires_signature());
  EXPECT_EQ(m.why(), "kernel lockdown=integrity, Secure Boot enabled");
}

TEST_F(FakeRoot, SigEnforceAloneNeedsASignature) {
  write("sys/module/module/parameters/sig_enforce", "Y\n");
  write(kSecureBootVar, std::string("\x06\0\0\0\x00", 5));
  const ModuleSigning m = read_module_signing(root_.string());
  EXPECT_EQ(m.lockdown, "");
  EXPECT_EQ(m.secure_boot, "disabled");
  EXPECT_TRUE(m.requires_signature());
  EXPECT_EQ(m.why(), "module.sig_enforce");
}

TEST_F(FakeRoot, TheSignatureMarkerEndsASignedModule) {
  write("unsigned.ko", std::string("\x7f"
                                   "ELF and some sections",
                                   22));
  write("signed.ko", std::string("\x7f"
                                 "ELF and some sections",
                                 22) +
                         "PKCS#7 bytes~Module signature appended~\n");
  write("short.ko", "~Module");
  EXPECT_FALSE(module_is_signed((root_ / "unsigned.ko").string()));
  EXPECT_TRUE(module_is_signed((root_ / "signed.ko").string()));
  EXPECT_FALSE(module_is_signed((root_ / "short.ko").string()));
  EXPECT_FALSE(module_is_signed((root_ / "absent.ko").string()));
}

}  // namespace
}  // namespace kbench
