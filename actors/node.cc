#include "actors/node.h"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <algorithm>
#include <atomic>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "actors/context.h"
#include "actors/errors.h"
#include "actors/event_hub.h"
#include "actors/messages.h"
#include "actors/registry_actor.h"
#include "actors/storage_actor.h"
#include "actors/system_config.h"

namespace switchboard::actors {
/// The facade's requester: the failure callbacks of its unanswered requests, by id.
/// When the node stops it answers those with shutting_down (a request whose
/// receiver was stopped mid-way would otherwise wait for its timeout).
struct requester_state {
  std::uint64_t next_id = 0;
  std::unordered_map<std::uint64_t, std::function<void(const engine::error&)>> pending;
};
using requester_ptr = caf::stateful_actor<requester_state>*;

/// Node-local: a closure the requester runs, so a non-blocking call can send a
/// request and handle its answer inside an actor.
struct async_call {
  std::function<void(requester_ptr)> run;
};
}  // namespace switchboard::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::async_call)

namespace switchboard {

using engine::errc;

namespace {

/// Runs the facade's non-blocking calls: one actor, so calls made from one thread
/// reach the registry in the order they were made. A class, not a function: CAF
/// 0.17 spawns a function given no arguments through init_fun_factory, which
/// binds a reference to its null argument tuple, undefined behaviour that UBSan
/// stops at (docs/security.md).
class requester_actor final : public caf::stateful_actor<actors::requester_state> {
 public:
  explicit requester_actor(caf::actor_config& cfg)
    : caf::stateful_actor<actors::requester_state>(cfg) {}

  caf::behavior make_behavior() override {
    actors::requester_ptr self = this;
    return {
      [=](actors::async_call& c) { c.run(self); },
      [=](actors::stop_atom) {
        auto pending = std::move(self->state.pending);
        self->state.pending.clear();
        for (auto& [id, fail] : pending)
          fail(engine::make_error(actors::errors::shutting_down,
                                  "the node shut down before answering"));
        self->quit();
      },
    };
  }
};

}  // namespace

struct node::impl {
  node_options opts;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::actor storage;
  caf::actor hub;
  caf::actor registry;
  recovery_summary recovered;
  caf::actor requester;
  std::mutex handles_mutex;  ///< guards `requester` and `registry` against a concurrent shutdown
  std::mutex stop_mutex;
  std::atomic<bool> stopped{false};
  std::atomic<bool> journal_closed{false};  ///< the final commit of `shutdown` is done

  /// Sends `msg` to the registry and waits for the reply of type `Reply`. Goes
  /// through the requester like the non-blocking calls, so a call racing
  /// `shutdown` is answered (shutting_down) even when the registry stopped while
  /// it held the request, instead of waiting out its timeout.
  template <class Reply, class Msg>
  result<Reply> call(Msg msg) {
    auto p = std::make_shared<std::promise<result<Reply>>>();
    auto f = p->get_future();
    call_async<Reply>(std::move(msg), [p](result<Reply> r) { p->set_value(std::move(r)); });
    // The requester answers by the reply, the request's own timeout, or at stop;
    // the margin only guards against a bug there.
    if (f.wait_for(opts.request_timeout + std::chrono::seconds(5)) != std::future_status::ready)
      return engine::make_error(actors::errors::timeout,
                                "the node did not answer within the request timeout");
    return f.get();
  }

  /// As `call`, straight from a scoped actor: for `open`, which no shutdown can
  /// race, with a message too large to copy (the restored snapshot).
  template <class Reply, class Msg>
  result<Reply> call_direct(Msg msg) {
    caf::scoped_actor self{*sys};
    std::optional<result<Reply>> out;
    self->request(registry, caf::infinite, std::move(msg))
      .receive([&](Reply& r) { out.emplace(std::move(r)); },
               [&](caf::error& e) { out.emplace(actors::from_caf(e)); });
    return std::move(*out);
  }

