// The facade's non-blocking calls: same answers as the blocking ones, typed errors
// through the callback, call order kept, and every callback called exactly once,
// even for calls still in flight when the node shuts down.
#include <algorithm>
#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "actors/errors.h"
#include "tests/actors/node_fixture.h"

namespace switchboard::testing {
namespace {

using async_calls = node_fixture;

/// A status callback and the future it fulfils.
struct status_waiter {
  std::shared_ptr<std::promise<status>> p = std::make_shared<std::promise<status>>();
  std::future<status> f = p->get_future();
  node::status_callback cb() {
    return [p = p](status s) { p->set_value(std::move(s)); };
  }
  status get() {
    if (f.wait_for(wait_bound) != std::future_status::ready)
      return engine::make_error(actors::errors::timeout, "no answer within the wait bound");
    return f.get();
  }
};

result<contact_ack> submit_and_wait(node& n, engine::contact c) {
  auto p = std::make_shared<std::promise<result<contact_ack>>>();
  auto f = p->get_future();
  n.submit_async(std::move(c), [p](result<contact_ack> r) { p->set_value(std::move(r)); });
  if (f.wait_for(wait_bound) != std::future_status::ready)
    return engine::make_error(actors::errors::timeout, "no answer within the wait bound");
  return f.get();
}

TEST_F(async_calls, a_lifecycle_runs_through_the_non_blocking_calls) {
  ASSERT_TRUE(n().login(t1, "a1").ok());
  auto ack = submit_and_wait(n(), make_contact(t1, "c1", "q1"));
  ASSERT_TRUE(ack.ok()) << describe(ack);
  EXPECT_EQ(ack->contact, "c1");
  EXPECT_GT(ack->seq, 0u);

  auto offer = offer_of("c1", "a1");
  status_waiter accepted;
  n().accept_async(t1, "a1", "c1", offer.offer_id, accepted.cb());
  auto st = accepted.get();
  ASSERT_TRUE(st.ok()) << describe(st);
  ASSERT_TRUE(saw(is(event_type::connected, "c1", "a1")));

  status_waiter completed;
  n().complete_async(t1, "a1", "c1", resolved(), completed.cb());
  st = completed.get();
  ASSERT_TRUE(st.ok()) << describe(st);
  ASSERT_TRUE(saw(is(event_type::completed, "c1")));
  auto stats = n().stats(t1);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->completed, 1u);
}

TEST_F(async_calls, errors_are_typed_in_the_callback) {
  auto ack = submit_and_wait(n(), make_contact("nobody", "c1", "q1"));
  ASSERT_FALSE(ack.ok());
  EXPECT_EQ(ack.code(), errc::unknown_tenant) << describe(ack);

  ASSERT_TRUE(submit_and_wait(n(), make_contact(t1, "c1", "q1")).ok());
  ack = submit_and_wait(n(), make_contact(t1, "c1", "q1"));
  ASSERT_FALSE(ack.ok());
  EXPECT_EQ(ack.code(), errc::duplicate_id) << describe(ack);

  ASSERT_TRUE(n().login(t1, "a1").ok());
  status_waiter w;
  n().accept_async(t1, "a1", "no-such-contact", 0, w.cb());
  auto st = w.get();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.code(), actors::errors::timeout) << describe(st);

  status_waiter ended;
  n().end_contact_async(t1, "c1", "customer_left", ended.cb());
  st = ended.get();
  ASSERT_TRUE(st.ok()) << describe(st);
  ASSERT_TRUE(saw(is(event_type::abandoned, "c1")));
}

TEST_F(async_calls, calls_from_one_thread_keep_their_order) {
  constexpr int n_calls = 300;
  std::mutex m;
  std::vector<std::pair<int, std::uint64_t>> acks;  // call index, seq
  std::atomic<int> answered{0};
  std::promise<void> all;
  for (int i = 0; i < n_calls; ++i)
    n().submit_async(make_contact(t1, "c" + std::to_string(i), "q1"),
                     [&, i](result<contact_ack> r) {
                       if (r) {
                         std::lock_guard<std::mutex> g{m};
                         acks.emplace_back(i, r->seq);
                       }
                       if (++answered == n_calls)
                         all.set_value();
                     });
  ASSERT_EQ(all.get_future().wait_for(wait_bound), std::future_status::ready);
  std::lock_guard<std::mutex> g{m};
  ASSERT_EQ(acks.size(), std::size_t{n_calls});
  std::sort(acks.begin(), acks.end());
  for (int i = 1; i < n_calls; ++i)
    EXPECT_LT(acks[static_cast<std::size_t>(i - 1)].second, acks[static_cast<std::size_t>(i)].second)
      << "call " << i << " overtook call " << i - 1;
}

TEST_F(async_calls, every_call_in_flight_at_shutdown_is_answered_once_and_no_ack_is_lost) {
  ASSERT_TRUE(n().login(t1, "a1").ok());
  constexpr int n_calls = 500;
  std::atomic<int> answered{0}, ok{0}, other{0};
  for (int i = 0; i < n_calls; ++i)
    n().submit_async(make_contact(t1, "c" + std::to_string(i), "q1"), [&](result<contact_ack> r) {
      if (r)
        ++ok;
      else if (r.code() != actors::errors::shutting_down)
        ++other;
      ++answered;
    });
  n().shutdown();
  // shutdown() returns once every callback ran: acknowledged, or shutting_down.
  EXPECT_EQ(answered.load(), n_calls);
  EXPECT_EQ(other.load(), 0);

  // After shutdown the callback still runs once, with shutting_down.
  auto after = submit_and_wait(n(), make_contact(t1, "late", "q1"));
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.code(), actors::errors::shutting_down);
  status_waiter w;
  n().complete_async(t1, "a1", "c0", resolved(), w.cb());
  EXPECT_EQ(w.get().code(), actors::errors::shutting_down);

  // Every acknowledged contact was journaled: it is back in line after a reopen.
  node_.reset();
  auto again = node::open(options_for(dir_.sub("db")));
  ASSERT_TRUE(again.ok()) << describe(again);
  EXPECT_GE((*again)->recovered().requeued, static_cast<std::uint64_t>(ok.load()));
  EXPECT_LE((*again)->recovered().requeued, static_cast<std::uint64_t>(n_calls));
}

TEST_F(async_calls, blocking_calls_racing_a_shutdown_get_an_answer_or_shutting_down) {
  // Four threads keep making blocking calls while the node shuts down: each call
  // returns (ok, or shutting_down / an error), none touches a stopped system.
  std::atomic<bool> go{true};
  std::atomic<long> answered{0};
  std::atomic<long> refused{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < 4; ++i)
    callers.emplace_back([&, i] {
      while (go) {
        auto code = i % 2 == 0 ? n().stats(t1).code() : n().find_agent(t1, "a1").code();
        (code == errc::none ? answered : refused).fetch_add(1);
        if (code == actors::errors::shutting_down)
          break;
      }
    });
  while (answered.load() < 20)
    std::this_thread::yield();
  n().shutdown();
  go = false;
  for (auto& t : callers)
    t.join();
  EXPECT_GE(answered.load(), 20);
  // After shutdown every call is refused at once.
  EXPECT_EQ(n().stats(t1).code(), actors::errors::shutting_down);
  EXPECT_EQ(n().login(t1, "a1").code(), actors::errors::shutting_down);
}

}  // namespace
}  // namespace switchboard::testing
