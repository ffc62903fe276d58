// Writes the generated seeds of the fuzz corpus: `make_corpus DIR` fills
// DIR/storage_codecs (one encoded record of each type, behind its selector
// byte), DIR/frame_binary and DIR/frame_json (an envelope of each body type).
// The records go through from_proto before they are encoded, so every seed is
// one the store could have written; the envelopes have every field set.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <google/protobuf/text_format.h>

#include "net/codec.h"
#include "storage/codecs.h"

namespace {

namespace fs = std::filesystem;
namespace pb = switchboard::pb;
namespace storage = switchboard::storage;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

bool write(const fs::path& file, const std::string& bytes) {
  std::ofstream out{file, std::ios::binary};
  out << bytes;
  return static_cast<bool>(out);
}

/// Text-format record -> proto -> engine record (must be valid) -> stored bytes,
/// behind `selector` (storage_codecs_fuzz.cc's switch).
template <class Proto, class... Extra>
bool record(const fs::path& dir, const char* name, unsigned char selector, const char* text,
            Extra... extra) {
  Proto m;
  if (!google::protobuf::TextFormat::ParseFromString(text, &m)) {
    std::fprintf(stderr, "make_corpus: %s is not a %s\n", name, m.GetTypeName().c_str());
    return false;
  }
  auto x = storage::from_proto(m, extra...);
  if (!x) {
    std::fprintf(stderr, "make_corpus: %s: %s\n", name, x.err().message.c_str());
    return false;
  }
  return write(dir / name, std::string(1, static_cast<char>(selector)) + storage::encode(*x));
}

/// Sets every field of `m` (one element of each repeated field, the first
/// non-zero enum value), down to `depth` levels of messages.
void fill(Message& m, int depth) {
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const auto* f = d->field(i);
    if (f->containing_oneof() != nullptr)
      continue;
    bool rep = f->is_repeated();
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string v = f->type() == FieldDescriptor::TYPE_BYTES ? "\x01\x02" : f->name() + "-1";
        rep ? r->AddString(&m, f, v) : r->SetString(&m, f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_INT32: rep ? r->AddInt32(&m, f, 3) : r->SetInt32(&m, f, 3); break;
      case FieldDescriptor::CPPTYPE_INT64:
        rep ? r->AddInt64(&m, f, 1700000000000) : r->SetInt64(&m, f, 1700000000000);
        break;
      case FieldDescriptor::CPPTYPE_UINT32: rep ? r->AddUInt32(&m, f, 2) : r->SetUInt32(&m, f, 2); break;
      case FieldDescriptor::CPPTYPE_UINT64: rep ? r->AddUInt64(&m, f, 42) : r->SetUInt64(&m, f, 42); break;
      case FieldDescriptor::CPPTYPE_DOUBLE: rep ? r->AddDouble(&m, f, 0.75) : r->SetDouble(&m, f, 0.75); break;
      case FieldDescriptor::CPPTYPE_FLOAT: rep ? r->AddFloat(&m, f, 0.5f) : r->SetFloat(&m, f, 0.5f); break;
      case FieldDescriptor::CPPTYPE_BOOL: rep ? r->AddBool(&m, f, true) : r->SetBool(&m, f, true); break;
      case FieldDescriptor::CPPTYPE_ENUM: {
        const auto* e = f->enum_type();
        const auto* v = e->value(e->value_count() > 1 ? 1 : 0);
        rep ? r->AddEnum(&m, f, v) : r->SetEnum(&m, f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth > 0)
          fill(rep ? *r->AddMessage(&m, f) : *r->MutableMessage(&m, f), depth - 1);
        break;
    }
  }
}

bool records(const fs::path& dir) {
  return record<pb::Tenant>(dir, "tenant", 0,
                            R"(id: "acme" name: "Acme" default_policy: ROUTING_POLICY_PROFILE
                               ring_no_answer_limit: 3 decline_cooldown_ms: 30000
                               weights { skill: 1 affinity: 0.5 value: 0.25 fairness: 0.2 aging: 0.1 })") &&
         record<pb::Queue>(dir, "queue", 1,
                           R"(tenant: "acme" id: "billing" name: "Billing"
                              skills { skill: "billing" min_proficiency: 50 }
                              languages: "en" languages: "fr" channels: CHANNEL_VOICE channels: CHANNEL_CHAT
                              priority: 2 service_level_target: 0.8 service_level_threshold_ms: 20000
                              max_waiting: 100 max_wait_ms: 600000 offer_timeout_ms: 15000
                              overflow { after_ms: 60000 min_proficiency: 20 admit_crowd: true }
                              overflow { after_ms: 120000 min_proficiency: -1 move_to_queue: "general" }
                              policy: ROUTING_POLICY_SKILLS)") &&
         record<pb::AgentProfile>(dir, "agent", 2,
                                  R"(tenant: "acme" id: "ann" name: "Ann"
                                     skills { name: "billing" proficiency: 80 } languages: "en"
                                     capacity { channel: CHANNEL_VOICE max: 1 exclusive: true }
                                     capacity { channel: CHANNEL_CHAT max: 3 }
                                     level: AGENT_LEVEL_SENIOR remote: true tips: 12.5)") &&
         record<pb::CustomerProfile>(dir, "customer", 3,
                                     R"(tenant: "acme" id: "c-1" tier: 4 arpu: 120.5 segments: "gold"
                                        language: "fr" region: "eu" account_manager: "ann" last_agent: "bob"
                                        history { at_ms: 1700000000000 channel: CHANNEL_CHAT intent: "refund"
                                                  agent: "bob" resolved: true }
                                        complaint_risk: 0.1 churn_risk: 0.3 purchase_intents: "upgrade"
                                        preferred_channel: CHANNEL_VOICE)") &&
         record<pb::Contact>(dir, "contact", 4,
                             R"(tenant: "acme" id: "k-1" customer: "c-1" channel: CHANNEL_VOICE
                                intent: "refund" language: "fr" priority: 1 queue: "billing"
                                attached { key: "order" value: "A-17" } journey: "ivr" journey: "billing"
                                state: CONTACT_STATE_OFFERED created_ms: 1700000000000
                                enqueued_ms: 1700000001000 seq: 7 agent: "ann" last_declined_by: "bob"
                                offers: 2 segment: "gold")") &&
         record<pb::Outcome>(dir, "outcome", 5,
                             R"(resolved: true sale: true sale_amount: 49.9 csat: 5 complaint: false
                                disposition: "refunded" notes: "ok" tip: 2)") &&
         record<pb::RoutingDecision>(dir, "decision", 6,
                                     R"(contact: "k-1" queue: "billing" agent: "ann"
                                        policy: ROUTING_POLICY_PROFILE overflow_step: 1 at_ms: 1700000002000
                                        considered: 2
                                        candidates { agent: "ann" terms { skill: 0.8 affinity: 0.2 value: 0.1
                                                                          fairness: 0.05 aging: 0.3 total: 1.45 } }
                                        candidates { agent: "bob" rejected: "just_declined" })") &&
         record<pb::JournalEvent>(dir, "journal_event", 7,
                                  R"(seq: 12 at_ms: 1700000003000 tenant: "acme" contact: "k-1"
                                     type: "completed" from: CONTACT_STATE_WRAP_UP to: CONTACT_STATE_COMPLETED
                                     queue: "billing" agent: "ann" detail: "done"
                                     outcome { resolved: true csat: 4 }
                                     decision { contact: "k-1" queue: "billing" agent: "ann"
                                                policy: ROUTING_POLICY_SKILLS considered: 1 })") &&
         record<pb::OutcomeStats>(dir, "learned", 8,
                                  R"(intent: "refund" segment: "gold" handled: 10 resolved: 8 sales: 2
                                     csat_sum: 36 csat_count: 9 handle_ms_sum: 2400000 complaints: 1
                                     sale_amount_sum: 99.8)",
                                  std::string{"agent-1"}) &&
         write(dir / "utf8", "\x09" "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

bool frames(const fs::path& bin_dir, const fs::path& json_dir) {
  const auto* body = pb::Envelope::descriptor()->FindOneofByName("body");
  for (int i = 0; i < body->field_count(); ++i) {
    const auto* f = body->field(i);
    pb::Envelope e;
    e.set_request_id("r-" + std::to_string(f->number()));
    fill(*e.GetReflection()->MutableMessage(&e, f), 3);
    if (!write(bin_dir / f->name(), switchboard::net::encode_frame(e, false)) ||
        !write(json_dir / (f->name() + ".json"), switchboard::net::encode_frame(e, true)))
      return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_corpus DIR\n");
    return 2;
  }
  fs::path root{argv[1]};
  for (const char* sub : {"storage_codecs", "frame_binary", "frame_json"})
    fs::create_directories(root / sub);
  bool ok = records(root / "storage_codecs") && frames(root / "frame_binary", root / "frame_json");
  return ok ? 0 : 1;
}
