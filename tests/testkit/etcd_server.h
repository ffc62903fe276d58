#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "net/client/ws_client.h"
#include "tests/testkit/child_process.h"
#include "tests/testkit/temp_dir.h"

namespace switchboard::testkit {

/// A free TCP port on 127.0.0.1 right now (bound to 0, read back, released). Another
/// process may take it before the caller binds it; tests retry nothing, so the
/// window is kept small by binding right after.
inline std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

/// A real etcd (Debian's etcd-server) on free loopback ports with its data in a
/// temp dir, for the cluster tests. `ready()` is false when it did not answer
/// within 20 s (or is not installed: scripts/install-deps.sh installs it).
class etcd_server {
 public:
  etcd_server() : dir_("sb-etcd") {
    client_port_ = free_port();
    peer_port_ = free_port();
    launch();
  }

  /// Kills etcd (SIGKILL) and starts it again on the same ports and data: its
  /// clients' connections break, its keys and leases come back. False when it did
  /// not answer again within 20 s.
  bool restart() {
    proc_.reset();  // SIGKILL, reaped
    ready_ = false;
    launch();
    return ready_;
  }

  bool ready() const { return ready_; }
  std::uint16_t port() const { return client_port_; }
  /// "http://127.0.0.1:<port>", as `--etcd` takes it.
  std::string url() const { return "http://127.0.0.1:" + std::to_string(client_port_); }
  std::string log_path() const { return dir_.sub("etcd.log"); }
  /// Freezes etcd (SIGSTOP): requests hang until their timeout, as with a partition.
  void pause() { proc_->signal(SIGSTOP); }
  void resume() { proc_->signal(SIGCONT); }

 private:
  void launch() {
    auto client = "http://127.0.0.1:" + std::to_string(client_port_);
    auto peer = "http://127.0.0.1:" + std::to_string(peer_port_);
    proc_ = std::make_unique<child_process>(
      std::vector<std::string>{"/usr/bin/etcd", "--name", "test", "--data-dir", dir_.sub("data"),
                               "--listen-client-urls", client, "--advertise-client-urls", client,
                               "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                               "--initial-cluster", "test=" + peer, "--log-level", "warn"},
      dir_.sub("etcd.log"), SIGKILL);
    client::endpoint ep;
    ep.port = client_port_;
    ep.timeout = std::chrono::milliseconds(1000);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (proc_->started() && std::chrono::steady_clock::now() < deadline) {
      if (client::http_get(ep, "/version").status == 200) {
        ready_ = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  temp_dir dir_;
  std::uint16_t client_port_ = 0;
  std::uint16_t peer_port_ = 0;
  std::unique_ptr<child_process> proc_;
  bool ready_ = false;
};

}  // namespace switchboard::testkit
