#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

/// Typed errors of the engine, and a small result type (C++20 has no std::expected).
namespace switchboard::engine {

/// The one code space of every error the engine, storage and actors report. Values
/// are stable: they cross nodes inside caf::error and reach clients as codes (and
/// as the names `to_string` gives). The ranges have owners:
///
/// | codes | owner | named in |
/// |---|---|---|
/// | 0–15, 22–25 | engine (23–25: a domain's ownership in a cluster) | here |
/// | 16–19 | storage | `storage/errors.h` (`storage::errors::corrupt_record`, ...) |
/// | 20–21 | actors | `actors/errors.h` (`actors::errors::timeout`, ...) |
///
/// engine/ never raises a code of another owner's range; a new code of any layer
/// takes the next free value (26) and its name is added to `to_string`.
enum class errc : std::uint8_t {
  none = 0,
  invalid_argument = 1,
  unknown_tenant = 2,
  unknown_queue = 3,
  unknown_agent = 4,
  unknown_contact = 5,
  unknown_customer = 6,
  duplicate_id = 7,
  cross_tenant = 8,
  invalid_proficiency = 9,
  invalid_capacity = 10,
  invalid_transition = 11,
  not_offered = 12,        ///< accept/decline of an offer the agent does not hold
  no_capacity = 13,
  queue_full = 14,
  agent_offline = 15,
  // 16–21: reserved for storage and actors (see above).
  not_connected = 22,      ///< complete/wrap-up of a contact the agent is not serving
  unavailable = 23,        ///< the cluster's store (etcd) or a peer node cannot be reached
  stale_epoch = 24,        ///< a message about a domain carries an epoch that is not current
  not_owner = 25,          ///< this node does not own the domain (now); retry at the owner
};

/// The stable name of any code of the space, whoever owns it ("unknown_error" for a
/// value no layer defines).
std::string_view to_string(errc x);

/// An error code with a human-readable message that names the offending id.
struct error {
  errc code = errc::none;
  std::string message;
};

inline error make_error(errc code, std::string message = {}) {
  return error{code, std::move(message)};
}

/// Either a value or an error. `[[nodiscard]]`: a failure must be looked at.
template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : v_(std::move(value)) {}
  result(error err) : v_(std::move(err)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  const error& err() const { return std::get<1>(v_); }
  errc code() const { return ok() ? errc::none : err().code; }

 private:
  std::variant<T, error> v_;
};

/// Success or an error, for operations without a value.
class [[nodiscard]] status {
 public:
  status() = default;
  status(error err) : err_(std::move(err)) {}
  static status success() { return {}; }

  bool ok() const { return err_.code == errc::none; }
  explicit operator bool() const { return ok(); }
  const error& err() const { return err_; }
  errc code() const { return err_.code; }

 private:
  error err_;
};

}  // namespace switchboard::engine
