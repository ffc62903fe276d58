#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "net/edge_server.h"
#include "net/metrics.h"
#include "net/options.h"
#include "proto/edge.pb.h"
#include "tests/actors/node_fixture.h"

/// Shared parts of the edge tests: a node on a temp dir with two tenants, an edge
/// server on 127.0.0.1 port 0, and clients speaking the edge protocol over real
/// sockets, over the one client of net/client (Beast stays there).
namespace switchboard::testing {

using namespace std::chrono_literals;

/// Upper bound of a wait for something that should happen (never a sync device).
inline constexpr std::chrono::milliseconds net_wait{10000};
/// How long to wait for something that should NOT happen.
inline constexpr std::chrono::milliseconds quiet_wait{300};

inline constexpr const char* t1_key = "key-of-t1-0123456789";
inline constexpr const char* t2_key = "key-of-t2-0123456789";
inline constexpr const char* token_secret = "test-token-secret-0123456789abcdef";

/// A WebSocket client of the edge: synchronous connect and writes; reads with a
/// deadline (an async read run for at most the timeout). Frames that arrive
/// while waiting for a reply are kept for `wait_for`. One thread at a time.
class ws_client {
 public:
  enum class encoding { binary, json };

  /// Connects to ws://127.0.0.1:port/ws. `rcvbuf` > 0 shrinks the socket's receive
  /// buffer (slow consumer tests).
  explicit ws_client(std::uint16_t port, encoding enc = encoding::binary, int rcvbuf = 0);
  ~ws_client();
  ws_client(const ws_client&) = delete;
  ws_client& operator=(const ws_client&) = delete;

  bool connected() const;
  /// The HTTP status of a refused upgrade (e.g. 503), else 0.
  int refused_status() const;
  const std::string& error() const;
  encoding enc() const { return enc_; }

  /// Sends `e` in the client's encoding; assigns a request id when it has none.
  std::string send(pb::Envelope e);
  /// Sends raw bytes as one binary (or text) frame.
  bool send_raw(const std::string& bytes, bool text);
  /// The next frame (stashed ones first); nullopt on timeout, close or error.
  std::optional<pb::Envelope> read(std::chrono::milliseconds timeout = net_wait);
  /// Sends `e` and waits for the frame echoing its request id.
  std::optional<pb::Envelope> call(pb::Envelope e, std::chrono::milliseconds timeout = net_wait);
  /// The first frame (stashed or new) matching `pred`; others are kept.
  std::optional<pb::Envelope> wait_for(const std::function<bool(const pb::Envelope&)>& pred,
                                       std::chrono::milliseconds timeout = net_wait);
  /// Reads until the server closes; the close code, or -1 on timeout.
  int wait_closed(std::chrono::milliseconds timeout = net_wait);
  /// Graceful close handshake.
  void close();
  /// Cuts the TCP connection without a close frame.
  void drop();
  /// Frames received and not yet consumed.
  std::size_t stashed() const { return stash_.size(); }

  // -- hello ----------------------------------------------------------------------
  std::optional<pb::Envelope> hello(pb::Role role, const std::string& tenant,
                                    const std::string& api_key);
  std::optional<pb::Envelope> hello_agent(const std::string& token, const std::string& tenant = {},
                                          bool resume = false);

