// The ACQUIRE hold queue.
#include "aipsec/daemon_held_queue.hpp"

namespace aipsec::daemon {

bool HeldQueue::push(ByteView packet, const AcquireRequest& wants, Clock::time_point now) {
  if (q_.size() >= max_packets_ || bytes_ + packet.size() > max_bytes_) return false;
  q_.push_back(Entry{Bytes(packet.begin(), packet.end()), wants, now + timeout_});
  bytes_ += packet.size();
  return true;
}

std::size_t HeldQueue::expire(Clock::time_point now) {
  std::size_t n = 0;
  for (auto it = q_.begin(); it != q_.end();) {
    if (it->deadline <= now) {
      bytes_ -= it->packet.size();
      it = q_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

std::size_t HeldQueue::release(const std::function<bool(const AcquireRequest&)>& is_ready,
                               const std::function<void(Entry&)>& fn) {
  std::deque<Entry> ready;
  for (auto it = q_.begin(); it != q_.end();) {
    if (is_ready(it->wants)) {
      bytes_ -= it->packet.size();
      ready.push_back(std::move(*it));
      it = q_.erase(it);
    } else {
      ++it;
    }
  }
  // fn may push back into the queue (another SA of the bundle still missing).
  for (Entry& e : ready) fn(e);
  return ready.size();
}

}  // namespace aipsec::daemon
