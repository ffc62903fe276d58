#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "actors/cluster.h"
#include "engine/error.h"
#include "engine/profiles.h"

/// Where the calls of a tenant split into several domains go (docs/cluster.md,
/// "Split tenants"). Each domain runs on its owner as a tenant of the domain's id;
/// this maps a tenant's call to that id by its queue, its agent or its contact,
/// and a domain's events back to the tenant. Thread-safe; no CAF in it.
namespace switchboard::actors::cluster_detail {

class domain_map {
 public:
  explicit domain_map(std::map<std::string, std::vector<tenant_domain>> splits);

  /// The tenant's domains, the default first; nullptr when it is not split.
  [[nodiscard]] const std::vector<tenant_domain>* split(const std::string& tenant) const;
  /// The split tenant a domain belongs to; nullopt for a domain that is not part
  /// of a split (its id is its tenant's).
  [[nodiscard]] std::optional<std::string> tenant_of(const std::string& domain) const;

  /// The domain that routes `queue`'s contacts: the one listing it, else the
  /// default. `tenant` itself when it is not split.
  [[nodiscard]] std::string queue_domain(const std::string& tenant,
                                         const std::string& queue) const;
  /// The domain an agent with these skills works in: the one listing one of them,
  /// else the default. invalid_argument when its skills are listed by two domains
  /// (one agent's capacity cannot be shared by two owners).
  [[nodiscard]] engine::result<std::string> skills_domain(const engine::agent_profile& a) const;
  /// ok, or invalid_argument when `q` (in `domain`) could never be served there:
  /// it requires a skill another domain lists (so no agent here has it), or it
  /// overflows to a queue of another domain.
  [[nodiscard]] engine::status check_queue(const std::string& domain,
                                           const engine::queue_config& q) const;

  /// A probe of one domain: ok when that domain knows the thing looked for.
  using probe = std::function<engine::status(const std::string& domain)>;
  /// The domain that knows `agent` of split `tenant`: the cached one, else the
  /// first of the tenant's domains whose probe says ok (then cached). When none
  /// does: the default domain (whose calls then say unknown_agent), or the first
  /// error other than `not_found` a probe gave (a domain could not be asked).
  [[nodiscard]] engine::result<std::string> agent_domain(const std::string& tenant,
                                                         const std::string& agent,
                                                         const probe& knows);
  /// The same for a contact (`not_found`: unknown_contact).
  [[nodiscard]] engine::result<std::string> contact_domain(const std::string& tenant,
                                                           const std::string& contact,
                                                           const probe& knows);
  void note_agent(const std::string& tenant, const std::string& agent, const std::string& domain);
  void note_contact(const std::string& tenant, const std::string& contact,
                    const std::string& domain);
  void forget_contact(const std::string& tenant, const std::string& contact);

  /// How many (tenant, id) -> domain entries each cache keeps before it
  /// starts again (a miss costs a probe per domain, never a wrong answer).
  static constexpr std::size_t max_cached = 1u << 18;

 private:
  using key = std::pair<std::string, std::string>;
  engine::result<std::string> find(std::map<key, std::string>& cache, const std::string& tenant,
                                   const std::string& id, engine::errc not_found,
                                   const probe& knows);

  std::map<std::string, std::vector<tenant_domain>> splits_;
  std::map<std::string, std::string> tenant_of_;  ///< domain -> split tenant
  mutable std::mutex mutex_;
  std::map<key, std::string> agents_;
  std::map<key, std::string> contacts_;
};

}  // namespace switchboard::actors::cluster_detail
