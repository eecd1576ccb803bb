// Writes a gzip copy next to every text asset of dist/ (name.js -> name.js.gz): the gateway
// sends it to browsers that accept gzip, so the console ships compressed without the gateway
// compressing anything per request.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, constants } from 'node:zlib';

const root = new URL('../dist/', import.meta.url).pathname;
const TEXT = /\.(js|css|html|svg|json|txt)$/;
let files = 0;
let before = 0;
let after = 0;

function walk(folder) {
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (TEXT.test(name)) {
      const body = readFileSync(path);
      const packed = gzipSync(body, { level: constants.Z_BEST_COMPRESSION });
      if (packed.length < body.length) {
        writeFileSync(`${path}.gz`, packed);
        files += 1;
        before += body.length;
        after += packed.length;
      }
    }
  }
}

walk(root);
console.log(`gzip: ${files} files, ${Math.round(before / 1024)} KB -> ${Math.round(after / 1024)} KB`);
