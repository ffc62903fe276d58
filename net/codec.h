#pragma once

#include <string>
#include <string_view>

#include "engine/error.h"
#include "proto/edge.pb.h"

/// Frames of the edge protocol: a binary WebSocket frame is one serialized
/// `pb::Envelope`, a text frame the same envelope in protobuf's canonical JSON
/// mapping. Pure functions; thread-safe.
namespace switchboard::net {

/// A decoded frame, or why it is not one.
struct decoded_frame {
  pb::Envelope envelope;
  /// MALFORMED_FRAME when the bytes are not an envelope; UNSPECIFIED when they are.
  pb::ErrorCode error = pb::ERROR_CODE_UNSPECIFIED;
  std::string why;

  bool ok() const { return error == pb::ERROR_CODE_UNSPECIFIED; }
};

/// Parses one frame. Binary: protobuf wire format (truncated or invalid bytes are
/// MALFORMED_FRAME). Text: canonical JSON, unknown fields refused.
decoded_frame decode_frame(std::string_view data, bool text);

/// Serializes `e` as a binary frame (`text` false) or canonical JSON (`text` true).
std::string encode_frame(const pb::Envelope& e, bool text);

/// The wire code of an engine error: the same number (1..22).
pb::ErrorCode to_error_code(engine::errc code);

/// An `Error` envelope echoing `request_id`.
pb::Envelope error_envelope(std::string_view request_id, pb::ErrorCode code, std::string message);

/// The `Error` envelope of an engine error (same code).
pb::Envelope error_envelope(std::string_view request_id, const engine::error& e);

/// Lower-case name of a code, as used in metric labels (`malformed_frame`).
std::string code_label(pb::ErrorCode code);

}  // namespace switchboard::net
