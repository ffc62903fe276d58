#include "engine/clock.h"

#include <chrono>

namespace switchboard::engine {

time_ms system_clock::now() const {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count();
}

}  // namespace switchboard::engine
