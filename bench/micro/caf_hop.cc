// caf_hop: the floor cost of one cross-process CAF hop over loopback, so that a
// measured cross-node crossing (our code + CAF) can be split into CAF's part and ours.
//
// One binary, two roles:
//
//   caf_hop --serve PORT   publishes an echo actor on 127.0.0.1:PORT (0: any free
//                          port) and prints `port CAF_PORT TCP_PORT` on stdout; it also
//                          runs a plain TCP echo (no CAF) on TCP_PORT. Runs until stdin
//                          closes or it is killed.
//   caf_hop [--samples N]  starts itself with `--serve 0` as a child process (stdin and
//                          stdout are pipes; the child also gets SIGKILL if this process
//                          dies), connects with remote_actor and times, after a warm-up,
//                          N sequential round trips each of:
//
//   remote_request     scoped_actor request(...).receive(...) to the remote echo
//   remote_via_relay   the same through a short-lived local actor spawned per call,
//                      like actors/cluster.cc's `remote_call` (monitor the remote actor,
//                      request it, deliver the answer through a response promise, quit)
//   relay_new_scoped   the same with a fresh scoped_actor per call too, as
//                      cluster_router::call makes one
//   relay_long_lived   the same relay code, but one actor for all calls: the remote
//                      node sees one sender instead of a new one per call
//   remote_oneway      plain sends: the echo answers `ping` with a `pong` message sent
//                      back (not a response); the scoped_actor receives it
//   local_request      request/receive against an echo actor in this process
//   tcp_echo           a blocking write/read of the same payload on a plain TCP
//                      connection to the child (TCP_NODELAY both ends): the kernel's
//                      loopback plus two thread wake-ups, the floor under any of the above
//
// The payload is a string of --payload bytes (default 200, a small request). Both
// actor systems are configured as a cluster node's (actors/node.cc): the `sharing`
// scheduler with one worker per core, the middleman loaded, heartbeats every 500 ms
// and a 3 s connection timeout. Prints per kind p50/p90/p99/max in microseconds and,
// per call, the CPU time and context switches of each process (getrusage, all
// threads: how many thread hand-offs a hop takes), with the build type, the cores, the
// load average at start and end, and whether TCP_NODELAY is set on CAF's connection
// (client and server side); --json FILE writes the same. Every wait is bounded: 5 s
// per reply, --max-seconds for the whole run.
#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench/core/cli.h"
#include "bench/core/json_writer.h"

#ifndef SB_BUILD_TYPE
#define SB_BUILD_TYPE "unknown"
#endif

namespace switchboard::bench::micro {
namespace {

using clock_type = std::chrono::steady_clock;
using ping_atom = caf::atom_constant<caf::atom("ping")>;
using pong_atom = caf::atom_constant<caf::atom("pong")>;
using nodelay_atom = caf::atom_constant<caf::atom("nodelay")>;
using usage_atom = caf::atom_constant<caf::atom("usage")>;

/// How long one reply may take before the run fails.
constexpr auto reply_timeout = std::chrono::seconds(5);

/// The flags (see parse()).
struct options {
  int serve_port = -1;         // >= 0: the server role. Default: the client role.
  std::size_t samples = 5000;  // timed round trips per kind
  std::size_t warmup = 500;    // untimed ones before each kind
  std::size_t payload = 200;   // bytes of the string sent and echoed
  std::size_t threads = 0;     // scheduler workers; 0 (default): one per core, as the node
  int heartbeat_ms = 500;      // as the node; 0: off (CAF's default)
  int max_seconds = 600;       // the client's whole run
  std::string json;            // where to write the figures too. Default: nowhere.
};

// -- setup shared by both roles ----------------------------------------------------

std::size_t scheduler_threads(const options& o) {
  return o.threads > 0 ? o.threads : std::max<std::size_t>(1, std::thread::hardware_concurrency());
}

/// A cluster node's actor system settings (actors/node.cc, with `cluster` set).
void configure(caf::actor_system_config& cfg, const options& o) {
  cfg.set("scheduler.policy", caf::atom("sharing"));
  cfg.set("scheduler.max-threads", scheduler_threads(o));
  cfg.load<caf::io::middleman>();
  if (o.heartbeat_ms > 0) {
    cfg.set("middleman.heartbeat-interval",
            caf::timespan{std::chrono::milliseconds(o.heartbeat_ms)});
    cfg.set("middleman.connection-timeout", caf::timespan{std::chrono::seconds(3)});
  }
}

/// CPU time (user + system) and context switches (voluntary + involuntary) of this
/// process, all threads.
struct usage {
  double cpu_us = 0;
  double switches = 0;
};

usage process_usage() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto us = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_usec);
  };
  return {us(u.ru_utime) + us(u.ru_stime), static_cast<double>(u.ru_nvcsw + u.ru_nivcsw)};
}

