#include "net/cluster/etcd_client.h"

#include <google/protobuf/util/json_util.h>

#include "proto/etcd.pb.h"

namespace switchboard::net::cluster {

namespace pb = switchboard::etcd;
using engine::errc;
using engine::make_error;

result<std::vector<client::endpoint>> parse_etcd_urls(std::string_view csv,
                                                      std::chrono::milliseconds timeout) {
  std::vector<client::endpoint> out;
  std::size_t pos = 0;
  while (pos <= csv.size()) {
    auto comma = csv.find(',', pos);
    auto url = csv.substr(pos, comma == std::string_view::npos ? csv.npos : comma - pos);
    pos = comma == std::string_view::npos ? csv.size() + 1 : comma + 1;
    if (url.empty())
      continue;
    constexpr std::string_view scheme = "http://";
    if (url.substr(0, scheme.size()) != scheme)
      return make_error(errc::invalid_argument,
                        "etcd URL " + std::string{url} + ": only http://host:port is supported");
    auto rest = url.substr(scheme.size());
    if (!rest.empty() && rest.back() == '/')
      rest.remove_suffix(1);
    auto colon = rest.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size())
      return make_error(errc::invalid_argument,
                        "etcd URL " + std::string{url} + ": expected http://host:port");
    int port = 0;
    for (char c : rest.substr(colon + 1)) {
      if (c < '0' || c > '9' || port > 65535)
        return make_error(errc::invalid_argument,
                          "etcd URL " + std::string{url} + ": bad port");
      port = port * 10 + (c - '0');
    }
    if (port == 0 || port > 65535)
      return make_error(errc::invalid_argument, "etcd URL " + std::string{url} + ": bad port");
    client::endpoint ep;
    ep.host = std::string{rest.substr(0, colon)};
    ep.port = static_cast<std::uint16_t>(port);
    ep.timeout = timeout;
    out.push_back(std::move(ep));
  }
  if (out.empty())
    return make_error(errc::invalid_argument, "no etcd URL given");
  return out;
}

etcd_client::etcd_client(std::vector<client::endpoint> endpoints)
  : endpoints_(std::move(endpoints)) {}

status etcd_client::call(const std::string& path, const google::protobuf::Message& req,
                         google::protobuf::Message& out) {
  namespace util = google::protobuf::util;
  std::string body;
  util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  if (auto st = util::MessageToJsonString(req, &body, print); !st.ok())
    return make_error(errc::invalid_argument, "etcd request: " + st.ToString());
  std::size_t start;
  {
    std::lock_guard<std::mutex> g{mutex_};
    start = current_;
  }
  std::string why;
  for (std::size_t i = 0; i < endpoints_.size(); ++i) {
    auto idx = (start + i) % endpoints_.size();
    const auto& ep = endpoints_[idx];
    auto res = client::http_request(ep, "POST", path, body, "application/json");
    auto where = "etcd " + ep.host + ":" + std::to_string(ep.port) + path;
    if (res.status == 0) {
      why = where + ": " + res.error;
      continue;  // try the next endpoint
    }
    {
      std::lock_guard<std::mutex> g{mutex_};
      current_ = idx;
    }
    util::JsonParseOptions parse;
    parse.ignore_unknown_fields = true;
    if (res.status != 200) {
      pb::GatewayError e;
      auto msg = util::JsonStringToMessage(res.body, &e, parse).ok() ? e.message() : res.body;
      // 503 and friends: this member cannot serve now (no leader); try another.
      if (res.status >= 500) {
        why = where + ": HTTP " + std::to_string(res.status) + " " + msg;
        continue;
      }
      return make_error(errc::invalid_argument, where + ": " + msg);
    }
    if (auto st = util::JsonStringToMessage(res.body, &out, parse); !st.ok())
      return make_error(errc::unavailable, where + ": unreadable answer: " + st.ToString());
    return {};
  }
  return make_error(errc::unavailable, why);
}

