#include "actors/errors.h"

#include <caf/make_message.hpp>
#include <caf/sec.hpp>

#include "storage/errors.h"

namespace switchboard::actors {

caf::error to_caf(const engine::error& e) {
  return caf::error{static_cast<std::uint8_t>(e.code), error_category,
                    caf::make_message(e.message)};
}

caf::error to_caf(engine::errc code, std::string message) {
  return to_caf(engine::error{code, std::move(message)});
}

engine::error from_caf(const caf::error& e) {
  if (!e)
    return {};
  if (e.category() == error_category) {
    std::string msg;
    const auto& ctx = e.context();
    if (ctx.size() == 1 && ctx.match_element<std::string>(0))
      msg = ctx.get_as<std::string>(0);
    return engine::error{static_cast<engine::errc>(e.code()), std::move(msg)};
  }
  if (e.category() == caf::atom("system")) {
    auto code = static_cast<caf::sec>(e.code());
    if (code == caf::sec::request_timeout)
      return engine::error{errors::timeout, "request timed out"};
    if (code == caf::sec::request_receiver_down)
      return engine::error{errors::shutting_down, "the actor is gone (shutting down?)"};
  }
  return engine::error{storage::errors::storage_failure, "internal error: " + caf::to_string(e)};
}

}  // namespace switchboard::actors
