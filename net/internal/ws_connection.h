#pragma once

// One WebSocket connection over Beast (plain or TLS): the transport of a
// `client_connection`. Included only by edge_server.cc, which instantiates it.
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <memory>
#include <string>

#include "net/codec.h"
#include "net/internal/client_connection.h"
#include "net/internal/server_core.h"
#include "net/internal/transport.h"

namespace switchboard::net::internal {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

/// The Beast side of one WebSocket connection: reads frames into its
/// `client_connection`, writes what the protocol sends (bounded queue), closes.
/// Everything runs on the connection's io strand; the transport calls post to it.
template <class Stream>
class ws_connection final : public transport,
                            public std::enable_shared_from_this<ws_connection<Stream>> {
 public:
  ws_connection(server_core& core, Stream&& s)
    : core_(core), ws_(std::move(s)), kill_(ws_.get_executor()), id_(core.next_id++) {}

  ~ws_connection() override {
    if (!finished_)
      core_.release(id_);  // accept never completed
  }

  void run(http::request<http::string_body> req) {
    const auto& o = core_.ctx->opts;
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::chrono::seconds(10);
    t.idle_timeout = o.idle_timeout;
    t.keep_alive_pings = true;
    ws_.set_option(t);
    ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "switchboard"); }));
    // Frames up to twice the limit are read and answered FRAME_TOO_LARGE; beyond
    // that Beast fails the connection (close 1009) without buffering them.
    ws_.read_message_max(2 * static_cast<std::size_t>(o.max_frame_bytes));
    beast::get_lowest_layer(ws_).expires_never();
    ws_.async_accept(
      req, beast::bind_front_handler(&ws_connection::on_accept, this->shared_from_this()));
  }

  // -- transport (any thread) --

  void send(std::string frame, bool text) override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this(), f = std::move(frame), text]() mutable {
      self->enqueue(std::move(f), text);
    });
  }

  void close(std::string last_frame, bool text, std::string reason) override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this(), f = std::move(last_frame), text,
                                    r = std::move(reason)]() mutable {
      self->begin_close(std::move(f), text, std::move(r), websocket::close_code::going_away);
    });
  }

  void frame_done() override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this()] {
      if (self->inflight_ > 0)
        --self->inflight_;
      if (self->read_paused_ && self->inflight_ < self->core_.ctx->opts.max_inflight) {
        self->read_paused_ = false;
        self->do_read();
      }
    });
  }

 private:
  struct out_frame {
    std::string data;
    bool text = false;
  };

  void on_accept(beast::error_code ec) {
    if (ec) {
      finish();
      return;
    }
    connection_ = std::make_shared<client_connection>(*core_.ctx, this->weak_from_this(), id_);
    core_.add(id_, connection_);
    do_read();
  }

  void do_read() {
    // Closing: nothing the peer sends now is read (see begin_close).
    if (finished_ || reading_ || closing_)
      return;
    if (inflight_ >= core_.ctx->opts.max_inflight) {
      read_paused_ = true;
      return;
    }
    reading_ = true;
    ws_.async_read(buffer_, beast::bind_front_handler(&ws_connection::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    reading_ = false;
    if (ec) {
      if (ec == websocket::error::message_too_big) {
        core_.ctx->metrics.frame_received();
        core_.ctx->metrics.rejected(pb::FRAME_TOO_LARGE);
      }
      finish();
      return;
    }
    bool text = ws_.got_text();
    auto data = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (closing_)
      return;  // a read that was under way when the close began: dropped
    if (data.size() > core_.ctx->opts.max_frame_bytes) {
      core_.ctx->metrics.frame_received();
      core_.ctx->metrics.rejected(pb::FRAME_TOO_LARGE);
      auto err = error_envelope("", pb::FRAME_TOO_LARGE,
                                "frame of " + std::to_string(data.size()) + " bytes; the limit is " +
                                  std::to_string(core_.ctx->opts.max_frame_bytes));
      begin_close(encode_frame(err, text), text, "frame too large", websocket::close_code::too_big);
      return;
    }
    ++inflight_;
    connection_->on_frame(std::move(data), text);
    do_read();
  }

  void enqueue(std::string data, bool text) {
    if (finished_ || closing_)
      return;
    if (queue_.size() >= core_.ctx->opts.max_send_queue) {
      // The client does not keep up: drop what waits (not what is being written),
      // tell it why and close. Memory stays bounded by the queue limit.
      core_.ctx->metrics.rejected(pb::SLOW_CONSUMER);
      core_.ctx->log->info("connection {}: send queue full ({} frames): closing", id_,
                           queue_.size());
      queue_.erase(queue_.begin() + (writing_ ? 1 : 0), queue_.end());
      auto err = error_envelope("", pb::SLOW_CONSUMER, "the send queue overflowed");
      begin_close(encode_frame(err, text), text, "slow consumer",
                  websocket::close_code::policy_error);
      return;
    }
    queue_.push_back({std::move(data), text});
    if (!writing_)
      do_write();
  }

  void begin_close(std::string last, bool text, std::string reason, websocket::close_code code) {
    if (finished_ || closing_)
      return;
    closing_ = true;
    close_ = websocket::close_reason{code, reason};
    if (!last.empty())
      queue_.push_back({std::move(last), text});
    // From here on the connection reads nothing more (do_read): async_close reads the
    // peer's close frame itself once the queue is flushed. Reading on would serve a
    // peer that keeps writing but never reads at full speed until the cut below, and
    // its writes would keep succeeding; unread, they stall on TCP back-pressure.
    // A peer that does not read would hold the close forever: cut it off.
    kill_.expires_after(std::chrono::seconds(2));
    kill_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec && !self->finished_) {
        beast::get_lowest_layer(self->ws_).close();
        self->finish();
      }
    });
    if (!writing_) {
      if (queue_.empty())
        do_close();
      else
        do_write();
    }
  }

  void do_write() {
    writing_ = true;
    ws_.text(queue_.front().text);
    ws_.async_write(asio::buffer(queue_.front().data),
                    beast::bind_front_handler(&ws_connection::on_write, this->shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) {
      finish();
      return;
    }
    core_.ctx->metrics.frame_sent();
    queue_.pop_front();
    if (!queue_.empty())
      do_write();
    else if (closing_)
      do_close();
  }

  void do_close() {
    if (close_sent_ || finished_)
      return;
    close_sent_ = true;
    ws_.async_close(close_, [self = this->shared_from_this()](beast::error_code) { self->finish(); });
  }

  void finish() {
    if (finished_)
      return;
    finished_ = true;
    kill_.cancel();
    queue_.clear();
    if (connection_)
      connection_->on_closed();
    beast::get_lowest_layer(ws_).close();
    core_.release(id_);
  }

  server_core& core_;
  websocket::stream<Stream> ws_;
  beast::flat_buffer buffer_;
  asio::steady_timer kill_;
  std::uint64_t id_;
  std::shared_ptr<client_connection> connection_;
  std::deque<out_frame> queue_;
  websocket::close_reason close_;
  std::uint32_t inflight_ = 0;
  bool reading_ = false;
  bool read_paused_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool close_sent_ = false;
  bool finished_ = false;
};

}  // namespace switchboard::net::internal
