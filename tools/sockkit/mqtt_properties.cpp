// SPDX-License-Identifier: MIT
// -D and -F of `sockkit mqtt`, word for word as mosquitto_pub and
// mosquitto_sub take them, so the same command line works with either tool.
#include "mqtt_properties.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <tuple>

namespace sockkit::cli {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

/// A whole decimal number within [0, max].
std::optional<std::uint32_t> number(const std::string& text, std::uint32_t max) {
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

/// One -D: COMMAND IDENTIFIER VALUE, or COMMAND user-property NAME VALUE.
class PropertyReader {
 public:
  PropertyReader(MqttProperties& out, std::string& error) : out_(out), error_(error) {}

  bool read(const std::vector<std::string>& words, const std::string& role) {
    const std::string command = lower(words[0]);
    const std::string& id = words[1];
    const bool pair = id == "user-property";
    if (words.size() != (pair ? 4u : 3u))
      return fail(pair ? "user-property takes a name and a value" : id + " takes one value");
    const std::string& value = words.back();
    const bool allowed = command == "connect" || command == "will" || command == "disconnect" ||
                         (role == "pub" && command == "publish") ||
                         (role == "sub" && command == "subscribe");
    if (!allowed) return fail("mqtt " + role + " takes no properties for " + words[0]);
    out_.any = true;
    if (command == "connect") return connect(id, pair ? words[2] : value, value);
    if (command == "disconnect" || command == "subscribe") {
      if (pair) {
        (command == "disconnect" ? out_.disconnect_user : out_.subscribe_user)
            .emplace_back(words[2], value);
        return true;
      }
      if (command == "disconnect" || id != "subscription-identifier")
        return fail(id + " of subscribe is not one sockkit sends");
      return set(out_.subscription_id, value, 268'435'455, id, 1);
    }
    auto& utf8 = command == "will" ? out_.will.payload_utf8 : out_.payload_utf8;
    auto& content_type = command == "will" ? out_.will.content_type : out_.content_type;
    auto& response_topic = command == "will" ? out_.will.response_topic : out_.response_topic;
    auto& correlation = command == "will" ? out_.will.correlation_data : out_.correlation_data;
    auto& expiry = command == "will" ? out_.will.expiry : out_.expiry;
    if (pair) {
      (command == "will" ? out_.will.user_properties : out_.publish_user)
          .emplace_back(words[2], value);
      return true;
    }
    if (id == "payload-format-indicator") {
      std::uint32_t v = 0;
      if (!set(v, value, 1, id)) return false;
      utf8 = v == 1;
      return true;
    }
    if (id == "message-expiry-interval") {
      std::uint32_t v = 0;
      if (!set(v, value, 0xffffffff, id, 1)) return false;
      expiry = std::chrono::seconds(v);
      return true;
    }
    if (id == "content-type") return assign(content_type, value);
    if (id == "response-topic") return assign(response_topic, value);
    if (id == "correlation-data") return assign(correlation, value);
    if (command == "will" && id == "will-delay-interval") {
      std::uint32_t v = 0;
      if (!set(v, value, 0xffffffff, id)) return false;
      out_.will.delay = std::chrono::seconds(v);
      return true;
    }
    return fail(id + " of " + command + " is not one sockkit sends" +
                (id == "topic-alias" ? " (it picks topic aliases itself)" : ""));
  }

 private:
  bool connect(const std::string& id, const std::string& name, const std::string& value) {
    if (id == "user-property") {
      out_.connect_user.emplace_back(name, value);
      return true;
    }
    std::uint32_t v = 0;
    if (id == "session-expiry-interval") {
      if (!set(v, value, 0xffffffff, id)) return false;
      out_.session_expiry = v;
    } else if (id == "receive-maximum") {
      if (!set(v, value, 65535, id, 1)) return false;
      out_.receive_maximum = static_cast<std::uint16_t>(v);
    } else if (id == "topic-alias-maximum") {
      if (!set(v, value, 65535, id)) return false;
      out_.topic_alias_maximum = static_cast<std::uint16_t>(v);
    } else if (id == "maximum-packet-size") {
      if (!set(v, value, 0xffffffff, id, 16)) return false;
      out_.maximum_packet_size = v;
    } else if (id == "request-response-information") {
      if (!set(v, value, 1, id)) return false;
      out_.request_response_information = v == 1;
    } else if (id == "request-problem-information") {
      if (!set(v, value, 1, id)) return false;
      out_.request_problem_information = v == 1;
    } else {
      return fail(id + " of connect is not one sockkit sends");
    }
    return true;
  }
  bool set(std::uint32_t& slot, const std::string& value, std::uint32_t max, const std::string& id,
           std::uint32_t min = 0) {
    const auto v = number(value, max);
    if (!v || *v < min)
      return fail(id + " must be a number from " + std::to_string(min) + " to " +
                  std::to_string(max) + ", got '" + value + "'");
    slot = *v;
    return true;
  }
  bool assign(std::string& slot, const std::string& value) {
    slot = value;
    return true;
  }
  bool fail(std::string why) {
    error_ = std::move(why);
    return false;
  }

  MqttProperties& out_;
  std::string& error_;
};

void hex(std::string& out, std::span<const std::byte> bytes, bool upper) {
  static constexpr char kLower[] = "0123456789abcdef", kUpper[] = "0123456789ABCDEF";
  const char* digits = upper ? kUpper : kLower;
  for (auto b : bytes) {
    const auto v = std::to_integer<unsigned>(b);
    out += digits[v >> 4];
    out += digits[v & 15];
  }
}

}  // namespace

mqtt::PublishProperties MqttProperties::publish() {
  publish_user_views.clear();
  for (const auto& [name, value] : publish_user)
    publish_user_views.push_back({name, value});
  return {.expiry = expiry,
          .payload_utf8 = payload_utf8,
          .content_type = content_type,
          .response_topic = response_topic,
          .correlation_data = std::as_bytes(std::span(correlation_data)),
          .user_properties = publish_user_views};
}

void MqttProperties::apply(mqtt::Options& settings) const {
  if (!any) return;
  settings.version = mqtt::Version::v5;
  settings.user_properties = connect_user;
  if (session_expiry) settings.session_expiry = std::chrono::seconds(*session_expiry);
  if (maximum_packet_size) settings.max_packet_size = *maximum_packet_size;
  if (receive_maximum) settings.receive_maximum = *receive_maximum;
  if (topic_alias_maximum) settings.topic_alias_maximum = *topic_alias_maximum;
  if (request_response_information)
    settings.request_response_information = *request_response_information;
  if (request_problem_information)
    settings.request_problem_information = *request_problem_information;
  if (settings.will) {
    auto& w = *settings.will;
    w.delay = will.delay;
    w.expiry = will.expiry;
    w.payload_utf8 = will.payload_utf8;
    w.content_type = will.content_type;
    w.response_topic = will.response_topic;
    w.correlation_data = will.correlation_data;
    w.user_properties = will.user_properties;
  }
}

std::optional<MqttProperties> parse_properties(const std::vector<std::vector<std::string>>& given,
                                               const std::string& role, std::string& error) {
  MqttProperties out;
  PropertyReader reader(out, error);
  for (const auto& words : given)
    if (!reader.read(words, role)) return std::nullopt;
  return out;
}

std::optional<HttpProxy> parse_proxy_url(const std::string& url, std::string& error) {
  std::string_view rest = url;
  if (!rest.starts_with("http://")) {
    error = "only HTTP proxies are supported: http://[user[:password]@]host[:port]";
    return std::nullopt;
  }
  rest.remove_prefix(7);
  if (rest.ends_with('/')) rest.remove_suffix(1);
  HttpProxy proxy;
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view credentials = rest.substr(0, at);
    const auto colon = credentials.find(':');
    proxy.user = std::string(credentials.substr(0, colon));
    if (colon != std::string_view::npos)
      proxy.password = std::string(credentials.substr(colon + 1));
    rest.remove_prefix(at + 1);
  }
  proxy.address = std::string(rest);
  const auto close = rest.rfind(']');
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || (close != std::string_view::npos && colon < close))
    proxy.address += ":80";
  if (!check_http_proxy(proxy)) {
    error = "'" + url + "' names no usable proxy";
    return std::nullopt;
  }
  return proxy;
}

