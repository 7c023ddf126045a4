// SPDX-License-Identifier: MIT
#include "resolve/dns_message.hpp"

#include <algorithm>

namespace sockkit::dns {
namespace {

constexpr std::uint16_t kClassIn = 1;
constexpr std::size_t kHeader = 12;
constexpr std::size_t kMaxPointerHops = 64;  // a name has at most 127 labels; pointers are fewer

std::string_view without_final_dot(std::string_view name) noexcept {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return name;
}

char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

bool label_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

/// Bounds-checked reads of a message.
class Reader {
 public:
  explicit Reader(std::span<const std::byte> m) noexcept : m_(m) {}
  std::size_t size() const noexcept { return m_.size(); }
  bool u8(std::size_t at, std::uint8_t& v) const noexcept {
    if (at >= m_.size()) return false;
    v = static_cast<std::uint8_t>(m_[at]);
    return true;
  }
  bool u16(std::size_t at, std::uint16_t& v) const noexcept {
    std::uint8_t hi, lo;
    if (!u8(at, hi) || !u8(at + 1, lo)) return false;
    v = static_cast<std::uint16_t>(hi << 8 | lo);
    return true;
  }
  bool u32(std::size_t at, std::uint32_t& v) const noexcept {
    std::uint16_t hi, lo;
    if (!u16(at, hi) || !u16(at + 2, lo)) return false;
    v = std::uint32_t{hi} << 16 | lo;
    return true;
  }

  /// Reads the (possibly compressed) name at `at` into `out` as dotted text;
  /// `next` is where the record continues. A label may hold any octet; one
  /// that is not host-name text marks the name as no host name.
  bool name(std::size_t at, NameText* out, std::size_t& next) const noexcept {
    std::size_t pos = at, length = 0, hops = 0;
    bool jumped = false;
    if (out != nullptr) out->host = true;  // `out` may hold an earlier name
    for (;;) {
      std::uint8_t len;
      if (!u8(pos, len)) return false;
      if ((len & 0xc0) == 0xc0) {
        std::uint8_t low;
        if (!u8(pos + 1, low)) return false;
        const std::size_t target = std::size_t(len & 0x3f) << 8 | low;
        if (!jumped) next = pos + 2;
        // Only backwards, and never to where this name started: no loops.
        if (target >= pos || ++hops > kMaxPointerHops) return false;
        pos = target;
        jumped = true;
        continue;
      }
      if ((len & 0xc0) != 0) return false;  // 0x40 / 0x80: obsolete or unknown label types
      if (len == 0) {
        if (!jumped) next = pos + 1;
        if (out != nullptr) out->length = static_cast<std::uint8_t>(length == 0 ? 0 : length - 1);
        return true;
      }
      if (pos + 1 + len > m_.size() || length + len + 1 > kMaxNameText + 1) return false;
      for (std::size_t i = 0; i < len; ++i) {
        const char c = static_cast<char>(m_[pos + 1 + i]);
        if (out == nullptr) continue;
        out->chars[length + i] = c;
        if (!label_char(c)) out->host = false;
      }
      length += len;
      if (out != nullptr) out->chars[length] = '.';
      ++length;
      pos += 1 + len;
    }
  }