namespace {

etcd_kv to_kv(const pb::KeyValue& kv) {
  return etcd_kv{kv.key(), kv.value(), kv.create_revision(), kv.mod_revision(), kv.lease()};
}

/// The first key of a range answer, if any.
std::optional<etcd_kv> first_of(const pb::RangeResponse& r) {
  if (r.kvs_size() == 0)
    return std::nullopt;
  return to_kv(r.kvs(0));
}

/// The smallest key greater than every key starting with `prefix`.
std::string prefix_end(std::string prefix) {
  while (!prefix.empty()) {
    auto& c = prefix.back();
    if (static_cast<unsigned char>(c) < 0xff) {
      ++c;
      return prefix;
    }
    prefix.pop_back();
  }
  return std::string{"\0", 1};  // every key
}

}  // namespace

result<std::int64_t> etcd_client::grant(std::chrono::seconds ttl) {
  pb::LeaseGrantRequest req;
  req.set_ttl(ttl.count());
  pb::LeaseGrantResponse res;
  if (auto st = call("/v3/lease/grant", req, res); !st)
    return st.err();
  if (!res.error().empty() || res.id() == 0)
    return make_error(errc::unavailable, "etcd refused a lease: " + res.error());
  return res.id();
}

result<std::int64_t> etcd_client::keep_alive(std::int64_t lease) {
  pb::LeaseKeepAliveRequest req;
  req.set_id(lease);
  pb::LeaseKeepAliveStreamItem res;
  if (auto st = call("/v3/lease/keepalive", req, res); !st)
    return st.err();
  return res.result().ttl();  // absent (0): the lease had expired
}

status etcd_client::revoke(std::int64_t lease) {
  pb::LeaseRevokeRequest req;
  req.set_id(lease);
  pb::LeaseRevokeResponse res;
  return call("/v3/lease/revoke", req, res);
}

result<std::int64_t> etcd_client::put(const std::string& key, const std::string& value,
                                      std::int64_t lease) {
  pb::PutRequest req;
  req.set_key(key);
  req.set_value(value);
  req.set_lease(lease);
  pb::PutResponse res;
  if (auto st = call("/v3/kv/put", req, res); !st)
    return st.err();
  return res.header().revision();
}

result<etcd_range> etcd_client::range_prefix(const std::string& prefix) {
  pb::RangeRequest req;
  req.set_key(prefix);
  req.set_range_end(prefix_end(prefix));
  pb::RangeResponse res;
  if (auto st = call("/v3/kv/range", req, res); !st)
    return st.err();
  etcd_range out;
  out.revision = res.header().revision();
  for (const auto& kv : res.kvs())
    out.kvs.push_back(to_kv(kv));
  return out;
}

namespace {

/// A transaction on one key, applied if its incarnation is `create_revision` (0:
/// absent); the caller adds what it does then. If not, it reads the key back.
pb::TxnRequest guarded(const std::string& key, std::int64_t create_revision) {
  pb::TxnRequest req;
  auto* cmp = req.add_compare();
  cmp->set_result(pb::Compare::EQUAL);
  cmp->set_target(pb::Compare::CREATE);
  cmp->set_key(key);
  cmp->set_create_revision(create_revision);
  req.add_failure()->mutable_request_range()->set_key(key);
  return req;
}

}  // namespace

result<etcd_cas> etcd_client::create(const std::string& key, const std::string& value,
                                     std::int64_t lease) {
  return update(key, value, lease, 0);
}

result<etcd_cas> etcd_client::update(const std::string& key, const std::string& value,
                                     std::int64_t lease, std::int64_t create_revision) {
  auto req = guarded(key, create_revision);
  auto* put = req.add_success()->mutable_request_put();
  put->set_key(key);
  put->set_value(value);
  put->set_lease(lease);
  req.add_success()->mutable_request_range()->set_key(key);
  pb::TxnResponse res;
  if (auto st = call("/v3/kv/txn", req, res); !st)
    return st.err();
  etcd_cas out;
  out.applied = res.succeeded();
  out.revision = res.header().revision();
  // The range is the last operation of either branch.
  if (res.responses_size() > 0)
    out.current = first_of(res.responses(res.responses_size() - 1).response_range());
  return out;
}

