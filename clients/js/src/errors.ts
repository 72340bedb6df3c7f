/** The problem+json body of an error answer (RFC 9457 plus Tekton's members). */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  /** The Tekton error code (1000–1012). */
  code?: number;
  success?: false;
  trace_id?: string;
  /** Validation errors: field → messages. */
  errors?: Record<string, string[]>;
  /** Members some errors add: `cycle`, `running_dependents`, `missing_dependencies`, `unmet_requirements`, … */
  [member: string]: unknown;
}

/**
 * Tekton answered with an error. `code` is the Tekton error code of the reference (1000 general, 1001 component
 * not found, … 1012 invalid state transition); 1000 when the answer carried none.
 */
export class TektonApiError extends Error {
  /** The HTTP status (0 for an event socket that reported an error without one). */
  readonly status: number;
  /** The Tekton error code; 1000 when the answer carried none. */
  readonly code: number;
  /** The problem+json body (`null` when the body was not JSON). */
  readonly problem: Problem | null;
  /** The `Retry-After` the server asked for, in seconds; `null` when it gave none. */
  readonly retryAfter: number | null;

  constructor(status: number, code: number, message: string, problem: Problem | null = null, retryAfter: number | null = null) {
    super(message);
    this.name = 'TektonApiError';
    this.status = status;
    this.code = code;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  /** The problem's `title`. */
  get title(): string | undefined {
    return typeof this.problem?.title === 'string' ? this.problem.title : undefined;
  }

  /** The problem's `detail`. */
  get detail(): string | undefined {
    return typeof this.problem?.detail === 'string' ? this.problem.detail : undefined;
  }

  /** Field errors (`errors`): each field with its messages; `{}` when there are none. */
  get errors(): Record<string, string[]> {
    const errors = this.problem?.errors;
    return errors && typeof errors === 'object' ? errors : {};
  }

  /** The problem's `trace_id`, to quote when reporting a problem. */
  get traceId(): string | undefined {
    return typeof this.problem?.trace_id === 'string' ? this.problem.trace_id : undefined;
  }
}

/** Tekton could not be reached (connection refused or reset, DNS failure), after the retries allowed. */
export class TektonConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TektonConnectionError';
  }
}

/** An attempt took longer than the client's `timeoutMs` (plus the wait the call asked for), after the retries allowed. */
export class TektonTimeoutError extends TektonConnectionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TektonTimeoutError';
  }
}
