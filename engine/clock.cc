#include "engine/clock.h"

namespace switchboard::engine {

time_ms system_clock::wall() const {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count();
}

std::chrono::microseconds system_clock::steady() const {
  auto since = std::chrono::steady_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::microseconds>(since);
}

}  // namespace switchboard::engine
