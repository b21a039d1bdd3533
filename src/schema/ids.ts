// Global ids (`base64url("Type:uuid")`) and their validation, before anything reaches Prisma.
import { badInput } from '../errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_ID_LENGTH = 200;

export function encodeGlobalId(typename: string, id: bigint | number | string): string {
  return Buffer.from(`${typename}:${id}`, 'utf8').toString('base64url');
}

/** Decodes a global id or throws BAD_USER_INPUT; never lets a malformed value through. */
export function decodeGlobalId(globalId: string): { typename: string; id: string } {
  if (typeof globalId !== 'string' || globalId.length === 0 || globalId.length > MAX_ID_LENGTH) {
    throw badInput('Malformed id');
  }
  // Accept standard base64 too (clients sometimes re-encode), but nothing else.
  if (!/^[A-Za-z0-9_\-+/]+={0,2}$/.test(globalId)) throw badInput('Malformed id');
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const typename = decoded.slice(0, colon);
  const id = decoded.slice(colon + 1);
  if (colon <= 0 || !/^[A-Za-z]+$/.test(typename) || !UUID.test(id)) throw badInput('Malformed id');
  return { typename, id };
}

/** The database id inside a global id of the expected type; BAD_USER_INPUT otherwise. */
export function parseId(globalId: string, expected: string, argument = 'id'): string {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalId(globalId);
  } catch {
    throw badInput(`Malformed ${expected} id`, argument);
  }
  if (decoded.typename !== expected) throw badInput(`Expected a ${expected} id`, argument);
  return decoded.id;
}