 private:
  struct impl;
  std::optional<pb::Envelope> read_frame(std::chrono::milliseconds timeout);
  std::unique_ptr<impl> impl_;
  encoding enc_;
  std::deque<pb::Envelope> stash_;
  std::uint64_t next_id_ = 1;
};

/// An HTTP response as the tests see it.
struct http_result {
  int status = 0;  ///< 0 when the request failed
  std::string body;
  std::string content_type;
};

/// GET `target` from 127.0.0.1:port (bounded by `net_wait`). `raw_target` is sent
/// as is (no normalisation), so traversal attempts reach the server intact.
http_result http_get(std::uint16_t port, const std::string& raw_target);

/// The value of the first sample line `name{labels} value` (labels exactly as
/// written, e.g. `{role="agent"}`), or nullopt.
std::optional<double> metric_value(const std::string& text, const std::string& series);

// -- envelopes ------------------------------------------------------------------------

pb::Envelope open_contact(const std::string& id, const std::string& queue = "q1",
                          const std::string& customer = "cust-1");
pb::Envelope accept_offer(const std::string& contact, std::uint64_t offer_id);
pb::Envelope customer_message(const std::string& contact, const std::string& text);
pb::Envelope agent_message(const std::string& contact, const std::string& text);
pb::Envelope end_contact(const std::string& contact, int csat = 0);
pb::Envelope wrap_up(const std::string& contact, bool with_outcome);
pb::Envelope mint_token(const std::string& agent, std::int64_t ttl_s = 0);
pb::Envelope subscribe_stats(std::int64_t interval_ms);
pb::Envelope agent_stats_request();
pb::Envelope resume_contact(const std::string& contact, const std::string& token);
pb::Envelope rate_contact(const std::string& contact, int csat, double tip = 0);
pb::Envelope get_transcript(const std::string& contact);
/// GetDecision of `contact`; `limit` 0: the server's default.
pb::Envelope get_decision(const std::string& contact, std::uint32_t limit = 0);
/// A chat line with the client's id of it (`client_msg_id`).
pb::Envelope customer_message(const std::string& contact, const std::string& text,
                              const std::string& client_msg_id);
pb::Envelope agent_message(const std::string& contact, const std::string& text,
                           const std::string& client_msg_id);

/// True when `e` is an Error with `code`.
bool is_error(const std::optional<pb::Envelope>& e, pb::ErrorCode code);
/// Human-readable envelope for assertion messages.
std::string show(const std::optional<pb::Envelope>& e);

// -- matchers ---------------------------------------------------------------------------

std::function<bool(const pb::Envelope&)> offer_of(const std::string& contact);
std::function<bool(const pb::Envelope&)> update_of(const std::string& contact,
                                                   const std::string& event);
std::function<bool(const pb::Envelope&)> chat_of(const std::string& contact,
                                                 const std::string& from);

/// A node with tenants t1 and t2 (each: FIFO queues q1 and q2, 60 s offer
/// timeout; agents a1, a2, a3 speaking en, taking two chats), and an edge server on port 0
/// with API keys for both tenants. Override `configure` to change the edge's
/// options before it starts.
class edge_fixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  virtual void configure(net::edge_options&) {}
  /// Override to change the node's options (grace periods, ...) before it opens;
  /// applied again by `restart_node`.
  virtual void configure_node(node_options&) {}
  /// Stops the edge and shuts the node down (the journal committed), then opens
  /// the node again on the same data directory and starts a new edge with the
  /// same options (same token secret; a new port). `rec_` keeps recording.
  void restart_node();

  node& n() { return *node_; }
  net::edge_server& edge() { return *edge_; }
  std::uint16_t port() const { return edge_->port(); }

  std::unique_ptr<ws_client> client(ws_client::encoding enc = ws_client::encoding::binary);
  /// A connected client that sent a Hello with the tenant's key and got Welcome.
  std::unique_ptr<ws_client> gateway(const std::string& tenant = "t1",
                                     ws_client::encoding enc = ws_client::encoding::binary);
  std::unique_ptr<ws_client> supervisor(const std::string& tenant = "t1",
                                        ws_client::encoding enc = ws_client::encoding::binary);
  /// An agent logged in with a token minted by the server for (tenant, agent).
  std::unique_ptr<ws_client> agent(const std::string& tenant, const std::string& agent,
                                   ws_client::encoding enc = ws_client::encoding::binary,
                                   bool resume = false);
  std::string metrics();
  /// Waits until the edge counts `n` WebSocket connections of `role`.
  bool connections_reach(net::client_role role, std::int64_t n);

  temp_dir dir_;
  event_recorder rec_;
  std::unique_ptr<node> node_;
  std::unique_ptr<net::edge_server> edge_;
  std::string web_dir_;
  net::edge_options edge_opts_;  ///< as started (after `configure`)
  /// The edge's logger; `configure` may set it (null: the edge's own, to stderr).
  std::shared_ptr<spdlog::logger> edge_log_;
};

/// Polls `pred` every 5 ms until it holds or `timeout` passed: for state that
/// has no event to wait on (connection counts). Returns the last value.
bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout = net_wait);

}  // namespace switchboard::testing
