// Graceful shutdown of the edge: readiness turns to 503 while draining, new
// connections are refused, connected clients are told before their connection
// closes, and stop() returns once they are gone.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <future>

#include "tests/net/edge_fixture.h"

namespace switchboard::testing {
namespace {

/// A plain keep-alive HTTP/1.1 connection, so a request can be made after the
/// acceptor has closed.
class keep_alive_http {
 public:
  explicit keep_alive_http(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ok_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~keep_alive_http() { ::close(fd_); }
  bool ok() const { return ok_; }

  /// The status code of GET `target`, or -1 when the connection failed.
  int get_status(const std::string& target) {
    std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size()))
      return -1;
    // Read one whole response: headers, then Content-Length bytes of body.
    std::string in;
    char buf[4096];
    std::size_t header_end = std::string::npos;
    std::size_t need = 0;
    for (;;) {
      if (header_end == std::string::npos) {
        header_end = in.find("\r\n\r\n");
        if (header_end != std::string::npos) {
          auto cl = in.find("Content-Length: ");
          std::size_t len = cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 16));
          need = header_end + 4 + len;
        }
      }
      if (header_end != std::string::npos && in.size() >= need)
        break;
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0)
        return -1;
      in.append(buf, static_cast<std::size_t>(n));
    }
    int status = std::stoi(in.substr(in.find(' ') + 1, 3));
    in.erase(0, need);
    return status;
  }

 private:
  int fd_ = -1;
  bool ok_ = false;
};

using shutdown_test = edge_fixture;

TEST_F(shutdown_test, draining_turns_readiness_off_refuses_newcomers_and_tells_clients) {
  keep_alive_http http{port()};
  ASSERT_TRUE(http.ok());
  ASSERT_EQ(http.get_status("/readyz"), 200);
  auto gw = gateway("t1");
  ASSERT_TRUE(gw->call(open_contact("s1"))->has_contact_opened());

  // The gateway does not read yet, so the drain waits for it (bounded by 10 s).
  auto stopped = std::async(std::launch::async, [this] { edge().stop(std::chrono::seconds(10)); });
  EXPECT_TRUE(eventually([&] { return http.get_status("/readyz") == 503; }));
  EXPECT_EQ(http.get_status("/healthz"), 200);  // alive, just not ready
  EXPECT_EQ(stopped.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  ws_client late{port()};
  EXPECT_FALSE(late.connected());

  // The client is told why before the close, then stop() completes.
  auto notice = gw->wait_for([](const pb::Envelope& e) { return e.has_error(); });
  ASSERT_TRUE(notice.has_value());
  EXPECT_EQ(notice->error().code(), pb::SHUTTING_DOWN);
  EXPECT_NE(gw->wait_closed(), -1);
  EXPECT_EQ(stopped.wait_for(net_wait), std::future_status::ready);
}

}  // namespace
}  // namespace switchboard::testing
