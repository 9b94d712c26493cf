// The SA key slab (see key_slab.hpp).
#include "crypto/key_slab.hpp"

#include "aipsec/crypto.hpp"

#include <openssl/crypto.h>
#include <sys/mman.h>

#include <cstring>
#include <new>

namespace aipsec::crypto {

// Slot 0 of every chunk. The other slots hold keys or, when free, the index of
// the next free slot in their first four bytes (a wiped slot holds nothing else).
struct KeySlab::Chunk {
  Chunk* prev = nullptr;
  Chunk* next = nullptr;
  std::uint32_t used = 0;
  std::uint32_t free_head = 0;  // 0: none (slot 0 is the header)
  std::uint32_t bump = 1;       // first slot never handed out
  bool locked = false;

  std::uint8_t* slot(std::uint32_t i) { return reinterpret_cast<std::uint8_t*>(this) + i * kSlotBytes; }
};

static_assert(KeySlab::kSlotBytes % 64 == 0 && KeySlab::kChunkBytes % KeySlab::kSlotBytes == 0);

KeySlab& KeySlab::instance() {
  // Never destroyed: SAs held by other static objects may be released at exit.
  static KeySlab* const slab = new KeySlab;
  return *slab;
}

KeySlab::~KeySlab() {
  for (Chunk* list : {partial_, full_}) {
    while (list != nullptr) {
      Chunk* next = list->next;
      unmap_chunk(list);
      list = next;
    }
  }
}

void KeySlab::push(Chunk*& head, Chunk* c) noexcept {
  c->prev = nullptr;
  c->next = head;
  if (head != nullptr) head->prev = c;
  head = c;
}

void KeySlab::unlink(Chunk*& head, Chunk* c) noexcept {
  if (c->prev != nullptr) c->prev->next = c->next;
  else head = c->next;
  if (c->next != nullptr) c->next->prev = c->prev;
  c->prev = c->next = nullptr;
}

// Chunks are aligned to their size so that a slot finds its chunk by masking.
KeySlab::Chunk* KeySlab::map_chunk() {
  static_assert(sizeof(Chunk) <= kSlotBytes);
  const std::size_t span = 2 * kChunkBytes;
  void* raw = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto at = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t base = (at + kChunkBytes - 1) & ~std::uintptr_t(kChunkBytes - 1);
  if (base > at) ::munmap(raw, base - at);
  if (const std::uintptr_t end = base + kChunkBytes; end < at + span) ::munmap(reinterpret_cast<void*>(end), at + span - end);
  void* mem = reinterpret_cast<void*>(base);

  ::madvise(mem, kChunkBytes, MADV_DONTDUMP);
#ifdef MADV_WIPEONFORK
  ::madvise(mem, kChunkBytes, MADV_WIPEONFORK);
#endif
  bool locked = false;
  if (!lock_refused_) {
    locked = ::mlock(mem, kChunkBytes) == 0;  // also faults the pages in
    if (!locked) lock_refused_ = true;
  }
#ifdef MADV_POPULATE_WRITE
  if (!locked) ::madvise(mem, kChunkBytes, MADV_POPULATE_WRITE);  // one call, not a fault per page
#endif
  auto* c = new (mem) Chunk;
  c->locked = locked;
  ++stats_.chunks;
  ++stats_.chunks_mapped;
  if (!locked) ++stats_.unlocked_chunks;
  return c;
}

void KeySlab::unmap_chunk(Chunk* c) noexcept {
  if (!c->locked) --stats_.unlocked_chunks;
  --stats_.chunks;
  ++stats_.chunks_unmapped;
  // Every slot was wiped when released; the pages go back to the kernel as they are.
  ::munmap(c, kChunkBytes);
}

void* KeySlab::allocate() {
  std::lock_guard lock(mu_);
  Chunk* c = partial_;
  if (c == nullptr) {
    c = map_chunk();
    push(partial_, c);
  }
  std::uint8_t* p;
  if (c->free_head != 0) {
    p = c->slot(c->free_head);
    std::uint32_t next;
    std::memcpy(&next, p, sizeof next);
    std::memset(p, 0, sizeof next);
    c->free_head = next;
  } else {
    p = c->slot(c->bump++);
  }
  ++c->used;
  ++stats_.slots_in_use;
  if (c->free_head == 0 && c->bump > kSlotsPerChunk) {
    unlink(partial_, c);
    push(full_, c);
  }
  return p;
}

void KeySlab::release(void* ptr) noexcept {
  if (ptr == nullptr) return;
  auto* p = static_cast<std::uint8_t*>(ptr);
  OPENSSL_cleanse(p, kSlotBytes);
  auto* c = reinterpret_cast<Chunk*>(reinterpret_cast<std::uintptr_t>(p) & ~std::uintptr_t(kChunkBytes - 1));
  const auto index = std::uint32_t((p - reinterpret_cast<std::uint8_t*>(c)) / kSlotBytes);
  std::lock_guard lock(mu_);
  const bool was_full = c->free_head == 0 && c->bump > kSlotsPerChunk;
  std::memcpy(p, &c->free_head, sizeof c->free_head);
  c->free_head = index;
  --c->used;
  --stats_.slots_in_use;
  if (was_full) {
    unlink(full_, c);
    push(partial_, c);
  }
  // An empty chunk goes back to the kernel unless it is the only one with room.
  if (c->used == 0 && (c->prev != nullptr || c->next != nullptr)) {
    unlink(partial_, c);
    unmap_chunk(c);
  }
}

KeySlab::Stats KeySlab::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

KeyMemory key_memory() {
  const KeySlab::Stats s = KeySlab::instance().stats();
  return {KeySlab::kSlotBytes, s.slots_in_use, s.chunks * KeySlab::kChunkBytes,
          s.unlocked_chunks * KeySlab::kChunkBytes};
}

}  // namespace aipsec::crypto
