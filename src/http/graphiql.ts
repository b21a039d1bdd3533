// GraphiQL that works offline. Yoga's default page loads GraphiQL from a CDN, so without a network it
// stays blank; here the page and its assets (script, styles, Monaco's workers, icon) come from
// @graphql-yoga/render-graphiql in node_modules, served under /graphiql/assets/<hash>/ with a long
// cache life, and the page opens with the frontend's operations (schema/operations/) as tabs.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import {
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  parse,
  typeFromAST,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';

export const GRAPHIQL_ASSETS_PREFIX = '/graphiql/assets/';
const OPERATIONS_DIR = new URL('../../schema/operations/', import.meta.url);
/** The tabs GraphiQL opens with: runnable without variables first, then the rest by name. */
const FIRST_TABS = ['Viewer', 'SessionsList', 'JobPostings', 'Resumes'];

interface Asset {
  body: string | Uint8Array<ArrayBuffer>;
  contentType: string;
}

interface Assets {
  /** Changes with the package's content, so the assets can be cached for good. */
  base: string;
  files: Map<string, Asset>;
}

let loading: Promise<Assets> | undefined;

/** Loaded on first use: the bundle is 9 MB of strings that a server without GraphiQL never needs. */
function assets(): Promise<Assets> {
  loading ??= import('@graphql-yoga/render-graphiql/graphiql').then((bundle) => {
    const hash = createHash('sha256').update(bundle.js).update(bundle.css).digest('hex').slice(0, 12);
    const js = 'application/javascript; charset=utf-8';
    const [, iconType = 'image/x-icon', iconData = ''] = /^data:([^;]+);base64,(.*)$/s.exec(bundle.favicon) ?? [];
    return {
      base: `${GRAPHIQL_ASSETS_PREFIX}${hash}/`,
      files: new Map<string, Asset>([
        ['graphiql.js', { body: bundle.js, contentType: js }],
        ['graphiql.css', { body: bundle.css, contentType: 'text/css; charset=utf-8' }],
        ['editor.worker.js', { body: bundle.editorWorkerService, contentType: js }],
        ['json.worker.js', { body: bundle.jsonWorker, contentType: js }],
        ['graphql.worker.js', { body: bundle.graphqlWorker, contentType: js }],
        ['favicon.ico', { body: new Uint8Array(Buffer.from(iconData, 'base64')), contentType: iconType }],
      ]),
    };
  });
  return loading;
}

/** Serves GET /graphiql/assets/<hash>/<file>; a stale hash is a 404 so no old page mixes versions. */
export function useGraphiqlAssets(): Plugin {
  return {
    async onRequest({ url, request, endResponse, fetchAPI }) {
      if (request.method !== 'GET' || !url.pathname.startsWith(GRAPHIQL_ASSETS_PREFIX)) return;
      const { base, files } = await assets();
      const file = url.pathname.startsWith(base) ? files.get(url.pathname.slice(base.length)) : undefined;
      if (!file) {
        endResponse(new fetchAPI.Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } }));
        return;
      }
      endResponse(
        new fetchAPI.Response(file.body, {
          headers: { 'content-type': file.contentType, 'cache-control': 'public, max-age=31536000, immutable' },
        }),
      );
    },
  };
}