std::optional<MqttUrl> parse_mqtt_url(const std::string& url, std::string& error) {
  MqttUrl out;
  std::string_view rest = url;
  for (const auto& [scheme, tls, websocket] :
       {std::tuple{"mqtt://", false, false}, std::tuple{"mqtts://", true, false},
        std::tuple{"ws://", false, true}, std::tuple{"wss://", true, true}}) {
    if (!rest.starts_with(scheme)) continue;
    rest.remove_prefix(std::string_view(scheme).size());
    out.tls = tls;
    out.websocket = websocket;
    break;
  }
  if (rest.size() == url.size()) {
    error = "the URL must start with mqtt://, mqtts://, ws:// or wss://";
    return std::nullopt;
  }
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) {
    error = "the URL names no topic: mqtt(s)://[user[:password]@]host[:port]/topic";
    return std::nullopt;
  }
  out.topic = std::string(rest.substr(slash + 1));
  std::string_view authority = rest.substr(0, slash);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view credentials = authority.substr(0, at);
    const auto colon = credentials.find(':');
    out.user = std::string(credentials.substr(0, colon));
    if (colon != std::string_view::npos) out.password = std::string(credentials.substr(colon + 1));
    authority.remove_prefix(at + 1);
  }
  std::string_view port;
  if (authority.starts_with('[')) {  // [v6]:port
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "an IPv6 address in the URL lacks its ']'";
      return std::nullopt;
    }
    out.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (authority.starts_with(':')) port = authority.substr(1);
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    out.host = std::string(authority.substr(0, colon));
    port = authority.substr(colon + 1);
  } else {
    out.host = std::string(authority);
  }
  out.port = out.websocket ? (out.tls ? 443 : 80) : (out.tls ? 8883 : 1883);
  if (!port.empty()) {
    const auto n = number(std::string(port), 65535);
    if (!n || *n == 0) {
      error = "the URL's port must be 1 to 65535, got '" + std::string(port) + "'";
      return std::nullopt;
    }
    out.port = static_cast<int>(*n);
  }
  if (out.host.empty() || out.topic.empty()) {
    error = out.host.empty() ? "the URL names no host" : "the URL names no topic";
    return std::nullopt;
  }
  return out;
}