  /// Sends `msg` to the registry through the requester; `done(result<Reply>)` is
  /// called once, on a node thread (or here, when the node is shut down).
  template <class Reply, class Msg, class Done>
  void call_async(Msg msg, Done done) {
    // Sent under the mutex `shutdown` takes before it stops anything: a call that
    // finds the node running reaches the requester before its stop, so it is
    // answered (by the reply, its timeout, or shutting_down at stop).
    std::unique_lock<std::mutex> g{handles_mutex};
    if (stopped) {
      g.unlock();
      done(result<Reply>{engine::make_error(actors::errors::shutting_down, "the node is shut down")});
      return;
    }
    caf::anon_send(requester,
                   actors::async_call{[reg = registry, timeout = opts.request_timeout,
                                       msg = std::move(msg),
                                       done = std::move(done)](actors::requester_ptr self) mutable {
                     auto id = self->state.next_id++;
                     self->state.pending.emplace(
                       id, [done](const engine::error& e) { done(result<Reply>{e}); });
                     // Each answer is delivered once: by the reply, or at stop.
                     self->request(reg, timeout, std::move(msg))
                       .then(
                         [self, id, done](Reply& r) {
                           if (self->state.pending.erase(id) > 0)
                             done(result<Reply>{std::move(r)});
                         },
                         [self, id, done](caf::error& e) {
                           if (self->state.pending.erase(id) > 0)
                             done(result<Reply>{actors::from_caf(e)});
                         });
                   }});
  }

  template <class Msg>
  void call_ok_async(Msg msg, status_callback done) {
    call_async<actors::ok_atom>(std::move(msg), [done = std::move(done)](result<actors::ok_atom> r) {
      done(r ? status{} : status{r.err()});
    });
  }

