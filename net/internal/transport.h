#pragma once

#include <string>

namespace switchboard::net::internal {

/// The write side of one WebSocket connection as the protocol layer sees it.
/// Implemented by the Beast connection in edge_server.cc; every call is thread-safe
/// (it posts to the connection's io strand) and returns at once.
class transport {
 public:
  virtual ~transport() = default;

  /// Queues one frame. When the connection's send queue is full the frame is
  /// dropped, the client gets SLOW_CONSUMER and the connection closes.
  virtual void send(std::string frame, bool text) = 0;

  /// Sends `last_frame` (when not empty) after what is queued, then a close frame
  /// with `reason`. Later sends are dropped.
  virtual void close(std::string last_frame, bool text, std::string reason) = 0;

  /// One frame handed to the protocol layer was handled: reading may go on
  /// (back-pressure on clients that send faster than the node answers).
  virtual void frame_done() = 0;
};

}  // namespace switchboard::net::internal
