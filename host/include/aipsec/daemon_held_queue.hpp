// The packets a policy holds while a key daemon is asked for an SA (ACQUIRE):
// bounded in packets and bytes, each with the SA it waits for and a deadline.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>

#include "aipsec/common.hpp"
#include "aipsec/dataplane.hpp"

namespace aipsec::daemon {

class HeldQueue {
 public:
  using Clock = std::chrono::steady_clock;

  struct Entry {
    Bytes packet;          // the IP datagram as read from the protected side
    AcquireRequest wants;  // the SA it waits for
    Clock::time_point deadline;
  };

  HeldQueue(std::size_t max_packets, std::size_t max_bytes, std::chrono::milliseconds timeout)
      : max_packets_(max_packets), max_bytes_(max_bytes), timeout_(timeout) {}

  // False (nothing kept) when the queue is full: the caller counts kHeldQueueFull.
  bool push(ByteView packet, const AcquireRequest& wants, Clock::time_point now = Clock::now());

  // Removes the entries past their deadline; returns how many.
  std::size_t expire(Clock::time_point now = Clock::now());

  // Removes and hands to fn every entry whose SA is_ready says exists now, in
  // arrival order. Returns how many were released.
  std::size_t release(const std::function<bool(const AcquireRequest&)>& is_ready,
                      const std::function<void(Entry&)>& fn);

  std::size_t size() const { return q_.size(); }
  std::size_t bytes() const { return bytes_; }
  void clear() { q_.clear(); bytes_ = 0; }

 private:
  std::size_t max_packets_, max_bytes_;
  std::chrono::milliseconds timeout_;
  std::deque<Entry> q_;
  std::size_t bytes_ = 0;
};

}  // namespace aipsec::daemon