  template <class Msg>
  status call_ok(Msg msg) {
    auto r = call<actors::ok_atom>(std::move(msg));
    if (!r)
      return r.err();
    return {};
  }
};

node::node(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

node::~node() {
  shutdown();
}

result<std::unique_ptr<node>> node::open(node_options opts) {
  if (opts.data_dir.empty())
    return engine::make_error(errc::invalid_argument, "node: a data directory is required");
  if (!opts.clock)
    opts.clock = std::make_shared<engine::system_clock>();
  if (!opts.logger) {
    opts.logger = std::make_shared<spdlog::logger>(
      "switchboard", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    opts.logger->set_level(spdlog::level::warn);
  }
  storage::store_options so;
  so.data_dir = opts.data_dir;
  so.mode = opts.durability;
  auto st = storage::store::open(so);
  if (!st)
    return st.err();
  auto snap = (*st)->load();
  if (!snap)
    return snap.err();
  auto p = std::make_unique<impl>();
  p->opts = opts;
  actors::register_types(p->cfg);
  // CAF 0.17's work stealing takes a job from another worker's queue by walking that
  // queue under its locks: O(queue length) per steal. A burst that makes thousands of
  // actors runnable at once (a session per submit, offers to thousands of sessions)
  // makes that quadratic and stalls the busy worker for seconds; one shared queue
  // has no such cost (measured: submit-to-offer p50 18 s -> 1 s at 60k live).
  p->cfg.set("scheduler.policy", caf::atom("sharing"));
  // CAF's own default is at least 4 workers; on a 2-core host the extra ones only
  // compete for the cores, so "one per core" is set explicitly.
  p->cfg.set("scheduler.max-threads",
             opts.threads > 0 ? opts.threads
                              : std::max<std::size_t>(1, std::thread::hardware_concurrency()));
  if (opts.cluster) {
    p->cfg.load<caf::io::middleman>();
    // CAF's defaults leave both off, so a peer that stops without closing its socket
    // (SIGSTOP, a cut cable) would never be noticed; the cluster's own liveness is
    // etcd's lease, these only drop dead links so calls fail fast and reconnect.
    p->cfg.set("middleman.heartbeat-interval", caf::timespan{std::chrono::milliseconds(500)});
    p->cfg.set("middleman.connection-timeout", caf::timespan{std::chrono::seconds(3)});
  }
  p->sys = std::make_unique<caf::actor_system>(p->cfg);
  actors::storage_actor_options sao;
  sao.max_batch = opts.max_batch;
  p->storage = actors::spawn_storage_actor(*p->sys, std::shared_ptr<storage::store>(std::move(*st)),
                                           sao, opts.logger);
  p->hub = actors::spawn_event_hub(*p->sys);
  if (opts.on_event)
    caf::anon_send(p->hub, actors::subscribe_msg{std::make_shared<event_callback>(opts.on_event)});
  actors::node_policy policy;
  policy.agent_grace = opts.agent_grace.count();
  policy.customer_grace = opts.customer_grace.count();
  policy.restored_customers_absent = opts.restored_customers_absent;
  policy.rating_window = opts.rating_window.count();
  policy.max_transcript_lines = opts.max_transcript_lines;
  policy.max_message_bytes = opts.max_message_bytes;
  actors::actor_context ctx{p->storage, p->hub, opts.clock, opts.logger, policy};
  p->registry = actors::spawn_registry(*p->sys, ctx);
  p->requester = p->sys->spawn<requester_actor>();
  std::unique_ptr<node> n{new node(std::move(p))};
  if (!opts.restore_tenants) {
    // Only the node-wide sequences: contacts made here keep counting after the
    // stored ones, and the journal's sequence goes on.
    storage::snapshot seqs;
    seqs.next_event_seq = snap->next_event_seq;
    seqs.next_contact_seq = snap->next_contact_seq;
    *snap = std::move(seqs);
  }
  auto rep = n->impl_->call_direct<actors::restore_report>(actors::restore_req{std::move(*snap)});
  if (!rep)
    return rep.err();
  const auto& r = *rep;
  auto& rec = n->impl_->recovered;
  rec = recovery_summary{r.tenants, r.queues,   r.agents,    r.customers,
                         r.learned, r.requeued, r.connected, {}};
  for (const auto& c : r.with_agents)
    rec.with_agents.push_back({c.tenant, c.contact, c.agent});
  return n;
}

result<storage::snapshot> node::load_tenant(const std::string& tenant) {
  caf::actor storage;
  {
    std::lock_guard<std::mutex> g{impl_->handles_mutex};
    if (impl_->stopped)
      return engine::make_error(actors::errors::shutting_down, "the node is shut down");
    storage = impl_->storage;
  }
  caf::scoped_actor self{*impl_->sys};
  std::optional<result<storage::snapshot>> out;
  self->request(storage, impl_->opts.request_timeout, actors::load_tenant_req{tenant})
    .receive([&](storage::snapshot& s) { out.emplace(std::move(s)); },
             [&](caf::error& e) { out.emplace(actors::from_caf(e)); });
  return std::move(*out);
}

void node::set_replication(std::shared_ptr<actors::replication_hook> hook) {
  caf::actor storage;
  {
    std::lock_guard<std::mutex> g{impl_->handles_mutex};
    if (impl_->stopped)
      return;
    storage = impl_->storage;
  }
  // Answered once installed: a commit after this returns uses the new hook, and
  // none still runs the old one.
  caf::scoped_actor self{*impl_->sys};
  self->request(storage, caf::infinite, actors::set_replication_msg{std::move(hook)})
    .receive([](actors::ok_atom) {}, [](caf::error&) {});
}

result<storage::snapshot> node::export_tenant(const std::string& tenant) {
  return impl_->call<storage::snapshot>(actors::export_tenant_req{tenant});
}

status node::import_tenant(storage::snapshot snap) {
  return impl_->call_ok(actors::import_tenant_req{std::move(snap)});
}

status node::drop_tenant(const std::string& tenant) {
  return impl_->call_ok(actors::drop_tenant_req{tenant});
}

caf::actor_system& node::system() {
  return *impl_->sys;
}

caf::actor node::registry() const {
  std::lock_guard<std::mutex> g{impl_->handles_mutex};
  return impl_->registry;
}

caf::actor node::storage() const {
  std::lock_guard<std::mutex> g{impl_->handles_mutex};
  return impl_->stopped ? caf::actor{} : impl_->storage;
}

const recovery_summary& node::recovered() const {
  return impl_->recovered;
}

status node::define_tenant(const engine::tenant_config& t) {
  return impl_->call_ok(actors::define_tenant_req{t});
}

status node::define_queue(const engine::queue_config& q) {
  return impl_->call_ok(actors::define_queue_req{q});
}

status node::define_agent(const engine::agent_profile& a) {
  return impl_->call_ok(actors::define_agent_req{a});
}

status node::upsert_customer(const engine::customer_profile& c) {
  return impl_->call_ok(actors::upsert_customer_req{c});
}

status node::login(const std::string& tenant, const std::string& agent) {
  return impl_->call_ok(actors::login_req{tenant, agent});
}

status node::logout(const std::string& tenant, const std::string& agent) {
  return impl_->call_ok(actors::logout_req{tenant, agent});
}

status node::set_away(const std::string& tenant, const std::string& agent, bool away) {
  return impl_->call_ok(actors::presence_req{tenant, agent, away});
}

status node::agent_disconnected(const std::string& tenant, const std::string& agent) {
  return impl_->call_ok(actors::agent_connection_req{tenant, agent, false});
}

status node::customer_disconnected(const std::string& tenant, const std::string& contact) {
  return impl_->call_ok(actors::customer_connection_req{tenant, contact, false});
}

status node::customer_reconnected(const std::string& tenant, const std::string& contact) {
  return impl_->call_ok(actors::customer_connection_req{tenant, contact, true});
}

status node::post_message(const std::string& tenant, const std::string& contact,
                          const std::string& agent, const std::string& text,
                          const std::string& client_id) {
  return impl_->call_ok(actors::message_req{tenant, contact, agent, text, client_id});
}

result<std::vector<chat_line>> node::transcript(const std::string& tenant,
                                                const std::string& contact) {
  return impl_->call<std::vector<chat_line>>(actors::transcript_req{tenant, contact});
}

result<contact_decisions> node::decisions(const std::string& tenant, const std::string& contact,
                                          std::uint32_t limit) {
  return impl_->call<contact_decisions>(actors::decisions_req{tenant, contact, limit});
}

status node::rate(const std::string& tenant, const std::string& contact, int csat, double tip) {
  return impl_->call_ok(actors::rate_req{tenant, contact, csat, tip});
}

status node::accept(const std::string& tenant, const std::string& agent,
                    const std::string& contact, std::uint64_t offer_id) {
  return impl_->call_ok(actors::accept_req{tenant, agent, contact, offer_id});
}

status node::decline(const std::string& tenant, const std::string& agent,
                     const std::string& contact, std::uint64_t offer_id) {
  return impl_->call_ok(actors::decline_req{tenant, agent, contact, offer_id});
}

status node::wrap_up(const std::string& tenant, const std::string& agent,
                     const std::string& contact) {
  return impl_->call_ok(actors::wrap_up_req{tenant, agent, contact});
}

status node::complete(const std::string& tenant, const std::string& agent,
                      const std::string& contact, const engine::outcome& o) {
  return impl_->call_ok(actors::complete_req{tenant, agent, contact, o});
}

status node::transfer(const std::string& tenant, const std::string& agent,
                      const std::string& contact, const std::string& to_queue) {
  return impl_->call_ok(actors::transfer_req{tenant, agent, contact, to_queue, 0, 0});
}

result<contact_ack> node::submit(engine::contact c) {
  auto r = impl_->call<actors::submit_ack>(actors::submit_req{std::move(c)});
  if (!r)
    return r.err();
  return contact_ack{r->contact, r->seq, r->enqueued_at};
}

result<contact_ack> node::open_contact(engine::contact c, const engine::customer_profile& hints) {
  auto r = impl_->call<actors::submit_ack>(actors::open_req{std::move(c), hints});
  if (!r)
    return r.err();
  return contact_ack{r->contact, r->seq, r->enqueued_at};
}

status node::end_contact(const std::string& tenant, const std::string& contact,
                         const std::string& reason) {
  return impl_->call_ok(actors::end_contact_req{tenant, contact, reason});
}

result<engine::contact> node::find_contact(const std::string& tenant, const std::string& contact) {
  return impl_->call<engine::contact>(actors::contact_req{tenant, contact});
}

result<std::int64_t> node::position(const std::string& tenant, const std::string& contact) {
  return impl_->call<std::int64_t>(actors::position_req{tenant, contact});
}

result<agent_info> node::find_agent(const std::string& tenant, const std::string& agent) {
  return impl_->call<agent_info>(actors::find_agent_req{tenant, agent});
}

result<engine::customer_profile> node::find_customer(const std::string& tenant,
                                                     const std::string& customer) {
  return impl_->call<engine::customer_profile>(actors::find_customer_req{tenant, customer});
}

result<engine::queue_config> node::find_queue(const std::string& tenant, const std::string& queue) {
  return impl_->call<engine::queue_config>(actors::find_queue_req{tenant, queue});
}

void node::submit_async(engine::contact c, submit_callback done) {
  impl_->call_async<actors::submit_ack>(
    actors::submit_req{std::move(c)}, [done = std::move(done)](result<actors::submit_ack> r) {
      if (!r)
        done(r.err());
      else
        done(contact_ack{r->contact, r->seq, r->enqueued_at});
    });
}

void node::accept_async(const std::string& tenant, const std::string& agent,
                        const std::string& contact, std::uint64_t offer_id, status_callback done) {
  impl_->call_ok_async(actors::accept_req{tenant, agent, contact, offer_id}, std::move(done));
}

void node::decline_async(const std::string& tenant, const std::string& agent,
                         const std::string& contact, std::uint64_t offer_id, status_callback done) {
  impl_->call_ok_async(actors::decline_req{tenant, agent, contact, offer_id}, std::move(done));
}

void node::complete_async(const std::string& tenant, const std::string& agent,
                          const std::string& contact, const engine::outcome& o,
                          status_callback done) {
  impl_->call_ok_async(actors::complete_req{tenant, agent, contact, o}, std::move(done));
}

void node::end_contact_async(const std::string& tenant, const std::string& contact,
                             const std::string& reason, status_callback done) {
  impl_->call_ok_async(actors::end_contact_req{tenant, contact, reason}, std::move(done));
}

void node::rate_async(const std::string& tenant, const std::string& contact, int csat,
                      double tip, status_callback done) {
  impl_->call_ok_async(actors::rate_req{tenant, contact, csat, tip}, std::move(done));
}

void node::subscribe(event_callback cb) {
  if (impl_->stopped)
    return;
  caf::anon_send(impl_->hub, actors::subscribe_msg{std::make_shared<event_callback>(std::move(cb))});
}

result<tenant_stats> node::stats(const std::string& tenant) {
  return impl_->call<tenant_stats>(actors::tenant_stats_req{tenant});
}

void node::shutdown() {
  std::lock_guard<std::mutex> guard{impl_->stop_mutex};
  if (impl_->stopped || !impl_->sys)
    return;
  {
    std::lock_guard<std::mutex> g{impl_->handles_mutex};
    impl_->stopped = true;
  }
  auto& p = *impl_;
  {
    caf::scoped_actor self{*p.sys};
    // 1. Stop routing: the registry and, linked to it, every tenant's actors.
    self->monitor(p.registry);
    // High priority: ahead of any backlog of requests in the registry's mailbox, which
    // CAF then answers with errors (the callers see shutting_down).
    self->send<caf::message_priority::high>(p.registry, actors::stop_atom::value);
    self->receive([](const caf::down_msg&) {},
                  caf::after(std::chrono::seconds(30)) >> [&] {
                    p.opts.logger->error("node: registry did not stop within 30 s");
                  });
    // 2. Commit what is in the journal's mailbox, then stop the writer.
    self->request(p.storage, std::chrono::seconds(60), actors::stop_atom::value)
      .receive([&](actors::ok_atom) { p.journal_closed = true; },
               [&](caf::error& e) {
                 p.opts.logger->error("node: final journal commit: {}", caf::to_string(e));
               });
    self->send(p.hub, actors::stop_atom::value);
    // Calls still in flight were answered with errors once the registry stopped.
    self->send(p.requester, actors::stop_atom::value);
  }
  {
    std::lock_guard<std::mutex> g{p.handles_mutex};
    p.requester = caf::actor{};
    p.registry = caf::actor{};
  }
  p.storage = caf::actor{};
  p.hub = caf::actor{};
  p.opts.logger->debug("node: journal {}; stopping the actor system",
                       p.journal_closed ? "committed" : "NOT committed");
  p.sys.reset();
}

bool node::journal_closed() const {
  return impl_->journal_closed;
}

}  // namespace switchboard
