// A block of bytes that is not zeroed when allocated: rows are read or
// received straight into it, so zeroing first (as std::string::resize does)
// would only cost a pass over memory — measured at 8% of a join.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

namespace flowc::table {

class ByteBuffer {
 public:
  ByteBuffer() = default;
  explicit ByteBuffer(size_t size) : data_(std::make_unique_for_overwrite<char[]>(size)), size_(size) {}

  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  char& operator[](size_t i) { return data_[i]; }
  operator std::string_view() const { return {data_.get(), size_}; }
  void reset() {
    data_.reset();
    size_ = 0;
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
};

}  // namespace flowc::table
