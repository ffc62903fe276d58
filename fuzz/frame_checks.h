#pragma once

#include <string_view>

#include "net/codec.h"

/// The properties of the edge frame decoder (net/codec.h) that both frame targets
/// check, whatever the encoding of the input.
namespace switchboard::fuzz {

/// Decodes `data` as a binary (`text` false) or JSON frame and checks it: a
/// refused frame is MALFORMED_FRAME with a reason; an accepted one survives both
/// encodings (see check_envelope).
void check_frame(std::string_view data, bool text);

/// Round trips of an envelope that decoded: its binary encoding decodes and
/// re-encodes to the same bytes; its JSON encoding decodes to the same envelope
/// (unknown fields aside, which JSON has no place for) and re-encodes to the
/// same text.
void check_envelope(const pb::Envelope& e);

}  // namespace switchboard::fuzz
