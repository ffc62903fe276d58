#include "net/internal/static_files.h"

#include <filesystem>
#include <system_error>
#include <vector>

namespace switchboard::net::internal {

namespace {

namespace fs = std::filesystem;

int hex(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size())
      return std::nullopt;
    int hi = hex(s[i + 1]);
    int lo = hex(s[i + 2]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

bool inside(const fs::path& root, const fs::path& p) {
  auto r = root.native();
  auto s = p.native();
  return s.size() > r.size() && s.compare(0, r.size(), r) == 0 && s[r.size()] == '/';
}

}  // namespace

std::string_view target_path(std::string_view target) {
  auto q = target.find_first_of("?#");
  return q == std::string_view::npos ? target : target.substr(0, q);
}

std::optional<std::string> resolve_static(const std::string& root, std::string_view target) {
  if (root.empty())
    return std::nullopt;
  auto decoded = percent_decode(target_path(target));
  if (!decoded || decoded->empty() || decoded->front() != '/')
    return std::nullopt;
  std::string path = *decoded;
  if (path == "/")
    path = "/index.html";
  else if (path == "/agent" || path == "/wallboard" || path == "/chat")
    path += ".html";
  std::vector<std::string> segments;
  std::size_t start = 1;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string::npos)
      end = path.size();
    auto seg = path.substr(start, end - start);
    // Empty segments ("//"), dot segments and hidden names never name a page.
    if (seg.empty() || seg.front() == '.')
      return std::nullopt;
    for (char c : seg)
      if (c == '\\' || c == '\0' || static_cast<unsigned char>(c) < 0x20)
        return std::nullopt;
    segments.push_back(std::move(seg));
    start = end + 1;
  }
  std::error_code ec;
  auto base = fs::canonical(root, ec);
  if (ec)
    return std::nullopt;
  fs::path p = base;
  for (const auto& s : segments)
    p /= s;
  // Symlinks may point anywhere: resolve and check we are still under the root.
  auto real = fs::canonical(p, ec);
  if (ec || !inside(base, real) || !fs::is_regular_file(real, ec))
    return std::nullopt;
  return real.string();
}

std::string_view content_type(std::string_view path) {
  struct entry {
    std::string_view ext;
    std::string_view type;
  };
  static constexpr entry types[] = {
    {".html", "text/html; charset=utf-8"},
    {".htm", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".ico", "image/x-icon"},
    {".webp", "image/webp"},
    {".woff", "font/woff"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".map", "application/json"},
    {".wasm", "application/wasm"},
  };
  auto dot = path.rfind('.');
  auto slash = path.rfind('/');
  if (dot != std::string_view::npos && (slash == std::string_view::npos || dot > slash)) {
    auto ext = path.substr(dot);
    for (const auto& t : types)
      if (ext == t.ext)
        return t.type;
  }
  return "application/octet-stream";
}

}  // namespace switchboard::net::internal