/// Whether TCP_NODELAY is set on this process's TCP connection to (`peer_port`) or
/// accepted on 127.0.0.1:`port` (found through /proc/self/fd); nullopt if none.
std::optional<bool> tcp_nodelay_on(std::uint16_t port, bool peer_port) {
  DIR* d = opendir("/proc/self/fd");
  if (!d)
    return std::nullopt;
  std::optional<bool> out;
  while (auto* e = readdir(d)) {
    int fd = std::atoi(e->d_name);
    struct stat st{};
    if (e->d_name[0] == '.' || fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode))
      continue;
    sockaddr_in a{};
    socklen_t len = sizeof a;
    // A listening socket has no peer; a connection's own end is its socket name.
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0 ||
        (!peer_port && getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) ||
        a.sin_family != AF_INET || ntohs(a.sin_port) != port)
      continue;
    int v = 0;
    len = sizeof v;
    if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0)
      out = v != 0;
  }
  closedir(d);
  return out;
}

/// Answers a string request with the string, and a `ping` with a `pong` message
/// sent back to the sender (a plain send, not a response). `(nodelay, port)` answers
/// whether TCP_NODELAY is set on this process's connection accepted on `port`
/// (1 or 0; -1: no such connection); `usage` answers this process's CPU time (µs) and
/// context switches so far.
caf::behavior echo(caf::event_based_actor* self) {
  return {
    [](std::string& s) { return std::move(s); },
    [](nodelay_atom, std::uint16_t port) {
      auto v = tcp_nodelay_on(port, false);
      return v ? static_cast<int>(*v) : -1;
    },
    [](usage_atom) {
      auto u = process_usage();
      return caf::make_message(u.cpu_us, u.switches);
    },
    [self](ping_atom, std::string& s) {
      self->send(caf::actor_cast<caf::actor>(self->current_sender()), pong_atom::value,
                 std::move(s));
    },
  };
}

/// Calls `target` for its caller. With `once` (shaped like actors/cluster.cc's
/// `remote_call`) it serves one call: monitors `target`, requests it, answers its
/// caller with the reply (or the error) through a response promise, then quits.
/// Without, it stays and serves any number of calls the same way, so `target`'s node
/// sees one sender for all of them.
caf::behavior relay(caf::event_based_actor* self, caf::actor target, bool once) {
  if (!once) {
    self->monitor(target);
    self->set_down_handler([self](caf::down_msg&) { self->quit(); });
  }
  return {
    [self, target, once](std::string& s) -> caf::result<std::string> {
      auto rp = self->make_response_promise<std::string>();
      // Shared by the handlers below (the down handler is called as const).
      auto answer = std::make_shared<caf::typed_response_promise<std::string>>(rp);
      if (once) {
        self->monitor(target);
        self->set_down_handler([self, answer](caf::down_msg&) {
          if (answer->pending())
            answer->deliver(caf::make_error(caf::sec::request_receiver_down));
          self->quit();
        });
      }
      self->request(target, reply_timeout, std::move(s))
        .then(
          [self, answer, once](std::string& r) {
            if (answer->pending())
              answer->deliver(std::move(r));
            if (once)
              self->quit();
          },
          [self, answer, once](caf::error& e) {
            if (answer->pending())
              answer->deliver(std::move(e));
            if (once)
              self->quit();
          });
      return rp;
    },
  };
}

