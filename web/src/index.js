// Carries the page's query string (tenant, key, token) over to the linked pages.
const search = window.location.search;
if (search) {
  for (const a of document.querySelectorAll('nav a[href]')) a.search = search;
}
