// Runs the pipeline of codegen.ts in process and compares or writes its outputs.
import { generate } from '@graphql-codegen/cli';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface GeneratedFile {
  /** Path relative to the repository root. */
  path: string;
  content: string;
}

/** What codegen.ts generates from the current code, without writing anything. */
export async function renderGenerated(): Promise<GeneratedFile[]> {
  const { default: config } = await import('../../codegen.js');
  // generate()'s declared return type is loose (it also serves watch mode); this is its non-watch shape.
  const outputs = (await generate({ ...config, cwd: ROOT }, false)) as { filename: string; content: string }[];
  return outputs
    .map((o): GeneratedFile => ({ path: relative(ROOT, resolve(ROOT, o.filename)), content: o.content }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** The generated files whose committed copy differs from what the code generates now. */
export function staleFiles(files: GeneratedFile[]): string[] {
  return files
    .filter((file) => {
      try {
        return readFileSync(resolve(ROOT, file.path), 'utf8') !== file.content;
      } catch {
        return true; // Missing counts as stale.
      }
    })
    .map((file) => file.path);
}

export function writeGenerated(files: GeneratedFile[]): void {
  for (const file of files) {
    const target = resolve(ROOT, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }
}
