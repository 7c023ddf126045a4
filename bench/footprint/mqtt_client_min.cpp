// SPDX-License-Identifier: MIT
// The smallest MQTT client a meter runs: a name-resolved broker, a persistent
// session, QoS 1 readings every minute, the outbox in RAM, on the event loop
// (poll backend). bench/footprint.sh measures it and splits it into sockkit,
// its MQTT layer, lwIP and the C/C++ runtime.
#include <sockkit/sockkit.hpp>

namespace {
struct Meter : sockkit::mqtt::Handler {};
}  // namespace

int main() {
  if (!sockkit::start_stack()) return 1;  // lwIP: starts it; Linux: nothing to do
  using namespace std::chrono_literals;
  auto loop = sockkit::EventLoop::create({.backend = sockkit::Backend::poll});
  if (!loop) return 1;
  Meter meter;
  auto client = sockkit::mqtt::Client::create(
      *loop, {.target = "broker.example:1883", .client_id = "meter-17", .clean_session = false},
      meter);
  if (!client) return 1;
  client->start();
  (void)loop->add_repeating_timer(60s, [&] {
    (void)client->publish("meters/17/energy", "1234.5", sockkit::mqtt::QoS::at_least_once);
  });
  return loop->run() ? 0 : 1;
}
