#include "net/cluster/membership.h"

#include <google/protobuf/util/json_util.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <algorithm>
#include <cctype>

#include "engine/placement.h"
#include "proto/etcd.pb.h"

namespace switchboard::net::cluster {

namespace pb = switchboard::etcd;
using engine::errc;
using engine::make_error;

namespace {

std::string to_json(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  (void) google::protobuf::util::MessageToJsonString(m, &out, o);
  return out;
}

bool from_json(const std::string& s, google::protobuf::Message& m) {
  google::protobuf::util::JsonParseOptions o;
  o.ignore_unknown_fields = true;
  return google::protobuf::util::JsonStringToMessage(s, &m, o).ok();
}

bool valid_name(const std::string& s) {
  return !s.empty() && s.size() <= 128 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace

result<std::unique_ptr<membership>> membership::start(cluster_options opts,
                                                      std::shared_ptr<spdlog::logger> log,
                                                      ownership_hooks hooks) {
  if (!valid_name(opts.node_name))
    return make_error(errc::invalid_argument,
                      "node name '" + opts.node_name +
                        "': 1-128 letters, digits, '-', '_' or '.'");
  if (!valid_name(opts.cluster_name))
    return make_error(errc::invalid_argument, "cluster name '" + opts.cluster_name +
                                                "': 1-128 letters, digits, '-', '_' or '.'");
  if (opts.etcd.empty())
    return make_error(errc::invalid_argument, "no etcd endpoint given");
  if (opts.lease_ttl < std::chrono::seconds(1) || opts.lease_ttl > std::chrono::seconds(60))
    return make_error(errc::invalid_argument, "lease TTL must be 1..60 s");
  if (opts.poll_interval < std::chrono::milliseconds(10) ||
      opts.poll_interval * 3 > opts.lease_ttl)
    return make_error(errc::invalid_argument,
                      "poll interval must be at least 10 ms and at most a third of the lease TTL");
  for (auto& [id, tenant] : opts.domains)
    if (!valid_name(id))
      return make_error(errc::invalid_argument, "domain id '" + id + "' is not a valid name");
  if (!opts.clock)
    opts.clock = std::make_shared<engine::system_clock>();
  if (!log)
    log = std::make_shared<spdlog::logger>(
      "cluster", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  std::unique_ptr<membership> m{new membership(std::move(opts), std::move(log), std::move(hooks))};
  // The first registration is synchronous, so a node that cannot reach etcd fails
  // to start with a clear error instead of running alone.
  {
    auto lease = m->etcd_.grant(m->opts_.lease_ttl);
    if (!lease)
      return lease.err();
    std::lock_guard<std::mutex> g{m->mutex_};
    m->lease_ = *lease;
    m->renewed_at_ = m->opts_.clock->steady();
    m->fence_at_ = m->renewed_at_ + std::chrono::duration_cast<std::chrono::microseconds>(
                                      m->opts_.lease_ttl * 2 / 3);
  }
  if (auto st = m->register_member("up"); !st)
    return st.err();
  m->watcher_ = std::thread([p = m.get()] { p->watch(); });
  m->thread_ = std::thread([p = m.get()] { p->run(); });
  m->renewer_ = std::thread([p = m.get()] { p->renew(); });
  return m;
}

membership::membership(cluster_options opts, std::shared_ptr<spdlog::logger> log,
                       ownership_hooks hooks)
  : opts_(std::move(opts)),
    log_(std::move(log)),
    hooks_(std::move(hooks)),
    etcd_(opts_.etcd),
    prefix_("/switchboard/" + opts_.cluster_name + "/") {
  view_.self = opts_.node_name;
}

membership::~membership() {
  leave();
  {
    std::lock_guard<std::mutex> g{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
  if (renewer_.joinable())
    renewer_.join();
  if (watcher_.joinable())
    watcher_.join();
}

void membership::watch() {
  auto stopping = [this] {
    std::lock_guard<std::mutex> g{mutex_};
    return stopping_;
  };
  auto woken = [this] {
    {
      std::lock_guard<std::mutex> g{mutex_};
      changed_ = true;
    }
    wake_.notify_all();
  };
  const auto nap = std::min<std::chrono::milliseconds>(opts_.poll_interval,
                                                       std::chrono::milliseconds(100));
  while (!stopping()) {
    auto all = etcd_.range_prefix(prefix_);
    if (!all) {
      std::unique_lock<std::mutex> g{mutex_};
      wake_.wait_for(g, nap, [this] { return stopping_; });
      continue;
    }
    {
      std::lock_guard<std::mutex> g{cache_mutex_};
      ++full_reads_;
      cache_.clear();
      for (auto& kv : all->kvs)
        cache_.emplace(kv.key, std::move(kv));
      cache_revision_ = all->revision;
      cache_live_ = true;
    }
    cache_changed_.notify_all();
    woken();
    auto st = etcd_.watch_prefix(
      prefix_, all->revision + 1,
      [&](const etcd_changes& ch) {
        {
          std::lock_guard<std::mutex> g{cache_mutex_};
          for (const auto& e : ch.events) {
            if (e.deleted)
              cache_.erase(e.kv.key);
            else
              cache_[e.kv.key] = e.kv;
          }
          cache_revision_ = std::max(cache_revision_, ch.revision);
        }
        cache_changed_.notify_all();
        if (!ch.events.empty())
          woken();
        return true;
      },
      [&] { return !stopping(); });
    {
      std::lock_guard<std::mutex> g{cache_mutex_};
      cache_live_ = false;
    }
    if (!st && !stopping()) {
      log_->warn("cluster: the watch of {} ended: {}; reading it again", prefix_,
                 st.err().message);
      std::unique_lock<std::mutex> g{mutex_};
      wake_.wait_for(g, nap, [this] { return stopping_; });
    }
  }
}

void membership::wrote(std::int64_t revision) {
  std::lock_guard<std::mutex> g{cache_mutex_};
  wrote_revision_ = std::max(wrote_revision_, revision);
}

result<etcd_range> membership::read_cluster() {
  {
    std::unique_lock<std::mutex> g{cache_mutex_};
    auto current = [this] { return cache_live_ && cache_revision_ >= wrote_revision_; };
    cache_changed_.wait_for(g, std::chrono::milliseconds(100), current);
    if (current()) {
      etcd_range out;
      out.revision = cache_revision_;
      out.kvs.reserve(cache_.size());
      for (const auto& [k, kv] : cache_)  // in key order, like a range read
        out.kvs.push_back(kv);
      return out;
    }
    ++full_reads_;
  }
  return etcd_.range_prefix(prefix_);
}

void membership::renew() {
  using namespace std::chrono;
  const auto every = duration_cast<microseconds>(opts_.lease_ttl) / 3;
  const auto nap = std::min<milliseconds>(opts_.poll_interval, milliseconds(100));
  std::unique_lock<std::mutex> g{mutex_};
  while (!stopping_) {
    auto now = opts_.clock->steady();
    if (lease_ == 0 || now - renewed_at_ < every) {
      wake_.wait_for(g, nap, [this] { return stopping_; });
      continue;
    }
    auto lease = lease_;
    g.unlock();
    auto left = etcd_.keep_alive(lease);
    g.lock();
    if (lease_ != lease)
      continue;  // replaced or revoked meanwhile
    if (left && *left > 0) {
      renewed_at_ = now;
      // The lease runs `*left` seconds from when etcd renewed it, which is after
      // `now`: fencing from `now` is on the safe side.
      fence_at_ = now + duration_cast<microseconds>(seconds(*left) * 2 / 3);
    } else if (left) {
      log_->warn("cluster: lease {:x} had expired", lease);
      fence_at_ = now;  // the next round drops everything and registers again
    } else {
      log_->warn("cluster: cannot renew lease: {}", left.err().message);
      wake_.wait_for(g, nap, [this] { return stopping_; });
    }
  }
}

std::string membership::key(const std::string& kind, const std::string& name) const {
  return prefix_ + kind + "/" + name;
}

status membership::register_member(const std::string& state) {
  pb::MemberRecord r;
  r.set_name(opts_.node_name);
  r.set_state(state);
  r.set_cluster_endpoint(opts_.cluster_endpoint);
  r.set_edge_endpoint(opts_.edge_endpoint);
  std::int64_t lease;
  {
    std::lock_guard<std::mutex> g{mutex_};
    lease = lease_;
  }
  auto rev = etcd_.put(key("members", opts_.node_name), to_json(r), lease);
  if (!rev)
    return rev.err();
  wrote(*rev);
  return {};
}

cluster_view membership::view() const {
  std::lock_guard<std::mutex> g{mutex_};
  auto v = view_;
  v.healthy = lease_ != 0 && opts_.clock->steady() < fence_at_;
  return v;
}

bool membership::owns(const std::string& domain, std::int64_t epoch) const {
  std::lock_guard<std::mutex> g{mutex_};
  if (lease_ == 0 || opts_.clock->steady() >= fence_at_)
    return false;
  auto i = owned_.find(domain);
  return i != owned_.end() && (epoch == 0 || i->second.epoch == epoch);
}

std::optional<domain_info> membership::domain(const std::string& id) const {
  std::lock_guard<std::mutex> g{mutex_};
  for (const auto& d : view_.domains)
    if (d.id == id)
      return d;
  return std::nullopt;
}

std::optional<domain_info> membership::domain_of_tenant(const std::string& tenant) const {
  std::lock_guard<std::mutex> g{mutex_};
  for (const auto& d : view_.domains)
    if (d.tenant == tenant)
      return d;
  return std::nullopt;
}

std::string membership::endpoint_of(const std::string& member) const {
  std::lock_guard<std::mutex> g{mutex_};
  for (const auto& m : view_.members)
    if (m.name == member)
      return m.cluster_endpoint;
  return {};
}

void membership::run() {
  for (;;) {
    {
      std::unique_lock<std::mutex> g{mutex_};
      wake_.wait_for(g, opts_.poll_interval, [this] { return stopping_ || changed_; });
      changed_ = false;
      if (stopping_ || left_)
        return;
    }
    round();
  }
}

void membership::drop_all(bool lost) {
  std::map<std::string, domain_info> was;
  {
    std::lock_guard<std::mutex> g{mutex_};
    was.swap(owned_);
  }
  for (auto& [id, d] : was) {
    log_->warn("domain {} (epoch {}): {}", id, d.epoch,
               lost ? "lease lost, stopped owning it" : "released");
    if (hooks_.release)
      hooks_.release(d, lost);
  }
}

void membership::round() {
  using namespace std::chrono;
  auto now = opts_.clock->steady();
  std::int64_t lease;
  microseconds fence_at;
  {
    std::lock_guard<std::mutex> g{mutex_};
    lease = lease_;
    fence_at = fence_at_;
  }
  // Fence first: past the fence this node may no longer be the owner anywhere.
  if (lease != 0 && now >= fence_at) {
    drop_all(true);
    std::lock_guard<std::mutex> g{mutex_};
    lease_ = 0;  // a lapsed lease is not renewed: the next round takes a new one
    rejoin_due_ = true;
  }
  if (lease == 0 || now >= fence_at) {
    auto fresh = etcd_.grant(opts_.lease_ttl);
    if (!fresh) {
      log_->warn("cluster: no lease: {}", fresh.err().message);
      return;
    }
    std::lock_guard<std::mutex> g{mutex_};
    lease_ = lease = *fresh;
    renewed_at_ = now;
    fence_at_ = now + duration_cast<microseconds>(opts_.lease_ttl * 2 / 3);
    registered_ = false;
  }
  bool registered, rejoin_due;
  {
    std::lock_guard<std::mutex> g{mutex_};
    registered = registered_;
    rejoin_due = rejoin_due_;
  }
  // A registration that failed is tried again each round, under the same lease.
  if (!registered) {
    if (auto st = register_member("up"); !st) {
      log_->warn("cluster: cannot register: {}", st.err().message);
      return;
    }
    {
      std::lock_guard<std::mutex> g{mutex_};
      registered_ = true;
      rejoin_due_ = false;
    }
    log_->info("cluster: registered as {} with lease {:x}", opts_.node_name, lease);
    if (rejoin_due && hooks_.rejoined)
      hooks_.rejoined();
  }
  // Renewals run on their own thread (`renew`), so a long handoff here cannot
  // let the lease lapse.

  auto all = read_cluster();
  if (!all) {
    log_->warn("cluster: cannot read {}: {}", prefix_, all.err().message);
    return;
  }
  std::vector<member_info> members;
  std::map<std::string, std::pair<pb::DomainRecord, etcd_kv>> claims;
  for (auto& kv : all->kvs) {
    auto rest = kv.key.substr(prefix_.size());
    if (rest.rfind("members/", 0) == 0) {
      pb::MemberRecord r;
      if (from_json(kv.value, r))
        members.push_back({r.name(), r.state(), r.cluster_endpoint(), r.edge_endpoint()});
    } else if (rest.rfind("domains/", 0) == 0) {
      pb::DomainRecord r;
      if (from_json(kv.value, r))
        claims[rest.substr(8)] = {r, kv};
    }
  }
  // Owners are chosen among the members that are up; a leaving one hands off.
  std::vector<std::string> up;
  for (const auto& m : members)
    if (m.state == "up")
      up.push_back(m.name);
  std::sort(up.begin(), up.end());

  {
    // Members first: a handoff below reaches a member that joined in this round.
    std::lock_guard<std::mutex> g{mutex_};
    view_.members = members;
  }
  std::vector<domain_info> domains;
  std::vector<domain_info> acquired;
  std::vector<domain_info> to_release;
  for (const auto& [id, tenant] : opts_.domains) {
    auto order = engine::rendezvous_order(id, up);
    domain_info d;
    d.id = id;
    d.tenant = tenant;
    auto c = claims.find(id);
    if (c != claims.end()) {
      d.owner = c->second.first.owner();
      d.epoch = c->second.second.create_revision;
    }
    {
      std::lock_guard<std::mutex> g{mutex_};
      if (auto l = last_claim_.find(id); l != last_claim_.end()) {
        d.previous_owner = l->second.first;
        d.previous_epoch = l->second.second;
      }
      if (c != claims.end())
        last_claim_[id] = {d.owner, d.epoch};
    }
    bool mine = d.owner == opts_.node_name && c != claims.end() && c->second.second.lease == lease;
    bool chosen = !order.empty() && order.front() == opts_.node_name;
    if (c == claims.end() && chosen) {
      pb::DomainRecord r;
      r.set_id(id);
      r.set_tenant(tenant);
      r.set_owner(opts_.node_name);
      auto cas = etcd_.create(key("domains", id), to_json(r), lease);
      // What the round read next must hold: this claim, or the one that beat it.
      // (Not the answer's revision: etcd's revision also counts writes outside
      // this prefix, which the watch never brings.)
      if (cas && cas->applied)
        wrote(cas->revision);
      else if (cas && cas->current)
        wrote(cas->current->mod_revision);
      if (cas && cas->current && (cas->applied || cas->current->lease == lease)) {
        // Applied now, or this node's own claim under its lease, not yet read back.
        d.owner = opts_.node_name;
        d.epoch = cas->current->create_revision;
        mine = true;
      } else if (cas && cas->current) {
        pb::DomainRecord other;
        if (from_json(cas->current->value, other))
          d.owner = other.owner();
        d.epoch = cas->current->create_revision;
      } else if (!cas) {
        log_->warn("cluster: cannot claim domain {}: {}", id, cas.err().message);
      }
    }
    // The standby: the first member in order that is not the owner (known now,
    // after this round's claim).
    for (const auto& m : order)
      if (m != d.owner && !(d.owner.empty() && m == order.front())) {
        d.standby = m;
        break;
      }
    bool was_mine;
    {
      std::lock_guard<std::mutex> g{mutex_};
      auto o = owned_.find(id);
      was_mine = o != owned_.end() && o->second.epoch == d.epoch;
      if (o != owned_.end() && !(mine && was_mine)) {
        to_release.push_back(o->second);
        owned_.erase(o);
        was_mine = false;
      }
    }
    if (mine && !chosen && !order.empty()) {
      // A better owner is up: hand off. Stop serving first, then free the key.
      if (was_mine) {
        std::lock_guard<std::mutex> g{mutex_};
        owned_.erase(id);
      }
      if (was_mine && hooks_.hand_off && !hooks_.hand_off(d, order.front())) {
        // The state did not move: this node keeps serving it, and tries again.
        std::lock_guard<std::mutex> g{mutex_};
        owned_[id] = d;
        domains.push_back(std::move(d));
        continue;
      }
      if (was_mine && hooks_.release)
        hooks_.release(d, false);
      auto gone = etcd_.erase(key("domains", id), d.epoch);
      if (!gone)
        log_->warn("cluster: handoff of {}: {}", id, gone.err().message);
      else if (gone->applied)
        wrote(gone->revision);
      log_->info("domain {} (epoch {}): handed off to {}", id, d.epoch, order.front());
      d.owner.clear();
      d.epoch = 0;
    } else if (mine && !was_mine) {
      // Owned (`owns`, so calls are taken) only once `acquire` has started it.
      acquired.push_back(d);
    }
    domains.push_back(std::move(d));
  }
  for (auto& d : to_release) {
    log_->warn("domain {} (epoch {}): no longer owned here", d.id, d.epoch);
    if (hooks_.release)
      hooks_.release(d, true);
  }
  for (auto& d : acquired) {
    if (hooks_.acquire)
      hooks_.acquire(d);
    bool kept;
    {
      std::lock_guard<std::mutex> g{mutex_};
      kept = lease_ == lease && opts_.clock->steady() < fence_at_;
      if (kept)
        owned_[d.id] = d;
    }
    if (kept) {
      log_->info("domain {} (epoch {}): owned here", d.id, d.epoch);
    } else {
      log_->warn("domain {} (epoch {}): the lease lapsed while it started; not owned", d.id,
                 d.epoch);
      if (hooks_.release)
        hooks_.release(d, true);
    }
  }
  bool watching;
  std::uint64_t full_reads;
  {
    std::lock_guard<std::mutex> g{cache_mutex_};
    watching = cache_live_;
    full_reads = full_reads_;
  }
  std::lock_guard<std::mutex> g{mutex_};
  view_.revision = all->revision;
  view_.watching = watching;
  view_.full_reads = full_reads;
  view_.members = std::move(members);
  view_.domains = std::move(domains);
}

void membership::leave() {
  std::int64_t lease;
  {
    std::lock_guard<std::mutex> g{mutex_};
    if (left_)
      return;
    left_ = true;
    lease = lease_;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id())
    thread_.join();
  if (lease == 0)
    return;
  (void) register_member("leaving");
  std::map<std::string, domain_info> was;
  {
    std::lock_guard<std::mutex> g{mutex_};
    was.swap(owned_);
  }
  std::vector<std::string> others;
  {
    std::lock_guard<std::mutex> g{mutex_};
    for (const auto& m : view_.members)
      if (m.state == "up" && m.name != opts_.node_name)
        others.push_back(m.name);
  }
  std::sort(others.begin(), others.end());
  // Each domain on its own thread: a handoff waits for calls in flight to drain,
  // and a node leaving with many domains should not pay that once per domain.
  std::vector<std::thread> movers;
  movers.reserve(was.size());
  for (auto& [id, d] : was)
    movers.emplace_back([this, &id = id, &d = d, &others] {
      auto order = engine::rendezvous_order(id, others);
      if (hooks_.hand_off && !order.empty() && !hooks_.hand_off(d, order.front()))
        log_->error("domain {} (epoch {}): not handed off on leave; its state stays here", id,
                    d.epoch);
      if (hooks_.release)
        hooks_.release(d, false);
      (void) etcd_.erase(key("domains", id), d.epoch);
      log_->info("domain {} (epoch {}): released on leave", id, d.epoch);
    });
  for (auto& t : movers)
    t.join();
  if (auto st = etcd_.revoke(lease); !st)
    log_->warn("cluster: cannot revoke lease: {}", st.err().message);
  std::lock_guard<std::mutex> g{mutex_};
  lease_ = 0;
}

}  // namespace switchboard::net::cluster
