// Stored records (storage/codecs.h): the bytes a store reads back from RocksDB.
// The first input byte picks the decoder (see `decoders`), the rest is the value.
//
// Properties: a refused record is errors::corrupt_record with a message; an
// accepted one re-encodes to bytes that decode again and re-encode to the same
// bytes (decode(encode(x)) == x as far as bytes tell). The last selector checks
// `valid_utf8` against protobuf's own parser: a string it accepts must come back
// from a stored record, and one it refuses must not (check_utf8 relies on both).
#include <google/protobuf/stubs/logging.h>

#include "fuzz/check.h"
#include "storage/codecs.h"

namespace {

using switchboard::fuzz::require;
namespace storage = switchboard::storage;

template <class Decode>
void round_trip(std::string_view bytes, Decode decode) {
  auto x = decode(bytes);
  if (!switchboard::fuzz::accepted(x, storage::errors::corrupt_record))
    return;
  auto once = storage::encode(*x);
  auto y = decode(once);
  require(y.ok(), "a re-encoded record decodes");
  require(storage::encode(*y) == once, "re-encoding is stable");
}

void utf8_agrees_with_protobuf(std::string_view s) {
  switchboard::pb::Tenant m;
  m.set_name(std::string{s});
  std::string bytes;
  m.SerializeToString(&bytes);
  switchboard::pb::Tenant back;
  bool parsed = back.ParseFromString(bytes);
  require(parsed == storage::valid_utf8(s), "valid_utf8 agrees with protobuf's parser");
  require(!parsed || back.name() == s, "a valid string comes back unchanged");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  if (size == 0)
    return 0;
  // Serializing invalid UTF-8 (the utf8 selector) logs an error per call.
  static const bool quiet = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void) quiet;
  auto bytes = switchboard::fuzz::input(data + 1, size - 1);
  switch (data[0] % 10) {
    case 0: round_trip(bytes, storage::decode_tenant); break;
    case 1: round_trip(bytes, storage::decode_queue); break;
    case 2: round_trip(bytes, storage::decode_agent); break;
    case 3: round_trip(bytes, storage::decode_customer); break;
    case 4: round_trip(bytes, storage::decode_contact); break;
    case 5: round_trip(bytes, storage::decode_outcome); break;
    case 6: round_trip(bytes, storage::decode_decision); break;
    case 7: round_trip(bytes, storage::decode_journal_event); break;
    case 8:
      round_trip(bytes, [](std::string_view b) { return storage::decode_learned(b, "agent-1"); });
      break;
    default: utf8_agrees_with_protobuf(bytes); break;
  }
  return 0;
}
