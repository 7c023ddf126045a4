// SPDX-License-Identifier: MIT
// Which host a certificate names, by one rule on every TLS backend (RFC 9525,
// as OpenSSL applies it with partial wildcards off): the backends' own checks
// disagreed, and a client must not accept on one what it refuses on another.
#pragma once

#include <string_view>

namespace sockkit::transport::tls {

/// `name` as SNI carries it and certificates are checked against it: without
/// its one final dot ("localhost." is "localhost"; RFC 6066 §3).
std::string_view without_final_dot(std::string_view name) noexcept;

/// True if the certificate's DNS name `pattern` names `host`. Letters compare
/// without case. A wildcard is only the whole leftmost label ("*.example.com"),
/// stands for exactly one non-empty label, and needs two labels after it: "*.test"
/// names no host but itself, "f*.example.com" only itself.
bool dns_name_matches(std::string_view pattern, std::string_view host) noexcept;

}  // namespace sockkit::transport::tls
