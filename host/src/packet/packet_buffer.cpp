// Packet: one buffer allocated at construction; every later change of size
// moves the head or tail inside it (as mbufs and skbs do).
#include <algorithm>
#include <cstring>

#include "aipsec/packet.hpp"

namespace aipsec {

Packet::Packet(std::size_t capacity, std::size_t headroom) : buf_(capacity), head_(headroom) {
  if (headroom > capacity) throw Error("packet headroom larger than its capacity");
}

// Room for the largest datagram after the contents, so that encapsulation of a
// received packet never needs a second buffer.
Packet::Packet(ByteView contents, std::size_t headroom)
    : buf_(std::max(kDefaultCapacity, headroom + contents.size() + (kDefaultCapacity - 65535))),
      head_(headroom),
      len_(contents.size()) {
  if (!contents.empty()) std::memcpy(data(), contents.data(), contents.size());
}

// Moves the shorter-to-reach side: the bytes before off go towards the head when
// there is headroom (the IP header is short), otherwise the bytes after off go
// towards the tail.
std::uint8_t* Packet::insert(std::size_t off, std::size_t n) {
  if (off > len_) return nullptr;
  if (n <= head_) {
    std::uint8_t* old = data();
    head_ -= n;
    if (off != 0) std::memmove(data(), old, off);
  } else if (n <= tailroom()) {
    if (len_ - off != 0) std::memmove(data() + off + n, data() + off, len_ - off);
  } else {
    return nullptr;
  }
  len_ += n;
  return data() + off;
}

bool Packet::erase(std::size_t off, std::size_t n) {
  if (off > len_ || n > len_ - off) return false;
  if (off != 0) std::memmove(data() + n, data(), off);
  head_ += n;
  len_ -= n;
  return true;
}

bool Packet::assign(ByteView contents, std::size_t headroom) {
  if (headroom > buf_.size() || contents.size() > buf_.size() - headroom) return false;
  head_ = headroom;
  len_ = contents.size();
  if (!contents.empty()) std::memmove(data(), contents.data(), contents.size());
  return true;
}

}  // namespace aipsec
