#include "net/codec.h"

#include <algorithm>
#include <cctype>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/json_util.h>

namespace switchboard::net {

decoded_frame decode_frame(std::string_view data, bool text) {
  decoded_frame out;
  if (text) {
    google::protobuf::util::JsonParseOptions opts;
    opts.ignore_unknown_fields = false;
    auto st = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece{data.data(), data.size()}, &out.envelope, opts);
    if (!st.ok()) {
      out.error = pb::MALFORMED_FRAME;
      out.why = "not a JSON Envelope: " + std::string{st.message()};
    }
    return out;
  }
  // A string field with invalid UTF-8 makes protobuf write an ERROR line to stderr
  // for every such frame, unthrottled, before the parse fails; the refusal is the
  // caller's to report (the edge does, rate-limited), so protobuf stays silent.
  // The silencer is process-wide while it lives: a protobuf line of another
  // thread in that moment is dropped too.
  google::protobuf::LogSilencer quiet;
  if (data.size() > static_cast<std::size_t>(INT32_MAX) ||
      !out.envelope.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    out.error = pb::MALFORMED_FRAME;
    out.why = "not a protobuf Envelope";
  }
  return out;
}

std::string encode_frame(const pb::Envelope& e, bool text) {
  std::string out;
  if (text) {
    google::protobuf::util::JsonPrintOptions opts;
    // Canonical mapping: lowerCamelCase names, defaults omitted, enums by name.
    (void) google::protobuf::util::MessageToJsonString(e, &out, opts);
  } else {
    e.SerializeToString(&out);
  }
  return out;
}

pb::ErrorCode to_error_code(engine::errc code) {
  auto v = static_cast<int>(code);
  if (v >= 1 && v <= 22 && pb::ErrorCode_IsValid(v))
    return static_cast<pb::ErrorCode>(v);
  return pb::ERROR_CODE_UNSPECIFIED;
}

pb::Envelope error_envelope(std::string_view request_id, pb::ErrorCode code, std::string message) {
  pb::Envelope e;
  e.set_request_id(std::string{request_id});
  auto* err = e.mutable_error();
  err->set_code(code);
  err->set_message(std::move(message));
  return e;
}

pb::Envelope error_envelope(std::string_view request_id, const engine::error& e) {
  return error_envelope(request_id, to_error_code(e.code), e.message);
}

std::string code_label(pb::ErrorCode code) {
  auto name = pb::ErrorCode_Name(code);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

}  // namespace switchboard::net
