#include "net/auth.h"

#include <algorithm>
#include <charconv>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdexcept>

namespace switchboard::net {

namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int value_of(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '-')
    return 62;
  if (c == '_')
    return 63;
  return -1;
}

constexpr std::string_view token_version = "sb1";

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    unsigned v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  if (bytes.size() - i == 1) {
    unsigned v = at(i) << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
  } else if (bytes.size() - i == 2) {
    unsigned v = (at(i) << 16) | (at(i + 1) << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1)
    return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  unsigned acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = value_of(c);
    if (v < 0)
      return std::nullopt;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  // Leftover bits must be zero (canonical encoding): one token, one spelling.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
    return std::nullopt;
  return out;
}

std::string sha256(std::string_view bytes) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       reinterpret_cast<unsigned char*>(out.data()), &len);
  out.resize(len);
  return out;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw std::runtime_error("RAND_bytes failed");  // no entropy: nothing safe to do
  return out;
}

std::string random_secret(std::size_t n) {
  return base64url_encode(random_bytes(n));
}

api_keys::api_keys(const std::vector<tenant_key>& keys) {
  for (const auto& k : keys)
    hashes_[k.tenant] = sha256(k.api_key);
}

bool api_keys::verify(std::string_view tenant, std::string_view key) const {
  // Hash first: the work does not depend on whether the tenant exists.
  auto presented = sha256(key);
  static const std::string nothing(SHA256_DIGEST_LENGTH, '\0');
  auto i = hashes_.find(std::string{tenant});
  bool known = i != hashes_.end();
  bool same = equal_constant_time(presented, known ? i->second : nothing);
  return known && same && !key.empty();
}

std::vector<std::string> api_keys::tenants() const {
  std::vector<std::string> out;
  for (const auto& [t, h] : hashes_)
    out.push_back(t);
  std::sort(out.begin(), out.end());
  return out;
}

bool api_keys::has(std::string_view tenant) const {
  return hashes_.count(std::string{tenant}) > 0;
}

token_signer::token_signer(std::string secret) : secret_(std::move(secret)) {}

std::string token_signer::mint(const agent_claims& c) const {
  std::string payload{token_version};
  payload += '\n';
  payload += c.tenant;
  payload += '\n';
  payload += c.agent;
  payload += '\n';
  payload += std::to_string(c.expires_ms);
  return base64url_encode(payload) + "." + base64url_encode(hmac_sha256(secret_, payload));
}

token_signer::verdict token_signer::verify(std::string_view token, engine::time_ms now) const {
  verdict forged{token_error::forged, {}};
  auto dot = token.find('.');
  if (dot == std::string_view::npos || token.size() > 4096)
    return forged;
  auto payload = base64url_decode(token.substr(0, dot));
  auto mac = base64url_decode(token.substr(dot + 1));
  if (!payload || !mac)
    return forged;
  if (!equal_constant_time(*mac, hmac_sha256(secret_, *payload)))
    return forged;
  // Signed by us: the payload has our format, but parse defensively anyway.
  std::vector<std::string_view> parts;
  std::string_view rest{*payload};
  while (true) {
    auto nl = rest.find('\n');
    parts.push_back(rest.substr(0, nl));
    if (nl == std::string_view::npos)
      break;
    rest.remove_prefix(nl + 1);
  }
  if (parts.size() != 4 || parts[0] != token_version)
    return forged;
  agent_claims c;
  c.tenant = std::string{parts[1]};
  c.agent = std::string{parts[2]};
  auto [p, ec] = std::from_chars(parts[3].data(), parts[3].data() + parts[3].size(), c.expires_ms);
  if (ec != std::errc{} || p != parts[3].data() + parts[3].size())
    return forged;
  if (c.expires_ms <= now)
    return {token_error::expired, std::move(c)};
  return {token_error::none, std::move(c)};
}

namespace {

std::string resume_payload(std::string_view tenant, std::string_view contact) {
  std::string p{"sbc1\n"};
  p += tenant;
  p += '\n';
  p += contact;
  return p;
}

}  // namespace

std::string token_signer::mint_resume(std::string_view tenant, std::string_view contact) const {
  return base64url_encode(hmac_sha256(secret_, resume_payload(tenant, contact)));
}

bool token_signer::verify_resume(std::string_view tenant, std::string_view contact,
                                 std::string_view token) const {
  auto mac = token.size() <= 128 ? base64url_decode(token) : std::nullopt;
  // Compare even a malformed token, so the time taken says nothing about it.
  auto expected = hmac_sha256(secret_, resume_payload(tenant, contact));
  return mac && equal_constant_time(*mac, expected);
}

}  // namespace switchboard::net
