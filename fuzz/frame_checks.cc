#include "fuzz/frame_checks.h"

#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/message_differencer.h>

#include "fuzz/check.h"

namespace switchboard::fuzz {

namespace {

/// Field-by-field equality where NaN equals NaN (JSON spells every NaN "NaN", so
/// the payload bits of one may not come back), and a field without presence set to
/// -0.0 equals the field left out: binary keeps -0.0 (its bits are not zero), JSON
/// leaves out a value equal to the default, and the two mean the same (found by
/// the CI's fuzz stage: a Queue's service_level_target of -0.0).
bool same(const pb::Envelope& a, const pb::Envelope& b) {
  google::protobuf::util::DefaultFieldComparator cmp;
  cmp.set_treat_nan_as_equal(true);
  google::protobuf::util::MessageDifferencer diff;
  diff.set_field_comparator(&cmp);
  diff.set_message_field_comparison(google::protobuf::util::MessageDifferencer::EQUIVALENT);
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
  // Stable once through JSON: a -0.0 printed as -0 can come back as 0, which JSON
  // then leaves out (the same value; see `same`), so the first text may differ.
  auto json2 = net::encode_frame(parsed.envelope, true);
  auto parsed2 = net::decode_frame(json2, true);
  require(parsed2.ok(), "the JSON re-encoding decodes");
  require(net::encode_frame(parsed2.envelope, true) == json2, "JSON re-encoding is stable");
}

}  // namespace switchboard::fuzz
