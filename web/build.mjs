// Builds the pages: copies src/ into dist/ (the directory `switchboard serve` serves
// as its webDir). Plain ES modules need no bundling; dist/ is rebuilt from scratch.
import { cpSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
let files = 0;
for (const name of readdirSync(src)) {
  if (!/\.(html|js|css|svg|ico|json|png)$/.test(name)) continue;
  cpSync(join(src, name), join(dist, name));
  files += 1;
}
const bytes = readdirSync(dist).reduce((n, f) => n + statSync(join(dist, f)).size, 0);
console.log(`web: built ${files} files (${bytes} bytes) into ${dist}`);
