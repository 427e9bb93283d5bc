// The memory budget of one rank: every large buffer (the rows read, their
// index, the shuffle's buffers, the rows received) is reserved here before
// it is allocated, so a table too big for the budget is a clear error that
// names the budget and what to do — never an out-of-memory kill.
// Small things (the header, samples, a few counters) are not counted.
#pragma once

#include <cstdint>
#include <string>

namespace flowc::table {

class MemoryBudget {
 public:
  MemoryBudget(uint64_t limit_bytes, int rank, int ranks) : limit_(limit_bytes), rank_(rank), ranks_(ranks) {}

  // Throws TableError when `bytes` more would exceed the budget; `what`
  // says what they are for ("the 1,234 rows it received in the shuffle").
  void reserve(uint64_t bytes, const std::string& what);
  void release(uint64_t bytes) { used_ -= bytes < used_ ? bytes : used_; }

  uint64_t limit() const { return limit_; }
  uint64_t used() const { return used_; }
  uint64_t peak() const { return peak_; }

 private:
  uint64_t limit_;
  uint64_t used_ = 0;
  uint64_t peak_ = 0;
  int rank_, ranks_;
};

// A reservation held for a scope (or moved along with the buffer it covers).
class Reservation {
 public:
  Reservation() = default;
  Reservation(MemoryBudget& budget, uint64_t bytes, const std::string& what) : budget_(&budget), bytes_(bytes) {
    budget.reserve(bytes, what);
  }
  ~Reservation() { reset(); }
  Reservation(Reservation&& other) noexcept : budget_(other.budget_), bytes_(other.bytes_) { other.bytes_ = 0; }
  Reservation& operator=(Reservation&& other) noexcept {
    if (this != &other) {
      reset();
      budget_ = other.budget_;
      bytes_ = other.bytes_;
      other.bytes_ = 0;
    }
    return *this;
  }
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;

  void reset() {
    if (budget_ && bytes_) budget_->release(bytes_);
    bytes_ = 0;
  }

 private:
  MemoryBudget* budget_ = nullptr;
  uint64_t bytes_ = 0;
};

// "1.5 GiB", "512 MiB", "300 KiB", "12 bytes".
std::string human_bytes(uint64_t bytes);
// "1234567" → "1,234,567".
std::string with_commas(uint64_t n);
// Parses "512MiB", "2GiB", "1GB", "4096" (bytes); false if it is not a size.
bool parse_size(const std::string& text, uint64_t* bytes);

}  // namespace flowc::table
