// Picks the WebSocket implementation at run time: the platform's own (browsers, Deno, Node 22+) or the `ws`
// package (Node 20, which has no global WebSocket unless started with --experimental-websocket).

/** The part of the WHATWG WebSocket API the subscriptions use; browsers' `WebSocket` and `ws` both have it. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'error' | 'close', listener: (event: any) => void): void;
}

/** A WebSocket constructor with the WHATWG signature (`new WebSocket(url, protocols?)`). */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** How credentials reach the event sockets. */
export type WebSocketFlavour =
  /** The `ws` package: `Authorization: Bearer` header on the upgrade request. */
  | 'ws'
  /** A WHATWG WebSocket (browsers): it cannot set headers, so the key goes in `?access_token=`. */
  | 'standard';

export interface ResolvedWebSocket {
  flavour: WebSocketFlavour;
  create(url: string, apiKey: string | null): WebSocketLike;
}

let wsModule: Promise<ResolvedWebSocket> | undefined;

/** The implementation to use: `custom` if given, else `globalThis.WebSocket`, else the `ws` package. */
export function resolveWebSocket(custom?: WebSocketConstructor): Promise<ResolvedWebSocket> {
  const ctor = custom ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (ctor) {
    return Promise.resolve(standard(ctor));
  }
  wsModule ??= import('ws').then(
    (module) => {
      const WS = module.default;
      return {
        flavour: 'ws',
        create(url: string, apiKey: string | null): WebSocketLike {
          return new WS(url, {
            headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : {},
            perMessageDeflate: false,
            handshakeTimeout: 10_000,
          }) as unknown as WebSocketLike;
        },
      } satisfies ResolvedWebSocket;
    },
    (error: unknown) => {
      wsModule = undefined;
      throw new Error(
        "No WebSocket implementation: this platform has no global WebSocket and the 'ws' package could not be loaded. " +
          'Install ws, or pass the WebSocket option.',
        { cause: error },
      );
    },
  );
  return wsModule;
}

function standard(ctor: WebSocketConstructor): ResolvedWebSocket {
  return {
    flavour: 'standard',
    create(url: string, apiKey: string | null): WebSocketLike {
      if (apiKey) {
        const withToken = new URL(url);
        withToken.searchParams.set('access_token', apiKey);
        url = withToken.toString();
      }
      return new ctor(url);
    },
  };
}

/** Text of a message event's data (a string for text frames; tolerate buffers). */
export function messageText(data: unknown): string | null {
  if (typeof data === 'string') {
    return data;
  }
  if (data instanceof ArrayBuffer) {
    return new TextDecoder().decode(data);
  }
  if (ArrayBuffer.isView(data)) {
    return new TextDecoder().decode(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return null;
}
