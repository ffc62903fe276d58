#pragma once

#include <cstdint>
#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>
#include <functional>

#include "engine/contact.h"

namespace switchboard::engine {

/// The waiting line of one queue: contacts ordered by `queue_key`, with O(log n)
/// insert, erase and position (rank). Holds opaque 32-bit handles chosen by the
/// owner (the routing domain's contact slots). Not thread-safe; confined to its owner.
class contact_queue {
 public:
  using handle = std::uint32_t;

  /// Inserts; false when the key is already present (keys are unique by seq).
  bool push(const queue_key& key, handle h);
  /// Removes; false when absent.
  bool erase(const queue_key& key);
  bool contains(const queue_key& key) const;
  /// 0-based place in line, or -1 when absent.
  std::int64_t position(const queue_key& key) const;
  std::size_t size() const { return tree_.size(); }
  bool empty() const { return tree_.empty(); }

  /// Calls `f(key, handle)` in line order until it returns false.
  template <class F>
  void for_each(F&& f) const {
    for (const auto& [k, h] : tree_)
      if (!f(k, h))
        return;
  }

  /// The first contact in line; precondition: not empty.
  std::pair<queue_key, handle> front() const { return *tree_.begin(); }

 private:
  using tree_type =
    __gnu_pbds::tree<queue_key, handle, std::less<queue_key>, __gnu_pbds::rb_tree_tag,
                     __gnu_pbds::tree_order_statistics_node_update>;
  tree_type tree_;
};

}  // namespace switchboard::engine
