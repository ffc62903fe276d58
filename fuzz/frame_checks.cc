#include "fuzz/frame_checks.h"

#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/message_differencer.h>

#include "fuzz/check.h"

namespace switchboard::fuzz {

namespace {

/// Field-by-field equality where NaN equals NaN (JSON spells every NaN "NaN", so
/// the payload bits of one may not come back).
bool same(const pb::Envelope& a, const pb::Envelope& b) {
  google::protobuf::util::DefaultFieldComparator cmp;
  cmp.set_treat_nan_as_equal(true);
  google::protobuf::util::MessageDifferencer diff;
  diff.set_field_comparator(&cmp);
  return diff.Compare(a, b);
}

}  // namespace

void check_frame(std::string_view data, bool text) {
  auto d = net::decode_frame(data, text);
  if (!d.ok()) {
    require(d.error == pb::MALFORMED_FRAME, "a refused frame is MALFORMED_FRAME");
    require(!d.why.empty(), "a refused frame says why");
    return;
  }
  check_envelope(d.envelope);
}

void check_envelope(const pb::Envelope& e) {
  auto bin = net::encode_frame(e, false);
  auto again = net::decode_frame(bin, false);
  require(again.ok(), "the binary encoding of a decoded envelope decodes");
  require(net::encode_frame(again.envelope, false) == bin, "binary re-encoding is stable");

  pb::Envelope known = e;
  known.DiscardUnknownFields();
  auto json = net::encode_frame(known, true);
  require(!json.empty(), "a decoded envelope has a JSON encoding");
  auto parsed = net::decode_frame(json, true);
  require(parsed.ok(), "the JSON encoding of a decoded envelope decodes");
  require(same(parsed.envelope, known), "JSON round trip gives the same envelope");
  require(net::encode_frame(parsed.envelope, true) == json, "JSON re-encoding is stable");
}

}  // namespace switchboard::fuzz
