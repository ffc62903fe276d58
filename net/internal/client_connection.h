#pragma once

#include <atomic>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <vector>
#include <memory>
#include <optional>
#include <string>

#include "actors/event.h"
#include "actors/stats.h"
#include "net/internal/context.h"
#include "net/internal/event_router.h"
#include "net/internal/transport.h"
#include "proto/edge.pb.h"

namespace switchboard::net::internal {

/// The protocol side of one WebSocket connection: authentication, the role's
/// requests, and the pushes the event router hands it. Free of Beast.
///
/// Threads: `on_frame` and `on_closed` run on the connection's io strand (the
/// transport calls them); everything else runs on the connection's worker strand
/// (a strand of the worker pool), one task at a time and in order, so requests
/// of one connection are handled in the order they arrived and the blocking node
/// calls never run on an io thread. The role, tenant and agent are confined to
/// the worker strand. Owned (shared) by its transport, by tasks in flight and by
/// the router's lookups; holds its transport weakly.
///
/// The member functions live in one file per part: the core (frames, dispatch,
/// Hello, resume snapshots, pushes) in client_connection.cc, the requests of each
/// role in gateway_requests.cc, agent_requests.cc and supervisor_requests.cc.
class client_connection : public std::enable_shared_from_this<client_connection> {
 public:
  client_connection(edge_context& ctx, std::weak_ptr<transport> t, std::uint64_t id);
  ~client_connection();
  client_connection(const client_connection&) = delete;
  client_connection& operator=(const client_connection&) = delete;

  // -- io strand ------------------------------------------------------------------

  /// One complete frame from the client (already within max_frame_bytes).
  void on_frame(std::string data, bool text);
  /// The connection is gone. Called once.
  void on_closed();

  // -- any thread -------------------------------------------------------------------

  /// Runs `task` on this connection's worker strand.
  void post(std::function<void()> task);
  /// Sends a message with the connection's current encoding.
  void push(const pb::Envelope& e);
  /// Server shutdown: a final Error SHUTTING_DOWN, then a close frame.
  void shutdown_notice();
  /// Closes the connection (another connection of the same agent took over).
  void close(std::string reason);
  std::uint64_t id() const { return id_; }

  // -- worker strand: pushes prepared by the event router ----------------------------

  void deliver_contact_update(const event& e);
  void deliver_offer(const offer_info& o);
  void deliver_agent_update(const std::string& contact, const std::string& what,
                            engine::contact_state state, const std::string& detail);
  /// A chat line of `contact` from the other side (`from`: "customer" or "agent"),
  /// unless this connection already got it in the transcript of a resume.
  void deliver_chat_line(const std::string& contact, const std::string& from,
                         const std::string& text, engine::time_ms at);

 private:
  struct request {
    pb::Envelope env;
    bool text = false;
  };

  void reply(const request& r, pb::Envelope out);
  void ack(const request& r);
  void fail(const request& r, pb::ErrorCode code, std::string message);
  void fail(const request& r, const engine::error& e);
  /// `s` ok: Ack; else its error.
  void answer(const request& r, const engine::status& s);

  /// Storage codecs report bad enums as corrupt records; from a client that is
  /// bad input (invalid_argument).
  static engine::error input_error(engine::error e);

  /// Logs a refused frame through the edge's bad-input throttle (io strand).
  void refused(pb::ErrorCode code, std::string_view why);
  void dispatch(request r);
  void on_closed_worker();
  bool allowed(pb::Envelope::BodyCase body) const;

  // Hello (client_connection.cc; an agent's in agent_requests.cc).
  void handle_hello(const request& r);
  void agent_hello(const request& r);
  /// Refuses the Hello with `code` and closes; nothing more is handled.
  void refuse(const request& r, pb::ErrorCode code, std::string why);
  /// The Welcome of an accepted Hello, with the live contacts in `held`.
  void welcome(const request& r, bool resumed, const std::vector<held_binding>& held);

  // gateway_requests.cc
  void open_contact(const request& r);
  void customer_message(const request& r);
  void end_contact(const request& r);
  void resume_contact(const request& r);
  void rate_contact(const request& r);

  // agent_requests.cc
  void accept_offer(const request& r);
  void decline_offer(const request& r);
  void transfer_contact(const request& r);
  void set_availability(const request& r);
  void agent_message(const request& r);
  void wrap_up(const request& r);
  void agent_stats(const request& r);

  // supervisor_requests.cc
  void define_queue(const request& r);
  void define_agent(const request& r);
  void set_policy(const request& r);
  void mint_token(const request& r);
  void subscribe_stats(const request& r);
  void get_transcript(const request& r);
  /// A supervisor's, or an agent's about a contact offered to it.
  void get_decision(const request& r);

  /// The conversation of `contact` as the protocol shows it; remembers the last
  /// lines, so a `message` event that raced with the resume is not shown twice.
  void fill_transcript(const std::string& contact, const std::vector<chat_line>& lines,
                       google::protobuf::RepeatedPtrField<pb::ChatLine>* out);
  /// A `ResumedContact` of a live contact as the node has it now (Welcome of an
  /// agent, ResumeContact of a gateway); false when the contact is not live.
  bool fill_resumed(const std::string& contact, pb::ResumedContact* out, bool with_customer);

  edge_context& ctx_;
  std::weak_ptr<transport> transport_;
  std::uint64_t id_;
  boost::asio::strand<boost::asio::thread_pool::executor_type> worker_;
  std::atomic<bool> text_{false};  ///< encoding of pushes: that of the last request

  // io strand
  double tokens_ = 0;
  std::optional<std::chrono::microseconds> refilled_;  ///< the clock's steady()
  bool closed_ = false;

  // worker strand
  client_role role_ = client_role::unauthenticated;
  std::string tenant_;
  std::string agent_;
  bool gone_ = false;     ///< the connection closed
  bool refused_ = false;  ///< its Hello was refused; nothing more is handled
  /// Per contact: lines (at, text) this connection got in a resume's transcript
  /// whose live event may still come (the last few of each transcript).
  std::map<std::string, std::multiset<std::pair<engine::time_ms, std::string>>> resumed_lines_;
};

}  // namespace switchboard::net::internal
