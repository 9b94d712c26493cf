// Memory of its own for SA key schedules.
//
// An AES-GCM key schedule (round keys and the powers of the hash key) is about
// 1 KB per SA. Kept in the general heap, 100,000 SAs would leave key material
// scattered among other allocations, swappable, written into core dumps and
// copied into any child the process forks. The slab keeps it apart instead:
//
// - fixed 1,024-byte slots, 64-byte aligned, in 256 KB chunks mapped on their
//   own (mmap), pre-faulted when mapped;
// - every chunk excluded from core dumps (MADV_DONTDUMP) and zeroed in a
//   forked child (MADV_WIPEONFORK);
// - every chunk locked in RAM (mlock) while the process may lock more; once a
//   lock is refused (RLIMIT_MEMLOCK without CAP_IPC_LOCK), later chunks are
//   not locked and stats().unlocked_chunks says how many;
// - a slot is wiped (OPENSSL_cleanse) when it is given back, before it can be
//   reused; a chunk with no slot in use is unmapped, except one kept spare.
//
// It also makes installs cheaper: one mapping per 255 SAs instead of a heap
// that grows (and faults) a page at a time under a stream of SADB_ADDs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <type_traits>

namespace aipsec::crypto {

class KeySlab {
 public:
  static constexpr std::size_t kSlotBytes = 1024;
  static constexpr std::size_t kChunkBytes = 256 * 1024;
  static constexpr std::size_t kSlotsPerChunk = kChunkBytes / kSlotBytes - 1;  // slot 0: chunk header

  struct Stats {
    std::size_t chunks = 0;           // mapped now
    std::size_t slots_in_use = 0;
    std::size_t unlocked_chunks = 0;  // mapped now without mlock
    std::uint64_t chunks_mapped = 0;  // since start
    std::uint64_t chunks_unmapped = 0;
  };

  // The process-wide slab.
  static KeySlab& instance();

  KeySlab() = default;
  ~KeySlab();
  KeySlab(const KeySlab&) = delete;
  KeySlab& operator=(const KeySlab&) = delete;

  // A zero-filled slot of kSlotBytes at a 64-byte boundary. Throws
  // std::bad_alloc when no memory can be mapped.
  void* allocate();
  // Wipes the slot and takes it back. p must come from allocate() of this slab.
  void release(void* p) noexcept;

  Stats stats() const;

 private:
  struct Chunk;
  Chunk* map_chunk();
  void unmap_chunk(Chunk* c) noexcept;
  static void unlink(Chunk*& head, Chunk* c) noexcept;
  static void push(Chunk*& head, Chunk* c) noexcept;

  mutable std::mutex mu_;
  Chunk* partial_ = nullptr;  // chunks with a free slot
  Chunk* full_ = nullptr;
  bool lock_refused_ = false;
  Stats stats_;
};

// One slot holding a T (trivially destructible, at most kSlotBytes, alignment
// at most 64), released and wiped with the holder.
template <class T>
class KeySlot {
  static_assert(sizeof(T) <= KeySlab::kSlotBytes && alignof(T) <= 64 && std::is_trivially_destructible_v<T>);

 public:
  KeySlot() : p_(new (KeySlab::instance().allocate()) T{}) {}
  ~KeySlot() {
    if (p_ != nullptr) KeySlab::instance().release(p_);
  }
  KeySlot(const KeySlot&) = delete;
  KeySlot& operator=(const KeySlot&) = delete;
  T* get() const { return p_; }

 private:
  T* p_;
};

}  // namespace aipsec::crypto