 private:
  std::span<const std::byte> m_;
};

struct Record {
  NameText owner;
  std::uint16_t type = 0, klass = 0;
  std::uint32_t ttl = 0;
  std::size_t rdata = 0, rdlength = 0;
};

bool read_record(const Reader& r, std::size_t& pos, Record& rec) noexcept {
  std::size_t next = 0;
  if (!r.name(pos, &rec.owner, next)) return false;
  std::uint16_t rdlength;
  if (!r.u16(next, rec.type) || !r.u16(next + 2, rec.klass) || !r.u32(next + 4, rec.ttl) ||
      !r.u16(next + 8, rdlength))
    return false;
  if (rec.ttl & 0x80000000u) rec.ttl = 0;  // RFC 2181 8: a "negative" TTL means zero
  rec.rdata = next + 10;
  rec.rdlength = rdlength;
  if (rec.rdata + rec.rdlength > r.size()) return false;
  pos = rec.rdata + rec.rdlength;
  return true;
}

/// True if the name read is `name` (a host name: one with other octets never is).
bool is(const NameText& read, std::string_view name) noexcept {
  return read.host && same_name(read.view(), name);
}

/// The header and question of a response to query `id` for (`name`, `type`);
/// `pos` is left after the question.
bool read_question(const Reader& r, std::uint16_t id, std::string_view name, RecordType type,
                   NameText& question, std::size_t& pos) noexcept {
  std::uint16_t got_id, flags, qdcount, qtype, qclass;
  if (!r.u16(0, got_id) || !r.u16(2, flags) || !r.u16(4, qdcount)) return false;
  // A response (QR), a standard query (opcode 0), ours (id), one question.
  if (got_id != id || !(flags & 0x8000) || ((flags >> 11) & 0xf) != 0 || qdcount != 1) return false;
  pos = kHeader;
  if (!r.name(pos, &question, pos) || !r.u16(pos, qtype) || !r.u16(pos + 2, qclass)) return false;
  pos += 4;
  return is(question, name) && qtype == static_cast<std::uint16_t>(type) && qclass == kClassIn;
}

bool is_address_of(const Record& rec, const Answer& answer) noexcept {
  return rec.type == static_cast<std::uint16_t>(answer.type) && rec.klass == kClassIn &&
         is(rec.owner, answer.canonical_name.view());
}

}  // namespace

bool same_name(std::string_view a, std::string_view b) noexcept {
  a = without_final_dot(a);
  b = without_final_dot(b);
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

bool valid_query_name(std::string_view name) noexcept {
  name = without_final_dot(name);
  if (name.empty() || name.size() > kMaxNameText) return false;
  std::size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (!label_char(c) || ++label > 63) {
      return false;
    }
  }
  return label > 0;
}

Result<std::size_t> write_query(std::span<std::byte> out, std::uint16_t id, std::string_view name,
                                RecordType type) noexcept {
  if (!valid_query_name(name)) return failure::malformed_address;
  name = without_final_dot(name);
  const std::size_t need = kHeader + name.size() + 2 + 4;
  if (out.size() < need) return failure::limit_reached;
  auto put = [&](std::size_t at, std::uint8_t v) { out[at] = std::byte{v}; };
  std::fill(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(kHeader), std::byte{0});
  put(0, static_cast<std::uint8_t>(id >> 8));
  put(1, static_cast<std::uint8_t>(id));
  put(2, 0x01);  // RD: the server recurses for us
  put(5, 1);     // QDCOUNT 1
  std::size_t pos = kHeader;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    put(pos++, static_cast<std::uint8_t>(dot - start));
    for (std::size_t i = start; i < dot; ++i)
      put(pos++, static_cast<std::uint8_t>(name[i]));
    start = dot + 1;
  }
  put(pos++, 0);
  put(pos++, static_cast<std::uint8_t>(static_cast<std::uint16_t>(type) >> 8));
  put(pos++, static_cast<std::uint8_t>(type));
  put(pos++, 0);
  put(pos++, kClassIn);
  return pos;
}

std::uint16_t message_id(std::span<const std::byte> message) noexcept {
  std::uint16_t id = 0;
  (void)Reader(message).u16(0, id);
  return id;
}

bool answers_question(std::span<const std::byte> message, std::uint16_t id, std::string_view name,
                      RecordType type) noexcept {
  NameText question;
  std::size_t pos = 0;
  return read_question(Reader(message), id, name, type, question, pos);
}

