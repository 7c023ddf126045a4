// SPDX-License-Identifier: MIT
// The DNS wire format (RFC 1035) for a stub resolver: one query out, one
// answer in. Nothing here allocates or trusts the bytes it reads: every
// length is checked against the message, compression pointers may only point
// backwards (so a loop cannot exist), and a CNAME chain is followed for at
// most kMaxCnameHops names.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "sockkit/result.hpp"

namespace sockkit::dns {

enum class RecordType : std::uint16_t { a = 1, cname = 5, soa = 6, aaaa = 28 };

enum class Rcode : std::uint8_t {
  no_error = 0,
  format_error = 1,
  server_failure = 2,
  name_error = 3,  ///< NXDOMAIN
  not_implemented = 4,
  refused = 5,
};

inline constexpr std::size_t kMaxNameText = 253;    ///< "a.b.c" without the final dot
inline constexpr std::size_t kMaxUdpMessage = 512;  ///< without EDNS (RFC 1035 4.2.1)
inline constexpr std::size_t kMaxQuery = 12 + 255 + 4;
inline constexpr std::size_t kMaxCnameHops = 32;  ///< glibc follows chains of 20 and more

/// A name as text, kept inside the answer (no allocation). A label may hold
/// any octet (RFC 2181 11), a dot included; such a name is not a host name
/// and never equals one.
struct NameText {
  std::array<char, kMaxNameText + 1> chars{};
  std::uint8_t length = 0;
  bool host = true;  ///< every label is host-name text: the name can be asked for
  std::string_view view() const noexcept { return {chars.data(), length}; }
};

/// One A or AAAA record of the answer.
struct AddressRecord {
  std::array<std::uint8_t, 16> bytes{};
  bool v6 = false;
  std::uint32_t ttl = 0;  ///< seconds
};

/// What a response says about the question it answers.
struct Answer {
  Rcode rcode = Rcode::no_error;
  bool truncated = false;  ///< TC: ask again over TCP; nothing else here is trustworthy
  /// Every A or AAAA record of the canonical name; AddressWalk reads them.
  std::size_t address_count = 0;
  /// Where the answer section starts, and its record count (for AddressWalk).
  std::size_t answers_at = 0;
  std::uint16_t answer_records = 0;
  RecordType type = RecordType::a;
  /// The name the addresses belong to: the question, or the end of its CNAME chain.
  NameText canonical_name{};
  std::size_t cname_hops = 0;
  std::uint32_t cname_ttl = 0xffffffff;  ///< lowest TTL along the chain
  /// RFC 2308: how long a negative answer (NXDOMAIN or no data) may be cached,
  /// min(SOA TTL, SOA MINIMUM); 0 when the server gave no SOA.
  std::uint32_t negative_ttl = 0;
  /// No error, no address, but a CNAME chain: its end must be asked for.
  bool chain_continues() const noexcept { return address_count == 0 && cname_hops > 0; }
};

/// The address records of an answer, read in message order from the message
/// it was parsed from (all of them: an answer over TCP may hold thousands).
class AddressWalk {
 public:
  AddressWalk(std::span<const std::byte> message, const Answer& answer) noexcept
      : message_(message), answer_(answer), pos_(answer.answers_at) {}
  /// The next record, or false after the last.
  bool next(AddressRecord& out) noexcept;

 private:
  std::span<const std::byte> message_;
  const Answer& answer_;
  std::size_t pos_;
  std::size_t index_ = 0;
};

/// True if `name` can be asked for: labels of 1…63 letters, digits, '-' or '_',
/// at most 253 characters, one optional final dot.
bool valid_query_name(std::string_view name) noexcept;

/// Writes a recursive query for `name` into `out` (kMaxQuery bytes suffice).
/// failure::malformed_address for a name valid_query_name refuses.
Result<std::size_t> write_query(std::span<std::byte> out, std::uint16_t id, std::string_view name,
                                RecordType type) noexcept;

/// The query id of a message (0 if it is shorter than a header).
std::uint16_t message_id(std::span<const std::byte> message) noexcept;

/// True if `message` is a response to query `id` for (`name`, `type`): an
/// answer to this question, usable or not. Anything else is not ours to act on.
bool answers_question(std::span<const std::byte> message, std::uint16_t id, std::string_view name,
                      RecordType type) noexcept;

/// Parses the response to query `id` for (`name`, `type`). failure::dns_malformed_answer
/// for anything that is not a well-formed response to exactly that question.
Result<Answer> parse_response(std::span<const std::byte> message, std::uint16_t id,
                              std::string_view name, RecordType type) noexcept;

/// ASCII case-insensitive comparison of two names, ignoring a final dot on either.
bool same_name(std::string_view a, std::string_view b) noexcept;

}  // namespace sockkit::dns
