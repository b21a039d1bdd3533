// The request body limit, at the cost of a header read for most requests. Yoga's own
// (`maxRequestBodySize`) pipes every body through a TransformStream into a new Request, about 7 % of
// a compiled SessionsList's CPU. A body with a valid Content-Length cannot be longer: Node's HTTP
// parser ends it after that many bytes (more is read as the next request and refused as malformed),
// so the header alone decides. Only a body without one (chunked) is counted while it is read.
import { createGraphQLError, type Plugin } from 'graphql-yoga';

/** Only a single non-negative integer: anything else (a list, a sign, spaces) could skip the check. */
const CONTENT_LENGTH = /^\d+$/;

const tooLarge = () =>
  createGraphQLError('Request body too large', { extensions: { http: { status: 413 }, code: 'REQUEST_ENTITY_TOO_LARGE' } });

export function useBodyLimit(limitBytes: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const length = request.headers.get('content-length');
      if (length !== null) {
        if (!CONTENT_LENGTH.test(length)) {
          throw createGraphQLError('Content-Length header is invalid.', { extensions: { http: { status: 400 }, code: 'BAD_REQUEST' } });
        }
        if (Number(length) > limitBytes) throw tooLarge();
        return;
      }
      if (!requestParser || !request.body) return;
      const parse = requestParser;
      setRequestParser(async (original) => {
        const body = await readLimited(original, limitBytes);
        return parse(new fetchAPI.Request(original.url, { method: original.method, headers: original.headers, body }));
      });
    },
  };
}

/** The body's text (JSON or GraphQL, both UTF-8), or a 413 as soon as it passes the limit (the rest is not read). */
async function readLimited(request: Request, limitBytes: number): Promise<string> {
  const reader = (request.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limitBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}