result<etcd_cas> etcd_client::erase(const std::string& key, std::int64_t create_revision) {
  auto req = guarded(key, create_revision);
  req.add_success()->mutable_request_delete_range()->set_key(key);
  pb::TxnResponse res;
  if (auto st = call("/v3/kv/txn", req, res); !st)
    return st.err();
  etcd_cas out;
  out.applied = res.succeeded();
  out.revision = res.header().revision();
  if (!out.applied && res.responses_size() > 0)
    out.current = first_of(res.responses(0).response_range());
  return out;
}

status etcd_client::watch_prefix(const std::string& prefix, std::int64_t start_revision,
                                 const std::function<bool(const etcd_changes&)>& on_changes,
                                 const std::function<bool()>& keep_going) {
  namespace util = google::protobuf::util;
  pb::WatchRequest req;
  auto* create = req.mutable_create_request();
  create->set_key(prefix);
  create->set_range_end(prefix_end(prefix));
  create->set_start_revision(start_revision);
  std::string body;
  util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  if (auto st = util::MessageToJsonString(req, &body, print); !st.ok())
    return make_error(errc::invalid_argument, "etcd watch: " + st.ToString());
  util::JsonParseOptions parse;
  parse.ignore_unknown_fields = true;
  // Answers come one JSON object per line; a line may arrive in pieces.
  constexpr std::size_t max_line = 64 << 20;
  std::size_t start;
  {
    std::lock_guard<std::mutex> g{mutex_};
    start = current_;
  }
  std::string why = "no etcd endpoint";
  for (std::size_t i = 0; i < endpoints_.size(); ++i) {
    const auto& ep = endpoints_[(start + i) % endpoints_.size()];
    auto where = "etcd " + ep.host + ":" + std::to_string(ep.port) + "/v3/watch";
    std::string line;
    std::string broke;  // why the stream is no good, found while reading it
    bool stopped = false;
    auto on_data = [&](std::string_view data) {
      line.append(data);
      std::size_t from = 0;
      for (auto nl = line.find('\n'); nl != std::string::npos; nl = line.find('\n', from)) {
        auto one = std::string_view{line}.substr(from, nl - from);
        from = nl + 1;
        if (one.empty())
          continue;
        pb::WatchStreamItem item;
        if (auto st = util::JsonStringToMessage(std::string{one}, &item, parse); !st.ok()) {
          broke = "unreadable answer: " + st.ToString();
          return false;
        }
        if (item.has_error()) {
          broke = "etcd: " + item.error().message();
          return false;
        }
        const auto& r = item.result();
        if (r.canceled()) {
          broke = "the watch was cancelled (" + r.cancel_reason() + ")" +
                  (r.compact_revision() > 0
                     ? ": revision " + std::to_string(start_revision) + " was compacted, up to " +
                         std::to_string(r.compact_revision())
                     : std::string{});
          return false;
        }
        etcd_changes ch;
        ch.revision = r.header().revision();
        for (const auto& e : r.events())
          ch.events.push_back({e.type() == pb::Event::DELETE, to_kv(e.kv())});
        if (!on_changes(ch)) {
          stopped = true;
          return false;
        }
      }
      line.erase(0, from);
      if (line.size() > max_line) {
        broke = "an answer longer than 64 MiB";
        return false;
      }
      return true;
    };
    auto res = client::http_stream(ep, "/v3/watch", body, "application/json", on_data, keep_going);
    if (stopped || (res.status == 200 && res.error.empty() && broke.empty() && !keep_going()))
      return {};
    if (res.status == 0) {
      why = where + ": " + res.error;
      continue;  // not reached: try the next endpoint
    }
    if (res.status != 200) {
      pb::GatewayError e;
      auto msg = util::JsonStringToMessage(res.body, &e, parse).ok() ? e.message() : res.body;
      why = where + ": HTTP " + std::to_string(res.status) + " " + msg;
      if (res.status >= 500)
        continue;
      return make_error(errc::invalid_argument, why);
    }
    {
      std::lock_guard<std::mutex> g{mutex_};
      current_ = (start + i) % endpoints_.size();
    }
    return make_error(errc::unavailable,
                      where + ": " + (!broke.empty() ? broke
                                      : !res.error.empty() ? res.error
                                                           : std::string{"the stream ended"}));
  }
  return make_error(errc::unavailable, why);
}

}  // namespace switchboard::net::cluster
