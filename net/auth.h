#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/types.h"
#include "net/options.h"

/// Credentials of edge clients: per-tenant API keys (gateways, supervisors) and
/// signed, expiring agent tokens. OpenSSL underneath; no sockets, no protobuf.
namespace switchboard::net {

/// base64url without padding (RFC 4648 section 5).
std::string base64url_encode(std::string_view bytes);
/// The bytes of unpadded base64url `text`, or nullopt when it is not that.
std::optional<std::string> base64url_decode(std::string_view text);
/// SHA-256 of `bytes`: 32 raw bytes.
std::string sha256(std::string_view bytes);
/// HMAC-SHA256 of `data` under `key`: 32 raw bytes.
std::string hmac_sha256(std::string_view key, std::string_view data);
/// Equality in time independent of where the inputs differ (CRYPTO_memcmp);
/// strings of different lengths are unequal.
bool equal_constant_time(std::string_view a, std::string_view b);
/// `n` bytes from OpenSSL's CSPRNG.
std::string random_bytes(std::size_t n);
/// A random printable secret (base64url of `n` random bytes).
std::string random_secret(std::size_t n = 32);

/// API keys of tenants, held only as SHA-256 hashes. Immutable after
/// construction, so safe to share between threads.
class api_keys {
 public:
  explicit api_keys(const std::vector<tenant_key>& keys);

  /// True when `key` is the API key of `tenant`. The comparison is constant-time
  /// and an unknown tenant costs the same as a wrong key.
  bool verify(std::string_view tenant, std::string_view key) const;
  /// Tenants with a key, sorted.
  std::vector<std::string> tenants() const;
  /// True when `tenant` has a key (is configured).
  bool has(std::string_view tenant) const;

 private:
  std::unordered_map<std::string, std::string> hashes_;  // tenant -> sha256(key)
};

/// What an agent token names.
struct agent_claims {
  std::string tenant;
  std::string agent;
  engine::time_ms expires_ms = 0;  ///< engine clock milliseconds
};

/// Why a token was refused.
enum class token_error { none, forged, expired };

/// Mints and checks agent tokens:
/// `base64url(payload) "." base64url(HMAC-SHA256(secret, payload))` with
/// `payload = "sb1\n" tenant "\n" agent "\n" expires_ms` (decimal). Ids never
/// contain '\n' (they are printable ASCII), so the payload splits unambiguously.
/// Immutable after construction; thread-safe.
class token_signer {
 public:
  /// Minimum secret length in bytes.
  static constexpr std::size_t min_secret = 32;

  /// `secret` should be at least `min_secret` bytes (checked by the config).
  explicit token_signer(std::string secret);

  std::string mint(const agent_claims& c) const;

  struct verdict {
    token_error error = token_error::none;
    agent_claims claims;  ///< valid only when error is none
  };
  /// Checks format and signature first (forged), then expiry at `now` (expired).
  verdict verify(std::string_view token, engine::time_ms now) const;

  /// The resume token of a contact: `base64url(HMAC-SHA256(secret, "sbc1\n" tenant
  /// "\n" contact))`. The payload's prefix differs from an agent token's, so one
  /// kind can never pass for the other. Valid as long as the contact is live (the
  /// node decides that); it carries no expiry of its own.
  std::string mint_resume(std::string_view tenant, std::string_view contact) const;
  /// True when `token` is the resume token of (tenant, contact); constant-time.
  bool verify_resume(std::string_view tenant, std::string_view contact,
                     std::string_view token) const;

 private:
  std::string secret_;
};

}  // namespace switchboard::net
