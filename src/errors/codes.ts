// Tcl's texts for errno codes (Tcl_ErrnoMsg), so messages read as Tcl users know them.
const TEXTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host is unreachable',
  ENETUNREACH: 'network is unreachable',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ECONNRESET: 'connection reset by peer',
  ECONNABORTED: 'software caused connection abort',
  EPIPE: 'broken pipe',
  ENOTCONN: 'socket is not connected',
  EMFILE: 'too many open files',
  ENFILE: 'file table overflow',
  ENOBUFS: 'no buffer space available',
  EAFNOSUPPORT: 'address family not supported by protocol',
  EINVAL: 'invalid argument',
  ECANCELED: 'operation canceled',
  // Resolver answers, as getaddrinfo's gai_strerror words them.
  ENOTFOUND: 'Name or service not known',
  ENODATA: 'No address associated with hostname',
  EAI_AGAIN: 'Temporary failure in name resolution',
  EAI_FAIL: 'Non-recoverable failure in name resolution',
  ESERVFAIL: 'Non-recoverable failure in name resolution',
  ETIMEOUT: 'Temporary failure in name resolution',
  EREFUSED: 'Temporary failure in name resolution',
};

/** Tcl's text for an error code; an unknown code falls back to the given text, then to the code itself. */
export function tclText(code: string, fallback?: string): string {
  return TEXTS[code] ?? (fallback !== undefined && fallback !== '' ? fallback : code);
}

/**
 * A socket error as rxconnect reports it: Tcl's text for `code` (`connection reset by peer`), or the error's
 * own message for a code Tcl has no text for, never an empty one; the code, and `error` as `cause`.
 */
export function socketError(error: Error, code: string): Error & { readonly code: string } {
  return Object.assign(new Error(tclText(code, error.message !== '' ? error.message : 'socket error'), { cause: error }), { code });
}

/**
 * The error of a channel that closed with written bytes the OS never got: Tcl's text for `code` (why they were
 * not sent) and how many there were, as the message says and `unsent` counts; `cause` is the underlying error.
 */
export function unsentError(code: string, unsent: number, cause?: unknown): Error & { readonly code: string; readonly unsent: number } {
  const error = new Error(`${tclText(code)} (${unsent} ${unsent === 1 ? 'byte' : 'bytes'} unsent)`, cause === undefined ? undefined : { cause });
  return Object.assign(error, { code, unsent });
}

const RESOLUTION = new Set(['ENOTFOUND', 'ENODATA', 'EAI_AGAIN', 'EAI_FAIL', 'ESERVFAIL', 'ETIMEOUT', 'EREFUSED', 'ERR_LOOKUP']);

// Higher ranks got further; see DESIGN.md "the one that got furthest".
export function relevance(code: string): number {
  switch (code) {
    case 'EADDRINUSE':
    case 'EADDRNOTAVAIL':
    case 'EACCES':
    case 'EPERM':
      return 6;
    case 'ECONNREFUSED':
      return 5;
    case 'ETIMEDOUT':
      return 4;
    case 'EHOSTUNREACH':
      return 3;
    case 'ENETUNREACH':
      return 2;
    default:
      return RESOLUTION.has(code) ? 0 : 1;
  }
}

/** Of several failures, the one whose code got furthest (see `relevance`); a tie goes to the later one. */
export function mostRelevant<T>(items: readonly T[], code: (item: T) => string): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || relevance(code(item)) >= relevance(code(best))) best = item;
  return best;
}
