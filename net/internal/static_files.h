#pragma once

#include <optional>
#include <string>
#include <string_view>

/// Static pages: mapping request targets to files under the web directory.
namespace switchboard::net::internal {

/// The file under `root` that `target` names, or nullopt when there is none or
/// the target tries to leave `root` (`..`, encoded or not, backslashes, NUL,
/// hidden names, symlinks pointing outside). `/` is index.html; `/agent`,
/// `/wallboard` and `/chat` are the pages of the same names plus `.html`.
std::optional<std::string> resolve_static(const std::string& root, std::string_view target);

/// The Content-Type of a file by its extension (application/octet-stream when unknown).
std::string_view content_type(std::string_view path);

/// The path of a request target: without query and fragment.
std::string_view target_path(std::string_view target);

}  // namespace switchboard::net::internal
