// A cluster worker's side of the aggregated views: its metrics registry answers prom-client's
// requests from the primary, and its own /health/performance report answers the primary's request.
import { AggregatorRegistry, type Registry } from 'prom-client';
import { isMessage, PERFORMANCE_REQUEST, PERFORMANCE_RESPONSE, type PerformanceRequest, type PerformanceResponse } from './protocol.js';

/** Hands this worker's registry to prom-client's cluster protocol (it answers the primary's requests). */
export function shareMetricsRegistry(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's worker-side message listener.
  new AggregatorRegistry();
}

/** Answers the primary's requests for this worker's /health/performance report, read in-process. */
export function answerPerformanceRequests(
  fetchReport: (headers: Record<string, string>) => Promise<Response>,
  token: string | undefined,
): void {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  process.on('message', (message: unknown) => {
    if (!isMessage<PerformanceRequest>(message, PERFORMANCE_REQUEST)) return;
    const reply = (body: Omit<PerformanceResponse, 'type' | 'requestId'>) =>
      process.send?.({ type: PERFORMANCE_RESPONSE, requestId: message.requestId, ...body } satisfies PerformanceResponse);
    fetchReport(headers)
      .then(async (response) => reply(response.ok ? { report: await response.json() } : { error: `status ${response.status}` }))
      .catch((error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }));
  });
}
