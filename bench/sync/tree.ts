import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A deterministic tree of `files` files totalling `bytes`, in nested directories: source-like text, every fifth file incompressible. */
export function generateBenchTree(root: string, files: number, bytes: number): void {
  let x = 42;
  const rnd = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff), x / 0x7fffffff);
  const avg = bytes / files;
  let left = bytes;
  for (let i = 0; i < files; i++) {
    const size = i === files - 1 ? left : Math.min(left, Math.floor(rnd() * 2 * avg));
    left -= size;
    const p = join(root, `pkg${i % 20}`, `mod${Math.floor(i / 20) % 25}`, `f${i}.${i % 5 === 0 ? 'bin' : 'ts'}`);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, p.endsWith('.bin') ? randomBytes(size) : Buffer.from(`export const v${i} = ${i};\n`.repeat(Math.ceil(size / 20))).subarray(0, size));
  }
}