bool AddressWalk::next(AddressRecord& out) noexcept {
  const Reader r(message_);
  Record rec;
  while (index_ < answer_.answer_records) {
    ++index_;
    // parse_response checked every record of this message already.
    if (!read_record(r, pos_, rec)) return false;
    if (!is_address_of(rec, answer_)) continue;
    out.v6 = answer_.type == RecordType::aaaa;
    out.ttl = rec.ttl;
    const std::size_t length = out.v6 ? 16 : 4;
    for (std::size_t b = 0; b < length; ++b)
      out.bytes[b] = static_cast<std::uint8_t>(message_[rec.rdata + b]);
    return true;
  }
  return false;
}

Result<Answer> parse_response(std::span<const std::byte> message, std::uint16_t id,
                              std::string_view name, RecordType type) noexcept {
  const Reader r(message);
  const auto malformed = make_error_code(failure::dns_malformed_answer);
  std::size_t pos = 0;
  NameText question;
  // An answer to some other question: never believed.
  if (!read_question(r, id, name, type, question, pos)) return malformed;
  std::uint16_t flags, ancount, nscount;
  if (!r.u16(2, flags) || !r.u16(6, ancount) || !r.u16(8, nscount)) return malformed;
  Answer answer;
  answer.rcode = static_cast<Rcode>(flags & 0xf);
  answer.truncated = (flags & 0x0200) != 0;
  answer.canonical_name = question;
  if (answer.truncated) return answer;

  // Every record must be well formed, even those not used.
  const std::size_t answers_at = pos;
  Record rec;
  for (std::size_t i = 0; i < ancount; ++i)
    if (!read_record(r, pos, rec)) return malformed;
  const std::size_t authority_at = pos;
  for (std::size_t i = 0; i < nscount; ++i)
    if (!read_record(r, pos, rec)) return malformed;

  // Follow the CNAME chain from the question's name, in any record order.
  for (bool followed = true; followed;) {
    followed = false;
    pos = answers_at;
    for (std::size_t i = 0; i < ancount; ++i) {
      read_record(r, pos, rec);
      if (rec.type != static_cast<std::uint16_t>(RecordType::cname) || rec.klass != kClassIn ||
          !is(rec.owner, answer.canonical_name.view()))
        continue;
      NameText target;
      std::size_t end = 0;
      if (!r.name(rec.rdata, &target, end) || end != rec.rdata + rec.rdlength) return malformed;
      // The chain goes on with a question for the target, so it must be a name one may ask.
      if (!target.host || !valid_query_name(target.view())) return malformed;
      if (++answer.cname_hops > kMaxCnameHops) return malformed;  // a loop, or too long to trust
      answer.canonical_name = target;
      answer.cname_ttl = std::min(answer.cname_ttl, rec.ttl);
      followed = true;
      break;
    }
  }
  if (answer.cname_hops == 0) answer.cname_ttl = 0;

  answer.answers_at = answers_at;
  answer.answer_records = ancount;
  answer.type = type;
  pos = answers_at;
  for (std::size_t i = 0; i < ancount; ++i) {
    read_record(r, pos, rec);
    if (!is_address_of(rec, answer)) continue;  // other types and owners were not asked
    if (rec.rdlength != (type == RecordType::a ? 4 : 16)) return malformed;
    ++answer.address_count;
  }

  pos = authority_at;
  for (std::size_t i = 0; i < nscount; ++i) {
    read_record(r, pos, rec);
    if (rec.type != static_cast<std::uint16_t>(RecordType::soa) || rec.klass != kClassIn) continue;
    std::size_t at = rec.rdata, after_mname = 0, after_rname = 0;
    std::uint32_t minimum;
    if (!r.name(at, nullptr, after_mname) || !r.name(after_mname, nullptr, after_rname) ||
        after_rname + 20 != rec.rdata + rec.rdlength || !r.u32(after_rname + 16, minimum))
      return malformed;
    answer.negative_ttl = std::min(rec.ttl, minimum);
    break;
  }
  return answer;
}

}  // namespace sockkit::dns
