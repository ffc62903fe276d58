#include "actors/system_config.h"

#include <caf/all.hpp>

#include "actors/errors.h"

namespace switchboard::actors {

namespace {

template <class... Ts>
void add_wire_types(caf::actor_system_config& cfg, type_list<Ts...>) {
  (cfg.add_message_type<Ts>(std::string{"sb."} + wire_name<Ts>::value), ...);
}

}  // namespace

void register_types(caf::actor_system_config& cfg) {
  add_wire_types(cfg, wire_types{});
  // The event's CAF name differs from its registered one; vectors have no name.
  cfg.add_message_type<switchboard::event>("sb.event")
    .add_message_type<std::vector<engine::learned_record>>("sb.learned_records")
    .add_message_type<std::vector<chat_line>>("sb.chat_lines")
    .add_message_type<std::vector<switchboard::event>>("sb.events");
  cfg.add_error_category(actors::error_category, [](std::uint8_t code, caf::atom_value,
                                             const caf::message& ctx) {
    std::string out = "switchboard: ";
    out += engine::to_string(static_cast<engine::errc>(code));
    if (ctx.size() == 1 && ctx.match_element<std::string>(0))
      out += " (" + ctx.get_as<std::string>(0) + ")";
    return out;
  });
}

}  // namespace switchboard::actors
