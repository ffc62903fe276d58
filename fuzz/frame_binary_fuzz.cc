// Binary WebSocket frames (a serialized pb::Envelope) through net::decode_frame;
// the properties are in frame_checks.h.
#include "fuzz/check.h"
#include "fuzz/frame_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  switchboard::fuzz::check_frame(switchboard::fuzz::input(data, size), false);
  return 0;
}