/// Writes all of `n` bytes; false on an error.
bool write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    auto k = ::write(fd, p, n);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      return false;
    p += k;
    n -= static_cast<std::size_t>(k);
  }
  return true;
}

void set_nodelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// -- the server role -----------------------------------------------------------------

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  return a;
}

/// A listening TCP socket on 127.0.0.1 (any port), or -1.
int listen_loopback(std::uint16_t& port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  auto a = loopback(0);
  socklen_t len = sizeof a;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 1) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    close(fd);
    return -1;
  }
  port = ntohs(a.sin_port);
  return fd;
}

/// Echoes whatever arrives on the connections accepted from `listener` (one at a
/// time) until the process exits.
void tcp_echo_loop(int listener) {
  std::array<char, 65536> buf{};
  for (;;) {
    int c = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EINTR)
        continue;
      return;
    }
    set_nodelay(c);
    for (;;) {
      auto k = ::read(c, buf.data(), buf.size());
      if (k < 0 && errno == EINTR)
        continue;
      if (k <= 0 || !write_all(c, buf.data(), static_cast<std::size_t>(k)))
        break;
    }
    close(c);
  }
}

/// Publishes the echo actor and serves until stdin closes. Prints `port CAF TCP`
/// first, which the client reads from its pipe.
int serve(const options& o) {
  caf::actor_system_config cfg;
  configure(cfg, o);
  caf::actor_system sys{cfg};
  auto e = sys.spawn(echo);
  auto port = caf::io::publish(e, static_cast<std::uint16_t>(o.serve_port), "127.0.0.1", true);
  if (!port) {
    std::fprintf(stderr, "caf_hop --serve: cannot publish on 127.0.0.1:%d: %s\n", o.serve_port,
                 sys.render(port.error()).c_str());
    caf::anon_send_exit(e, caf::exit_reason::user_shutdown);
    return 1;
  }
  std::uint16_t tcp_port = 0;
  int listener = listen_loopback(tcp_port);
  if (listener < 0) {
    std::fprintf(stderr, "caf_hop --serve: cannot listen for the TCP echo: %s\n",
                 std::strerror(errno));
    caf::anon_send_exit(e, caf::exit_reason::user_shutdown);
    return 1;
  }
  // Blocked in accept/read until the process exits; nothing to join.
  std::thread{tcp_echo_loop, listener}.detach();
  std::printf("port %u %u\n", static_cast<unsigned>(*port), static_cast<unsigned>(tcp_port));
  std::fflush(stdout);
  char buf[256];
  for (;;) {
    auto k = ::read(STDIN_FILENO, buf, sizeof buf);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      break;
  }
  caf::anon_send_exit(e, caf::exit_reason::user_shutdown);
  return 0;
}

// -- the child process ---------------------------------------------------------------

/// The server child: its pid, the write end of its stdin and the read end of its
/// stdout. Stops it when destroyed: closes its stdin, then SIGKILL after 2 s.
/// (tests/testkit/child_process.h gives a child no stdin pipe and no
/// PR_SET_PDEATHSIG, which the server's lifetime here relies on.)
class child_process {
 public:
  child_process() = default;
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;
  ~child_process() { stop(); }

