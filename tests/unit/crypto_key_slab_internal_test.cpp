// The key slab: slots are aligned, zero-filled, distinct and wiped when given
// back; chunks come and go; and the kernel itself (/proc/self/smaps VmFlags)
// confirms that key memory is left out of core dumps and zeroed in a forked child.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "aipsec/crypto.hpp"
#include "crypto/key_slab.hpp"

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kMlockIsAsansNoOp = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kMlockIsAsansNoOp = true;
#else
constexpr bool kMlockIsAsansNoOp = false;
#endif
#else
constexpr bool kMlockIsAsansNoOp = false;
#endif

using aipsec::crypto::KeySlab;

bool all_zero(const std::uint8_t* p, std::size_t n) {
  return std::all_of(p, p + n, [](std::uint8_t b) { return b == 0; });
}

// The VmFlags line of the mapping that holds addr, from the kernel.
std::string vm_flags_of(const void* addr) {
  const auto a = reinterpret_cast<std::uintptr_t>(addr);
  std::ifstream in("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    std::uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = a >= lo && a < hi;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line.substr(8) + " ";
    }
  }
  return {};
}

TEST(KeySlab, SlotsAreAlignedZeroFilledAndDistinct) {
  KeySlab slab;
  std::vector<std::uint8_t*> slots;
  std::set<std::uintptr_t> seen;
  const std::size_t n = 3 * KeySlab::kSlotsPerChunk + 7;
  for (std::size_t i = 0; i < n; ++i) {
    auto* p = static_cast<std::uint8_t*>(slab.allocate());
    ASSERT_EQ(reinterpret_cast<std::uintptr_t>(p) % 64, 0u);
    ASSERT_TRUE(all_zero(p, KeySlab::kSlotBytes)) << "slot " << i;
    std::memset(p, 0xA5, KeySlab::kSlotBytes);  // would corrupt a neighbour that overlapped
    ASSERT_TRUE(seen.insert(reinterpret_cast<std::uintptr_t>(p)).second);
    slots.push_back(p);
  }
  for (auto* p : slots) {
    ASSERT_EQ(p[0], 0xA5);
    ASSERT_EQ(p[KeySlab::kSlotBytes - 1], 0xA5);
  }
  EXPECT_EQ(slab.stats().slots_in_use, n);
  EXPECT_EQ(slab.stats().chunks, 4u);
  for (auto* p : slots) slab.release(p);
  EXPECT_EQ(slab.stats().slots_in_use, 0u);
  // Empty chunks went back to the kernel, but for one kept to serve the next SA.
  EXPECT_EQ(slab.stats().chunks, 1u);
  EXPECT_EQ(slab.stats().chunks_unmapped, 3u);
}

TEST(KeySlab, ReleaseWipesTheSlotAndReuseStartsFromZero) {
  KeySlab slab;
  auto* keep = static_cast<std::uint8_t*>(slab.allocate());  // keeps the chunk mapped
  auto* p = static_cast<std::uint8_t*>(slab.allocate());
  std::memset(p, 0x5C, KeySlab::kSlotBytes);
  slab.release(p);
  // The first four bytes link the free slots; every byte after them is wiped.
  EXPECT_TRUE(all_zero(p + 4, KeySlab::kSlotBytes - 4));
  auto* again = static_cast<std::uint8_t*>(slab.allocate());
  EXPECT_EQ(again, p);  // the freed slot is reused first
  EXPECT_TRUE(all_zero(again, KeySlab::kSlotBytes));
  slab.release(again);
  slab.release(keep);
}

TEST(KeySlab, KernelMarksKeyMemoryDontDumpAndWipeOnFork) {
  KeySlab slab;
  auto* p = static_cast<std::uint8_t*>(slab.allocate());
  const std::string flags = vm_flags_of(p);
  ASSERT_FALSE(flags.empty()) << "no smaps entry for the slot";
  EXPECT_NE(flags.find(" dd "), std::string::npos) << "VmFlags:" << flags;
#ifdef MADV_WIPEONFORK
  EXPECT_NE(flags.find(" wf "), std::string::npos) << "VmFlags:" << flags;
#endif
  // AddressSanitizer replaces mlock with a no-op that reports success: the
  // lock is checked only where mlock is the kernel's.
  if (slab.stats().unlocked_chunks == 0 && !kMlockIsAsansNoOp) {
    EXPECT_NE(flags.find(" lo "), std::string::npos) << "VmFlags:" << flags;
  }
  slab.release(p);
}

TEST(KeySlab, AForkedChildSeesZeroesWhereTheParentHasKeys) {
  KeySlab slab;
  auto* p = static_cast<std::uint8_t*>(slab.allocate());
  std::memset(p, 0x77, KeySlab::kSlotBytes);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(all_zero(p, KeySlab::kSlotBytes) ? 0 : 1);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the child could read the parent's key slot";
  EXPECT_EQ(p[0], 0x77);  // the parent's copy is untouched
  slab.release(p);
}

// Every AES-GCM context of the ipsec-mb provider takes one slot and gives it back.
TEST(KeySlab, GcmContextsHoldTheirScheduleInTheProcessSlab) {
  using namespace aipsec::crypto;
  const std::vector<std::uint8_t> key(16, 0x11);
  if (Aead::create(AeadKind::AesGcm, key, Provider::IpsecMb)->provider() != Provider::IpsecMb)
    GTEST_SKIP() << "intel-ipsec-mb is not available on this CPU";
  const std::size_t before = KeySlab::instance().stats().slots_in_use;
  {
    std::vector<std::unique_ptr<Aead>> ctx;
    for (int i = 0; i < 10; ++i) ctx.push_back(Aead::create(AeadKind::AesGcm, key, Provider::IpsecMb));
    EXPECT_EQ(KeySlab::instance().stats().slots_in_use, before + 10);
  }
  EXPECT_EQ(KeySlab::instance().stats().slots_in_use, before);
}

}  // namespace