/** Yoga's `renderGraphiQL`: the same page as @graphql-yoga/render-graphiql, with assets by URL instead of inline. */
export async function renderGraphiQL(options: GraphiQLOptions): Promise<string> {
  const { base } = await assets();
  const workers = { editorWorkerService: 'editor.worker.js', json: 'json.worker.js', graphql: 'graphql.worker.js' };
  const workerUrls = Object.fromEntries(Object.entries(workers).map(([label, file]) => [label, `${base}${file}`]));
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(options.title ?? 'GraphiQL')}</title>
    <link rel="icon" href="${base}favicon.ico" />
    <link rel="stylesheet" href="${base}graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run GraphiQL.</noscript>
    <div id="root"></div>
    <script>
      const workerUrls = ${scriptJson(workerUrls)};
      self.MonacoEnvironment = {
        globalAPI: false,
        getWorkerUrl: (moduleId, label) => workerUrls[label] ?? workerUrls.editorWorkerService,
      };
    </script>
    <script src="${base}graphiql.js"></script>
    <script>
      // Every visit starts from the examples: GraphiQL 5 restores saved tabs with an empty editor,
      // and a saved tab could hold a key from an earlier run.
      try {
        for (const key of Object.keys(localStorage)) if (key.startsWith('graphiql:')) localStorage.removeItem(key);
      } catch {}
      YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root'), ${scriptJson(options)});
    </script>
  </body>
</html>`;
}

export interface CadenceGraphiqlOptions {
  schema: GraphQLSchema;
  /** Pre-filled request headers (the demo key); development only, the caller decides. */
  headers?: Record<string, string>;
}

/** GraphiQL's options: the frontend's operations as tabs, each with example variables and the headers. */
export function graphiqlOptions({ schema, headers }: CadenceGraphiqlOptions): GraphiQLOptions {
  const headerText = headers ? JSON.stringify(headers, null, 2) : undefined;
  const tabs = exampleOperations(schema).map(({ document, variables }) => ({
    query: document,
    variables: variables ? JSON.stringify(variables, null, 2) : null,
    headers: headerText ?? null,
  }));
  return {
    title: 'Cadence',
    defaultTabs: tabs,
    ...(headerText ? { headers: headerText, defaultHeaders: headerText } : {}),
    // Keys stay out of the browser's storage.
    shouldPersistHeaders: false,
  };
}

interface ExampleOperation {
  name: string;
  document: string;
  variables: Record<string, unknown> | null;
}

/** schema/operations/*.graphql with variables filled with placeholders of the right shape. */
export function exampleOperations(schema: GraphQLSchema): ExampleOperation[] {
  let files: string[];
  try {
    files = readdirSync(OPERATIONS_DIR).filter((file) => file.endsWith('.graphql'));
  } catch {
    return []; // A build without the operations still serves GraphiQL, just without examples.
  }
  const examples = files.map((file) => {
    const document = readFileSync(new URL(file, OPERATIONS_DIR), 'utf8').trim();
    const operation = parse(document).definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
    const variables: Record<string, unknown> = {};
    for (const definition of operation?.variableDefinitions ?? []) {
      const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
      if (type && isNonNullType(type)) variables[definition.variable.name.value] = placeholder(type, definition.variable.name.value, 0);
    }
    return {
      name: operation?.name?.value ?? file.replace(/\.graphql$/, ''),
      document,
      variables: Object.keys(variables).length ? variables : null,
    };
  });
  const rank = (name: string) => (FIRST_TABS.includes(name) ? FIRST_TABS.indexOf(name) : FIRST_TABS.length);
  return examples.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

/** A value of `type` for a person to edit: required input fields only, ids as a hint of what to paste. */
function placeholder(type: GraphQLInputType, name: string, depth: number): unknown {
  if (isNonNullType(type)) return placeholder(type.ofType, name, depth);
  if (isListType(type)) return [placeholder(type.ofType, name, depth)];
  if (isEnumType(type)) return type.getValues()[0]?.value ?? null;
  if (isInputObjectType(type)) {
    if (depth > 3) return {};
    const fields = Object.values(type.getFields()).filter((field) => isNonNullType(field.type));
    return Object.fromEntries(fields.map((field) => [field.name, placeholder(field.type, field.name, depth + 1)]));
  }
  switch (type.name) {
    case 'ID':
      return `<${name}>`;
    case 'Int':
    case 'Float':
      return 1;
    case 'Boolean':
      return false;
    default:
      return name === 'email' ? 'someone@example.com' : `<${name}>`;
  }
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON inside a <script>: no "</script>" or "<!--" can end it early. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028|\u2029/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
