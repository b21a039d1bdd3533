// Messages between the cluster primary and its workers (besides prom-client's own for /metrics).
export const PERFORMANCE_REQUEST = 'cadence:performance-request';
export const PERFORMANCE_RESPONSE = 'cadence:performance-response';

export interface PerformanceRequest {
  type: typeof PERFORMANCE_REQUEST;
  requestId: number;
}

export interface PerformanceResponse {
  type: typeof PERFORMANCE_RESPONSE;
  requestId: number;
  report?: unknown;
  error?: string;
}

export const isMessage = <T extends { type: string }>(message: unknown, type: T['type']): message is T =>
  typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
