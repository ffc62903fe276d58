#pragma once

#include <cstdint>

/// Forward declarations of storage/ types, for headers that only pass them along.
namespace switchboard::storage {

enum class durability : std::uint8_t;
struct store_options;
struct tenant_learned;
struct write_batch;
struct snapshot;
struct store_counts;
class store;

}  // namespace switchboard::storage
