// `node(id)` and `nodes(ids)`, defined here rather than by the relay plugin so that an id which
// names nothing the viewer can see (malformed, of a type that does not exist such as `Foo` or
// `constructor`, of a type that is not a Node, another user's, deleted) is null for that id alone:
// the relay plugin's own fields decode every id up front, so one bad id failed the whole list.
import { resolveNodes } from '@pothos/plugin-relay';
import { builder } from '../builder.js';
import { badInput } from '../errors.js';
import { decodeGlobalId } from './ids.js';

/** The Node types (checked against the built schema by test/schema/node-ids.test.ts). */
export const NODE_TYPES: ReadonlySet<string> = new Set([
  'ApiKey',
  'Feedback',
  'InterviewSession',
  'JobPosting',
  'Operation',
  'Resume',
  'SessionMessage',
  'User',
]);

/** The decoded id when it names a Node type, else null. Never throws. */
export function nodeIdOf(globalId: string): { typename: string; id: string } | null {
  try {
    const decoded = decodeGlobalId(globalId);
    return NODE_TYPES.has(decoded.typename) ? decoded : null;
  } catch {
    return null;
  }
}

/** Ids per `nodes` call, as GitHub's API allows. */
export const MAX_NODE_IDS = 100;

builder.queryField('node', (t) =>
  t.field({
    type: builder.nodeInterfaceRef(),
    nullable: true,
    authScopes: { viewer: true },
    description: 'The object with this id, or null when it names nothing you can see.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx, info) => {
      const [node] = await resolveNodes(builder, ctx, info, [nodeIdOf(id)]);
      return (node ?? null) as never;
    },
  }),
);

builder.queryField('nodes', (t) =>
  t.field({
    type: [builder.nodeInterfaceRef()],
    nullable: { list: false, items: true },
    authScopes: { viewer: true },
    description: `The objects with these ids (at most ${MAX_NODE_IDS}), in order; null for each id that names nothing you can see.`,
    args: { ids: t.arg.idList({ required: true }) },
    resolve: async (_root, { ids }, ctx, info) => {
      if (ids.length > MAX_NODE_IDS) throw badInputTooMany();
      return (await resolveNodes(builder, ctx, info, ids.map(nodeIdOf))) as never[];
    },
  }),
);

function badInputTooMany() {
  return badInput(`nodes takes at most ${MAX_NODE_IDS} ids`, 'ids');
}
