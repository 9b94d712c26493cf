// Reference model of a bucketed hash table under concurrent writes: the
// entries, plus a log of writes so a lookup can be checked against every table
// version between its acceptance and its answer (an answer must equal one of
// them exactly: one consistent snapshot of the bucket).
#pragma once

#include <array>
#include <cstddef>
#include <vector>

template <typename Entry, unsigned Ways>
class TableModel {
 public:
  explicit TableModel(std::size_t entries) : entries_(entries) {}

  std::size_t version() const { return log_.size(); }
  const Entry& at(std::size_t index) const { return entries_[index]; }
  std::size_t size() const { return entries_.size(); }

  void write(std::size_t index, const Entry& e) {
    log_.push_back({index, entries_[index]});
    entries_[index] = e;
  }

  // The bucket as it was after the first v writes (v <= version()).
  std::array<Entry, Ways> bucket_at(std::size_t bucket, std::size_t v) const {
    std::array<Entry, Ways> b;
    for (unsigned w = 0; w < Ways; ++w) b[w] = entries_[bucket * Ways + w];
    for (std::size_t i = log_.size(); i-- > v;) {
      if (log_[i].index / Ways == bucket) b[log_[i].index % Ways] = log_[i].old_entry;
    }
    return b;
  }

 private:
  struct Write {
    std::size_t index;
    Entry old_entry;
  };
  std::vector<Entry> entries_;
  std::vector<Write> log_;
};
