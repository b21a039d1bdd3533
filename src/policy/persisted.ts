// The persisted-operations manifest: written by codegen (codegen.ts), read once by the server.
import { readFileSync } from 'node:fs';

export const MANIFEST_URL = new URL('../../schema/generated/persisted-documents.json', import.meta.url);

let cached: ReadonlyMap<string, string> | undefined;

/** SHA-256 hex of each document (without the `sha256:` prefix) → the document. */
export function loadManifest(url: URL = MANIFEST_URL): ReadonlyMap<string, string> {
  if (url === MANIFEST_URL && cached) return cached;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(url, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read the persisted operations manifest ${url.pathname}: run \`npm run codegen\``, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${url.pathname} is not a JSON object`);
  const manifest = new Map<string, string>();
  for (const [hash, document] of Object.entries(parsed)) {
    // codegen writes `sha256:<hex>` (what its documents carry in `__meta__.hash`); clients may send either form.
    if (typeof document === 'string') manifest.set(hash.replace(/^sha256:/, ''), document);
  }
  if (url === MANIFEST_URL) cached = manifest;
  return manifest;
}
