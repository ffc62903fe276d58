#pragma once

#include <caf/atom.hpp>
#include <caf/error.hpp>

#include "engine/error.h"

namespace switchboard::actors {

/// The actors' error codes: the range 20–21 that engine/error.h reserves for them,
/// in the one code space of `engine::errc`.
namespace errors {
/// A request got no answer in time (the facade's request timeout, CAF's
/// `request_timeout`, or a client's own deadline).
inline constexpr engine::errc timeout{20};
/// The node (or the actor that would answer) stopped before answering.
inline constexpr engine::errc shutting_down{21};
}  // namespace errors

/// CAF error category of Switchboard errors; the code is an `engine::errc`.
inline constexpr caf::atom_value error_category = caf::atom("switchbrd");

/// Wraps an engine error into a caf::error (code + message as context).
caf::error to_caf(const engine::error& e);
caf::error to_caf(engine::errc code, std::string message);
/// Unwraps; CAF's own errors (timeouts, dead actors) map to the closest errc.
engine::error from_caf(const caf::error& e);

}  // namespace switchboard::actors
