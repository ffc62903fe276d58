#pragma once

#include "engine/error.h"

/// Storage's error codes: the range 16–19 that engine/error.h reserves for storage,
/// in the one code space of `engine::errc` (they travel as that type).
namespace switchboard::storage::errors {

/// RocksDB failed (I/O error, full disk, ...), anything but corruption.
inline constexpr engine::errc storage_failure{16};
/// Another store, in this or another process, holds the data dir (RocksDB's LOCK).
inline constexpr engine::errc database_locked{17};
/// The data dir is missing and cannot be created, not a directory, or not writable.
inline constexpr engine::errc bad_data_dir{18};
/// A stored record or key does not decode (or has an UNSPECIFIED enum).
inline constexpr engine::errc corrupt_record{19};

}  // namespace switchboard::storage::errors
