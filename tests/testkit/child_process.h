#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <future>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace switchboard::testkit {

/// A real child process (e.g. `switchboard serve`) with its stdout on a pipe, read
/// with deadlines, and its stderr in a file. Owned by one test thread. At
/// destruction a child still running gets `stop_signal`, then SIGKILL if it has not
/// exited within 5 s.
class child_process {
 public:
  /// Spawns `argv[0]` with `argv` (no PATH search). `stop_signal` is what the
  /// destructor sends first: SIGTERM for a clean stop, SIGKILL for none.
  child_process(std::vector<std::string> argv, const std::string& stderr_path,
                int stop_signal = SIGKILL)
      : stop_signal_(stop_signal) {
    int fds[2];
    if (::pipe(fds) != 0)
      return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addopen(&fa, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    std::vector<char*> args;
    for (auto& a : argv)
      args.push_back(a.data());
    args.push_back(nullptr);
    if (argv.empty() ||
        posix_spawn(&pid_, argv.front().c_str(), &fa, nullptr, args.data(), environ) != 0)
      pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[1]);
    out_ = fds[0];
  }

  ~child_process() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, stop_signal_);
      wait_exit(std::chrono::seconds(5));
    }
    if (out_ >= 0)
      ::close(out_);
  }

  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  bool started() const { return pid_ > 0; }

  /// Reads stdout until `pattern` matches (its first group returned, else the whole
  /// match), the child closes stdout, or the deadline passes (nullopt).
  std::optional<std::string> expect(const std::regex& pattern,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      std::smatch m;
      if (std::regex_search(output_, m, pattern))
        return m.size() > 1 ? m[1].str() : m[0].str();
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return std::nullopt;
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        continue;
      char buf[4096];
      auto n = ::read(out_, buf, sizeof buf);
      if (n <= 0)
        return std::nullopt;  // closed: the child is gone
      output_.append(buf, static_cast<std::size_t>(n));
    }
  }

  /// Reads stdout until `needle` occurred `n` times, the child closes stdout, or
  /// the deadline passes (false).
  bool expect_count(const std::string& needle, std::size_t n,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t seen = 0;
    std::size_t from = 0;
    while (true) {
      for (auto at = output_.find(needle, from); at != std::string::npos;
           at = output_.find(needle, from)) {
        ++seen;
        from = at + needle.size();
      }
      if (seen >= n)
        return true;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return false;
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        continue;
      char buf[4096];
      auto got = ::read(out_, buf, sizeof buf);
      if (got <= 0)
        return false;
      output_.append(buf, static_cast<std::size_t>(got));
    }
  }

  /// The exit status once the child exited, or -1 (killed, or SIGKILLed after
  /// `timeout`).
  int wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto status = std::async(std::launch::async, [pid = pid_] {
      int st = 0;
      return ::waitpid(pid, &st, 0) == pid ? st : -1;
    });
    if (status.wait_for(timeout) != std::future_status::ready)
      ::kill(pid_, SIGKILL);
    int st = status.get();
    exited_ = true;
    return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }

  void signal(int sig) { ::kill(pid_, sig); }
  /// Everything read from stdout so far.
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int stop_signal_ = SIGKILL;
  bool exited_ = false;
  std::string output_;
};

/// The whole content of the file at `path` (empty when it cannot be read): a
/// child's stderr for a failure message.
inline std::string slurp(const std::string& path) {
  std::ifstream in{path};
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace switchboard::testkit