  /// Starts this executable with `args` (fork + exec of /proc/self/exe); false on error.
  bool start(std::vector<std::string> args) {
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0)
      return false;
    if (pipe2(out, O_CLOEXEC) != 0) {
      close(in[0]);
      close(in[1]);
      return false;
    }
    args.insert(args.begin(), "caf_hop");
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t parent = getpid();
    pid_ = fork();
    if (pid_ == 0) {
      // Dies with its parent, whatever way the parent ends.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent)
        _exit(1);
      dup2(in[0], STDIN_FILENO);
      dup2(out[1], STDOUT_FILENO);
      execv("/proc/self/exe", argv.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    if (pid_ < 0) {
      close(in[1]);
      close(out[0]);
      return false;
    }
    stdin_ = in[1];
    stdout_ = out[0];
    return true;
  }

  /// The next line the child prints, within `timeout`; nullopt on timeout or EOF.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout) {
    auto deadline = clock_type::now() + timeout;
    for (;;) {
      auto nl = buffered_.find('\n');
      if (nl != std::string::npos) {
        auto line = buffered_.substr(0, nl);
        buffered_.erase(0, nl + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
      if (stdout_ < 0 || left.count() <= 0)
        return std::nullopt;
      pollfd p{stdout_, POLLIN, 0};
      int rc = poll(&p, 1, static_cast<int>(left.count()));
      if (rc < 0 && errno == EINTR)
        continue;
      if (rc <= 0)
        return std::nullopt;
      char buf[256];
      auto k = ::read(stdout_, buf, sizeof buf);
      if (k <= 0)
        return std::nullopt;
      buffered_.append(buf, static_cast<std::size_t>(k));
    }
  }

  /// Ends the child: its stdin closed (it exits), SIGKILL if it still runs after 2 s.
  void stop() {
    if (pid_ <= 0)
      return;
    close(stdin_);
    close(stdout_);
    int status = 0;
    auto deadline = clock_type::now() + std::chrono::seconds(2);
    while (waitpid(pid_, &status, WNOHANG) != pid_) {
      if (clock_type::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  std::string buffered_;
};

// -- measuring -----------------------------------------------------------------------

/// The host's load averages (1, 5, 15 min) from /proc/loadavg, or -1s.
std::array<double, 3> load_average() {
  std::array<double, 3> x{-1, -1, -1};
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf %lf %lf", &x[0], &x[1], &x[2]) != 3)
      x = {-1, -1, -1};
    std::fclose(f);
  }
  return x;
}

struct summary {
  std::string name;
  std::string what;
  double p50 = 0, p90 = 0, p99 = 0, max = 0;  // microseconds
  // Per call, over the timed samples: what each process used (all its threads).
  // Server figures are negative when the server could not be asked.
  usage client, server;
};

/// Nearest-rank percentile of sorted `xs`.
double percentile(const std::vector<double>& xs, double p) {
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(xs.size())));
  return xs[std::min(xs.size() - 1, rank > 0 ? rank - 1 : 0)];
}

/// Times `o.samples` calls of `one()` after `o.warmup` untimed ones. `one()` returns
/// an error text, empty when the call succeeded; the first error ends the run.
/// `server_usage()` returns the server process's usage so far (nullopt: unknown).
template <class Call, class ServerUsage>
std::optional<summary> measure(const options& o, std::string name, std::string what, Call&& one,
                               ServerUsage&& server_usage, std::string& error) {
  for (std::size_t i = 0; i < o.warmup; ++i) {
    error = one();
    if (!error.empty()) {
      error = name + " (warm-up " + std::to_string(i) + "): " + error;
      return std::nullopt;
    }
  }
  std::vector<double> us;
  us.reserve(o.samples);
  std::optional<usage> server0 = server_usage();
  usage client0 = process_usage();
  for (std::size_t i = 0; i < o.samples; ++i) {
    auto t0 = clock_type::now();
    error = one();
    auto t1 = clock_type::now();
    if (!error.empty()) {
      error = name + " (sample " + std::to_string(i) + "): " + error;
      return std::nullopt;
    }
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  usage client1 = process_usage();
  std::optional<usage> server1 = server_usage();
  std::sort(us.begin(), us.end());
  summary s;
  s.name = std::move(name);
  s.what = std::move(what);
  auto n = static_cast<double>(o.samples);
  s.client = {(client1.cpu_us - client0.cpu_us) / n, (client1.switches - client0.switches) / n};
  s.server = {-1, -1};
  if (server0 && server1)
    s.server = {(server1->cpu_us - server0->cpu_us) / n, (server1->switches - server0->switches) / n};
  s.p50 = percentile(us, 0.50);
  s.p90 = percentile(us, 0.90);
  s.p99 = percentile(us, 0.99);
  s.max = us.back();
  return s;
}

/// A blocking TCP connection to 127.0.0.1:`port` with TCP_NODELAY, or -1.
int connect_loopback(std::uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  auto a = loopback(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  set_nodelay(fd);
  timeval tv{static_cast<time_t>(reply_timeout.count()), 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

std::string fmt_load(const std::array<double, 3>& l) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f %.2f %.2f", l[0], l[1], l[2]);
  return buf;
}

std::string yes_no(std::optional<bool> b) {
  return b ? (*b ? "yes" : "no") : "unknown";
}

struct run_result {
  std::vector<summary> rows;
  std::optional<bool> nodelay_client, nodelay_server;
  std::uint16_t caf_port = 0, tcp_port = 0;
};

/// The client role: starts the server child, measures every kind, stops the child.
/// Returns an error text, empty on success.
std::string run_client(const options& o, run_result& r) {
  child_process child;
  std::vector<std::string> args{"--serve", "0", "--heartbeat-ms", std::to_string(o.heartbeat_ms)};
  if (o.threads > 0) {
    args.push_back("--threads");
    args.push_back(std::to_string(o.threads));
  }
  if (!child.start(args))
    return std::string{"cannot start the server child: "} + std::strerror(errno);
  auto line = child.read_line(std::chrono::seconds(20));
  unsigned caf_port = 0, tcp_port = 0;
  if (!line || std::sscanf(line->c_str(), "port %u %u", &caf_port, &tcp_port) != 2)
    return "the server child did not report its ports within 20 s";
  r.caf_port = static_cast<std::uint16_t>(caf_port);
  r.tcp_port = static_cast<std::uint16_t>(tcp_port);

  std::string error;
  {
    caf::actor_system_config cfg;
    configure(cfg, o);
    caf::actor_system sys{cfg};
    auto remote = caf::io::remote_actor(sys, "127.0.0.1", r.caf_port);
    if (!remote)
      return "remote_actor 127.0.0.1:" + std::to_string(caf_port) + ": " +
             sys.render(remote.error());
    r.nodelay_client = tcp_nodelay_on(r.caf_port, true);
    int fd = connect_loopback(r.tcp_port);
    if (fd < 0)
      return "cannot connect to the TCP echo on 127.0.0.1:" + std::to_string(tcp_port) + ": " +
             std::strerror(errno);
    // From here on no early return: the actor system's destructor waits for every
    // actor, so the two spawned here are stopped at the end of the block.
    auto local = sys.spawn(echo);
    const std::string payload(o.payload, 'x');
    caf::scoped_actor self{sys};
    auto check = [&](const std::string& got) {
      return got.size() == payload.size() ? std::string{} : std::string{"wrong reply size"};
    };

    auto request_to = [&](const caf::actor& dest, caf::scoped_actor& from) {
      std::string err;
      from->request(dest, reply_timeout, payload)
        .receive([&](std::string& got) { err = check(got); },
                 [&](caf::error& e) { err = sys.render(e); });
      return err;
    };
    auto long_lived = sys.spawn(relay, *remote, false);
    auto via = [&](const caf::actor& call, caf::scoped_actor& from) {
      std::string err;
      // The relay answers within its own timeout; the margin only catches a bug.
      from->request(call, reply_timeout + std::chrono::seconds(5), payload)
        .receive([&](std::string& got) { err = check(got); },
                 [&](caf::error& e) { err = sys.render(e); });
      return err;
    };

    auto server_usage = [&]() -> std::optional<usage> {
      std::optional<usage> u;
      self->request(*remote, reply_timeout, usage_atom::value)
        .receive([&](double cpu_us, double switches) { u = usage{cpu_us, switches}; },
                 [](caf::error&) {});
      return u;
    };

    std::string in(o.payload, '\0');
    auto tcp_round_trip = [&]() -> std::string {
      if (!write_all(fd, payload.data(), payload.size()))
        return std::string{"write: "} + std::strerror(errno);
      std::size_t got = 0;
      while (got < in.size()) {
        auto k = ::read(fd, in.data() + got, in.size() - got);
        if (k < 0 && errno == EINTR)
          continue;
        if (k <= 0)
          return k == 0 ? std::string{"connection closed"}
                        : std::string{"read: "} + std::strerror(errno);
        got += static_cast<std::size_t>(k);
      }
      return {};
    };

    // Each kind in turn; the first that fails ends the run.
    auto keep = [&](std::optional<summary> s) {
      if (s)
        r.rows.push_back(std::move(*s));
      return s.has_value();
    };
    keep(measure(o, "remote_request", "remote: scoped_actor request/receive",
                 [&] { return request_to(*remote, self); }, server_usage, error)) &&
      keep(measure(o, "remote_via_relay", "remote: via a relay actor spawned per call",
                   [&] { return via(sys.spawn(relay, *remote, true), self); }, server_usage,
                   error)) &&
      keep(measure(o, "relay_new_scoped", "remote: relay + a new scoped_actor per call",
                   [&] {
                     caf::scoped_actor fresh{sys};
                     return via(sys.spawn(relay, *remote, true), fresh);
                   },
                   server_usage, error)) &&
      keep(measure(o, "relay_long_lived", "remote: via one relay actor for all calls",
                   [&] { return via(long_lived, self); }, server_usage, error)) &&
      keep(measure(o, "remote_oneway", "remote: send ping, receive pong (no response)",
                   [&] {
                     std::string err;
                     self->send(*remote, ping_atom::value, payload);
                     self->receive([&](pong_atom, std::string& got) { err = check(got); },
                                   caf::after(reply_timeout) >> [&] {
                                     err = "no pong within 5 s";
                                   });
                     return err;
                   },
                   server_usage, error)) &&
      keep(measure(o, "local_request", "local: scoped_actor request/receive",
                   [&] { return request_to(local, self); }, server_usage, error)) &&
      keep(measure(o, "tcp_echo", "no CAF: TCP write/read to the server process",
                   tcp_round_trip, server_usage, error));
    close(fd);
    // The server's side of the connection, asked while it is still open.
    if (error.empty())
      self->request(*remote, reply_timeout, nodelay_atom::value, r.caf_port)
        .receive(
          [&](int v) {
            if (v >= 0)
              r.nodelay_server = v == 1;
          },
          [](caf::error&) {});
    caf::anon_send_exit(local, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(long_lived, caf::exit_reason::user_shutdown);
  }
  return error;
}

std::string caf_version() {
  return std::to_string(CAF_MAJOR_VERSION) + "." + std::to_string(CAF_MINOR_VERSION) + "." +
         std::to_string(CAF_PATCH_VERSION);
}

int report(const options& o, const run_result& r, const std::array<double, 3>& load0,
           const std::array<double, 3>& load1) {
  std::printf("# per call: cpu_us = CPU time, csw = context switches, of the client (c_) "
              "and the server (s_) process, all threads\n");
  std::printf("%-18s %-46s %8s %8s %8s %8s %7s %6s %7s %6s\n", "kind", "what", "p50_us", "p90_us",
              "p99_us", "max_us", "c_cpu", "c_csw", "s_cpu", "s_csw");
  for (const auto& s : r.rows)
    std::printf("%-18s %-46s %8.1f %8.1f %8.1f %8.1f %7.1f %6.2f %7.1f %6.2f\n", s.name.c_str(),
                s.what.c_str(), s.p50, s.p90, s.p99, s.max, s.client.cpu_us, s.client.switches,
                s.server.cpu_us, s.server.switches);
  std::printf("# load average at end: %s\n", fmt_load(load1).c_str());
  std::printf("# TCP_NODELAY on CAF's connection: client side %s, server side %s\n",
              yes_no(r.nodelay_client).c_str(), yes_no(r.nodelay_server).c_str());
  if (o.json.empty())
    return 0;
  json_writer w;
  w.object([&] {
    w.field("tool", "caf_hop");
    w.field("build_type", SB_BUILD_TYPE);
    w.field("hardware_threads", std::thread::hardware_concurrency());
    w.field("caf_version", caf_version());
    w.field("scheduler_threads", static_cast<std::uint64_t>(scheduler_threads(o)));
    w.field("heartbeat_ms", o.heartbeat_ms);
    w.field("payload_bytes", static_cast<std::uint64_t>(o.payload));
    w.field("samples", static_cast<std::uint64_t>(o.samples));
    w.field("warmup", static_cast<std::uint64_t>(o.warmup));
    w.values("load_average_start", load0);
    w.values("load_average_end", load1);
    w.key("tcp_nodelay_client");
    r.nodelay_client ? w.value(*r.nodelay_client) : w.null();
    w.key("tcp_nodelay_server");
    r.nodelay_server ? w.value(*r.nodelay_server) : w.null();
    w.objects("results", r.rows, [&](const summary& s) {
      w.field("kind", s.name);
      w.field("what", s.what);
      w.field("p50_us", s.p50);
      w.field("p90_us", s.p90);
      w.field("p99_us", s.p99);
      w.field("max_us", s.max);
      w.field("client_cpu_us_per_call", s.client.cpu_us);
      w.field("client_switches_per_call", s.client.switches);
      if (s.server.cpu_us >= 0) {
        w.field("server_cpu_us_per_call", s.server.cpu_us);
        w.field("server_switches_per_call", s.server.switches);
      }
    });
  });
  std::ofstream f(o.json);
  f << w.take() << '\n';
  if (!f) {
    std::fprintf(stderr, "caf_hop: cannot write %s\n", o.json.c_str());
    return 1;
  }
  return 0;
}

std::optional<int> parse(options& o, int argc, char** argv) {
  CLI::App app{"caf_hop: the cost of one cross-process CAF hop over loopback (see the comment "
               "at the top of bench/micro/caf_hop.cc).",
               "caf_hop"};
  app.add_option("--serve", o.serve_port,
                 "server role: publish the echo actor on 127.0.0.1:PORT (0: any) until stdin "
                 "closes")
    ->check(CLI::Range(0, 65535));
  app.add_option("--samples", o.samples, "timed round trips per kind")
    ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}))
    ->capture_default_str();
  app.add_option("--warmup", o.warmup, "untimed round trips before each kind")
    ->check(CLI::Range(std::size_t{0}, std::size_t{1'000'000}))
    ->capture_default_str();
  app.add_option("--payload", o.payload, "bytes of the string sent and echoed")
    ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20))
    ->capture_default_str();
  app.add_option("--threads", o.threads, "scheduler workers per process (0: one per core)")
    ->check(CLI::Range(std::size_t{0}, std::size_t{256}))
    ->capture_default_str();
  app.add_option("--heartbeat-ms", o.heartbeat_ms,
                 "middleman heartbeat interval, as the node's (0: off, CAF's default)")
    ->check(CLI::Range(0, 60'000))
    ->capture_default_str();
  app.add_option("--max-seconds", o.max_seconds, "the whole client run is killed after this")
    ->check(CLI::Range(1, 86'400))
    ->capture_default_str();
  app.add_option("--json", o.json, "also write the figures to this file")->check(cli::non_empty);
  return cli::parse(app, argc, argv);
}

}  // namespace
}  // namespace switchboard::bench::micro

int main(int argc, char** argv) {
  using namespace switchboard::bench::micro;
  options o;
  if (auto rc = parse(o, argc, argv))
    return *rc;
  if (o.serve_port >= 0)
    return serve(o);
  // The whole run is bounded: SIGALRM ends this process and the child follows
  // (PR_SET_PDEATHSIG).
  alarm(static_cast<unsigned>(o.max_seconds));
  auto load0 = load_average();
  std::printf("# caf_hop: %s build, %u hardware threads, CAF %s, scheduler 'sharing' x%zu per "
              "process, heartbeat %d ms\n",
              SB_BUILD_TYPE, std::thread::hardware_concurrency(), caf_version().c_str(),
              scheduler_threads(o), o.heartbeat_ms);
  std::printf("# payload %zu B, %zu samples per kind after %zu warm-up, 127.0.0.1\n", o.payload,
              o.samples, o.warmup);
  std::printf("# load average at start: %s\n", fmt_load(load0).c_str());
  std::fflush(stdout);
  run_result r;
  auto error = run_client(o, r);
  if (!error.empty()) {
    std::fprintf(stderr, "caf_hop: %s\n", error.c_str());
    return 1;
  }
  return report(o, r, load0, load_average());
}
