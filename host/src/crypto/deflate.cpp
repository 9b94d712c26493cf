// Raw DEFLATE for IPComp through zlib. Both streams are set up once per SA and
// reset per datagram (deflateReset/inflateReset keep their buffers).
#include <zlib.h>

#include <climits>

#include "aipsec/crypto.hpp"

namespace aipsec::crypto {

namespace {
constexpr int kRawWindowBits = -15;  // negative: no zlib header or checksum (RFC 2394)
constexpr int kMemLevel = 8;
}  // namespace

struct Deflate::Impl {
  z_stream def{};
  z_stream inf{};
  ~Impl() {
    deflateEnd(&def);
    inflateEnd(&inf);
  }
};

Deflate::Deflate(int level) : impl_(std::make_unique<Impl>()) {
  if (level < Z_DEFAULT_COMPRESSION || level > Z_BEST_COMPRESSION)
    throw Error("deflate level must be -1..9");
  if (deflateInit2(&impl_->def, level, Z_DEFLATED, kRawWindowBits, kMemLevel,
                   Z_DEFAULT_STRATEGY) != Z_OK)
    throw Error("zlib deflateInit2 failed");
  if (inflateInit2(&impl_->inf, kRawWindowBits) != Z_OK) {
    deflateEnd(&impl_->def);
    throw Error("zlib inflateInit2 failed");
  }
}

Deflate::~Deflate() = default;

std::size_t Deflate::compress(ByteView in, MutByteView out) {
  if (in.size() > UINT_MAX || out.size() > UINT_MAX) return 0;
  z_stream& s = impl_->def;
  if (deflateReset(&s) != Z_OK) return 0;
  s.next_in = const_cast<Bytef*>(in.data());  // zlib's API is not const-correct
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = out.data();
  s.avail_out = static_cast<uInt>(out.size());
  if (deflate(&s, Z_FINISH) != Z_STREAM_END) return 0;
  return out.size() - s.avail_out;
}

std::optional<std::size_t> Deflate::decompress(ByteView in, MutByteView out) {
  if (in.size() > UINT_MAX || out.size() > UINT_MAX) return std::nullopt;
  z_stream& s = impl_->inf;
  if (inflateReset(&s) != Z_OK) return std::nullopt;
  s.next_in = const_cast<Bytef*>(in.data());
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = out.data();
  s.avail_out = static_cast<uInt>(out.size());
  // Bytes after the end of the stream mean the datagram was not one deflate stream.
  if (inflate(&s, Z_FINISH) != Z_STREAM_END || s.avail_in != 0) return std::nullopt;
  return out.size() - s.avail_out;
}

}  // namespace aipsec::crypto
