#pragma once

#include <caf/atom.hpp>
#include <caf/error.hpp>

#include "engine/error.h"

namespace switchboard::actors {

/// CAF error category of Switchboard errors; the code is an `engine::errc`.
inline constexpr caf::atom_value error_category = caf::atom("switchbrd");

/// Wraps an engine error into a caf::error (code + message as context).
caf::error to_caf(const engine::error& e);
caf::error to_caf(engine::errc code, std::string message);
/// Unwraps; CAF's own errors (timeouts, dead actors) map to the closest errc.
engine::error from_caf(const caf::error& e);

}  // namespace switchboard::actors
