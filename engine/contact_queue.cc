#include "engine/contact_queue.h"

namespace switchboard::engine {

bool contact_queue::push(const queue_key& key, handle h) {
  return tree_.insert({key, h}).second;
}

bool contact_queue::erase(const queue_key& key) {
  return tree_.erase(key) > 0;
}

bool contact_queue::contains(const queue_key& key) const {
  return tree_.find(key) != tree_.end();
}

std::int64_t contact_queue::position(const queue_key& key) const {
  if (!contains(key))
    return -1;
  return static_cast<std::int64_t>(tree_.order_of_key(key));
}

}  // namespace switchboard::engine