std::string check_format(const std::string& format) {
  for (std::size_t i = 0; i + 1 < format.size(); ++i) {
    if (format[i] == '@') return "-F: @ time fields are not supported by sockkit";
    if (format[i] != '%') continue;
    const char field = format[++i];
    if (std::string_view("%tpqrlxXCDEFPRS").find(field) == std::string_view::npos)
      return std::string("-F: %") + field + " is not supported by sockkit";
  }
  return {};
}

std::string format_message(const std::string& format, const mqtt::Message& m) {
  std::string out;
  for (std::size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if (c == '\\' && i + 1 < format.size()) {
      const char e = format[++i];
      out += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'e' ? '\x1b' : e == '0' ? '\0' : e;
      continue;
    }
    if (c != '%' || i + 1 >= format.size()) {
      out += c;
      continue;
    }
    switch (format[++i]) {
      case '%':
        out += '%';
        break;
      case 't':
        out += m.topic;
        break;
      case 'p':
        out += m.text();
        break;
      case 'q':
        out += std::to_string(static_cast<int>(m.qos));
        break;
      case 'r':
        out += m.retain ? '1' : '0';
        break;
      case 'l':
        out += std::to_string(m.payload.size());
        break;
      case 'x':
      case 'X':
        hex(out, m.payload, format[i] == 'X');
        break;
      case 'C':
        out += m.content_type;
        break;
      case 'D':
        out.append(reinterpret_cast<const char*>(m.correlation_data.data()),
                   m.correlation_data.size());
        break;
      case 'E':
        if (m.expiry) out += std::to_string(m.expiry->count());
        break;
      case 'F':
        if (m.payload_utf8) out += '1';
        break;
      case 'P': {
        bool first = true;
        for (const auto& [name, value] : m.user_properties) {
          if (!first) out += ' ';
          first = false;
          out.append(name).append(":").append(value);
        }
        break;
      }
      case 'R':
        out += m.response_topic;
        break;
      case 'S': {
        bool first = true;
        for (std::uint32_t id : m.subscription_ids) {
          if (!first) out += ',';
          first = false;
          out += std::to_string(id);
        }
        break;
      }
      default:
        break;  // check_format() refused it before any message came
    }
  }
  return out;
}

}  // namespace sockkit::cli
