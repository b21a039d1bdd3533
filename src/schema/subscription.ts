// Subscription.sessionEvents: a session's live events for its owner, over SSE or WebSocket. The
// session is checked (exists, is the viewer's) before anything subscribes; events carry ids only and
// each delivery reloads its object with a fresh set of loaders, as a query would. The reload is
// shared by the subscribers of the session on this instance that select the same fields
// (src/events/shared-event-load.ts), so an event costs one load per instance, not per subscriber.
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { db } from '../db/client.js';
import { appError, notFound, unauthenticated } from '../errors.js';
import { LiveSubscriptions, type Delivery, type EndReason } from '../events/live-subscriptions.js';
import { sessionEventBus, type SessionEvent } from '../events/session-events.js';
import { sharedEventLoad } from '../events/shared-event-load.js';
import { createLoaders } from '../loaders.js';
import { Feedback } from './feedback.js';
import { encodeGlobalId, parseId } from './ids.js';
import { SessionMessage } from './message.js';
import { Operation, OperationStatus } from './operation.js';
import { InterviewSession } from './session.js';

/** What yoga.ts adds to the context: this instance's open subscriptions. */
export interface LiveContext {
  liveSubscriptions?: LiveSubscriptions;
}

let fallback: LiveSubscriptions | undefined;

/** The instance's registry; a context built outside Yoga (tests of the schema alone) gets a default. */
function liveOf(ctx: Context): LiveSubscriptions {
  return (
    (ctx as Context & LiveContext).liveSubscriptions ??
    (fallback ??= new LiveSubscriptions(sessionEventBus(), { perKey: 20, queueMax: 100 }))
  );
}

type EventOf<T extends SessionEvent['type']> = Extract<SessionEvent, { type: T }>;

const SessionEventRef = builder.interfaceRef<SessionEvent>('SessionEvent').implement({
  description: 'Something that happened in an interview session. Delivered at most once: refetch the session after reconnecting.',
  resolveType: (event) => event.type,
  fields: (t) => ({
    sessionId: t.id({ description: 'The InterviewSession id.', resolve: (event) => encodeGlobalId('InterviewSession', event.sessionId) }),
  }),
});

const viewerId = (ctx: Context) => ctx.viewer?.userId ?? '';

builder.objectRef<EventOf<'MessageAdded'>>('MessageAdded').implement({
  description: 'A question or an answer was added to the transcript.',
  interfaces: [SessionEventRef],
  fields: (t) => ({
    message: t.prismaField({
      type: SessionMessage,
      resolve: async (query, event, _args, ctx) =>
        (await sharedEventLoad(event, viewerId(ctx), query, () =>
          db().sessionMessage.findFirst({ ...query, where: { id: event.messageId, session: { userId: viewerId(ctx) } } }),
        )) ?? Promise.reject(notFound('SessionMessage')),
    }),
  }),
});

builder.objectRef<EventOf<'FeedbackReady'>>('FeedbackReady').implement({
  description: 'Feedback on an answer (or on the whole session) is ready.',
  interfaces: [SessionEventRef],
  fields: (t) => ({
    feedback: t.prismaField({
      type: Feedback,
      resolve: async (query, event, _args, ctx) =>
        (await sharedEventLoad(event, viewerId(ctx), query, () =>
          db().feedback.findFirst({ ...query, where: { id: event.feedbackId, session: { userId: viewerId(ctx) } } }),
        )) ?? Promise.reject(notFound('Feedback')),
    }),
  }),
});

builder.objectRef<EventOf<'OperationUpdated'>>('OperationUpdated').implement({
  description: 'The async work behind the session changed status.',
  interfaces: [SessionEventRef],
  fields: (t) => ({
    status: t.field({ type: OperationStatus, resolve: (event) => event.status }),
    operation: t.prismaField({
      type: Operation,
      resolve: async (query, event, _args, ctx) =>
        (await sharedEventLoad(event, viewerId(ctx), query, () =>
          db().operation.findFirst({ ...query, where: { id: event.operationId, session: { userId: viewerId(ctx) } } }),
        )) ?? Promise.reject(notFound('Operation')),
    }),
  }),
});

builder.objectRef<EventOf<'SessionCompleted'>>('SessionCompleted').implement({
  description: 'The session was completed.',
  interfaces: [SessionEventRef],
  fields: (t) => ({
    session: t.prismaField({
      type: InterviewSession,
      resolve: async (query, event, _args, ctx) =>
        (await sharedEventLoad(event, viewerId(ctx), query, () =>
          db().interviewSession.findFirst({ ...query, where: { id: event.sessionId, userId: viewerId(ctx) } }),
        )) ?? Promise.reject(notFound('InterviewSession')),
    }),
  }),
});

function endedError(reason: EndReason) {
  return reason === 'revoked'
    ? unauthenticated('The API key of this subscription was revoked.')
    : appError(
        'SERVICE_UNAVAILABLE',
        'Subscription dropped: events arrived faster than the client read them. Refetch, then subscribe again.',
      );
}

builder.subscriptionType({});

builder.subscriptionField('sessionEvents', (t) =>
  t.field({
    type: SessionEventRef,
    description: "Live events of one of the viewer's sessions. An unknown or foreign session is NOT_FOUND.",
    authScopes: { viewer: true },
    args: { sessionId: t.arg.id() },
    subscribe: async (_root, args, ctx): Promise<AsyncIterable<Delivery>> => {
      if (!ctx.viewer) throw unauthenticated();
      const id = parseId(args.sessionId, 'InterviewSession', 'sessionId');
      const session = await db().interviewSession.findFirst({ where: { id, userId: ctx.viewer.userId }, select: { id: true } });
      if (!session) throw notFound('InterviewSession');
      return liveOf(ctx).open(ctx.viewer, id);
    },
    resolve: (delivery, _args, ctx) => {
      if (delivery.type === 'Ended') throw endedError(delivery.reason);
      // One context serves every event of a subscription: loaders must not carry rows across events.
      ctx.loaders = createLoaders();
      return delivery;
    },
  }),
);
