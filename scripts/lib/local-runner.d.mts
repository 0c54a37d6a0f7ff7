export interface LocalRunnerOptions {
  port?: number;
  host?: string;
  stepMs?: number;
  secrets?: string[];
  token?: string;
  autoRun?: boolean;
  log?: (line: string) => void;
}

export interface LocalRunner {
  url: string;
  jobs: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

export function startLocalRunner(options?: LocalRunnerOptions): Promise<LocalRunner>;
export function signHeaders(
  secrets: string[],
  id: string,
  body: string,
  timestamp?: number,
): Record<string, string>;
export function stepMetrics(payload: unknown, step: number): Record<string, number>;
