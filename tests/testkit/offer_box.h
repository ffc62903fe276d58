#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "actors/event.h"

namespace switchboard::testkit {

/// Events (offers) handed from a node's event thread to the thread that answers
/// them, in order. Thread-safe.
class offer_box {
 public:
  void push(const event& e) {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      offers_.push_back(e);
    }
    cv_.notify_one();
  }
  /// The next event; blocks until there is one.
  event pop() {
    std::unique_lock<std::mutex> guard{mutex_};
    cv_.wait(guard, [&] { return !offers_.empty(); });
    auto e = offers_.front();
    offers_.pop_front();
    return e;
  }
  /// True when an event is there within `bound`.
  bool wait(std::chrono::seconds bound) {
    std::unique_lock<std::mutex> guard{mutex_};
    return cv_.wait_for(guard, bound, [&] { return !offers_.empty(); });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<event> offers_;
};

}  // namespace switchboard::testkit
