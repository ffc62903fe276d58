#pragma once

#include <chrono>
#include <functional>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

/// The blocking client of tests, bench and the cluster's etcd client: a WebSocket
/// client and HTTP requests, plain or TLS, every step bounded by a timeout. Raw frames
/// only: encoding envelopes is the caller's business (net/codec.h). Depends on
/// Boost.Beast and OpenSSL, nothing of the node.
namespace switchboard::client {

/// Where and how to connect.
struct endpoint {
  std::string host = "127.0.0.1";  ///< name or address. Default: 127.0.0.1.
  std::uint16_t port = 0;
  bool tls = false;                ///< TLS without certificate checks (test certificates).
  /// Bound of each blocking step (connect, handshakes, a write, an HTTP exchange).
  std::chrono::milliseconds timeout{10000};  ///< Default: 10 s.
};

/// One WebSocket frame as received.
struct frame {
  std::string data;
  bool text = false;
};

/// A blocking WebSocket client. Writes are synchronous; a read waits at most its
/// timeout and may be retried: a read that timed out stays pending, so the stream
/// stays usable (cancelling a WebSocket read would fail it). One thread at a time.
class ws_client {
 public:
  /// Connects and upgrades on `target` (e.g. "/ws"). `rcvbuf` > 0 shrinks the
  /// socket's receive buffer before connecting (slow-consumer tests). Failure is
  /// reported by `connected()`, `error()` and `refused_status()`.
  ws_client(const endpoint& ep, const std::string& target = "/ws", int rcvbuf = 0);
  ~ws_client();
  ws_client(const ws_client&) = delete;
  ws_client& operator=(const ws_client&) = delete;

  bool connected() const;
  /// The HTTP status of a refused upgrade (e.g. 503), else 0.
  int refused_status() const;
  /// Why the last step failed ("connect: ...", "handshake: ...", "read: ...").
  const std::string& error() const;

  /// Sends `bytes` as one text or binary frame; false (and `error()`) on failure.
  bool send(std::string_view bytes, bool text);
  /// The next frame; nullopt on timeout, close or error (`connected()` tells which).
  std::optional<frame> read(std::chrono::milliseconds timeout);
  /// The close code the server sent, once the connection is closed; else -1.
  int close_code() const;
  /// Graceful close handshake, bounded by the endpoint's timeout.
  void close();
  /// Cuts the TCP connection without a close frame.
  void drop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// An HTTP response. `status` is 0 when the request failed (`error` says why).
struct http_result {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string error;
};

/// GET `target` (sent as is, no normalisation) with `Connection: close`, bounded
/// by the endpoint's timeout.
http_result http_get(const endpoint& ep, const std::string& target);

/// Any request (`method` e.g. "POST"), with `body` and its content type, sent and
/// bounded like `http_get`. Errors: an unknown method, and those of `http_get`.
http_result http_request(const endpoint& ep, std::string_view method, const std::string& target,
                         std::string body, std::string_view content_type);

/// A request whose answer is a stream (etcd's watch): POSTs `body`, then passes
/// each piece of a 200 answer's body to `on_data` as it arrives, until the server
/// ends it, `on_data` returns false, or `keep_going` returns false (asked every
/// 100 ms). Connecting and the answer's header are bounded by the endpoint's
/// timeout; the body is not (a stream may stay quiet for long). Plain HTTP only.
/// `status` is the answer's (0: none came); `error` is empty when the stream ended
/// or was stopped, else why it broke; a non-200 answer's body is in `body`.
http_result http_stream(const endpoint& ep, const std::string& target, std::string body,
                        std::string_view content_type,
                        const std::function<bool(std::string_view)>& on_data,
                        const std::function<bool()>& keep_going);

}  // namespace switchboard::client
