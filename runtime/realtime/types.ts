// Inngest's realtime wire shapes (the Go dev server's `streamingtypes`, and the schema the SDK's
// subscriber validates: inngest v4 `components/realtime/types`). These are Inngest's shapes, not
// Steplens's API: they live here, next to the code that speaks them.

/** The Inngest Dev Server's fixed account and environment (`consts.DevServerAccountID` / `EnvID`). */
export const DEV_ACCOUNT_ID = '00000000-0000-4000-a000-000000000000';
export const DEV_ENV_ID = '00000000-0000-4000-b000-000000000000';

/** Largest `POST /v1/realtime/publish` body (Inngest's `MaxStreamingMessageSizeBytes`, 512 KB). */
export const MAX_MESSAGE_BYTES = 512 * 1024;
/** A `text/stream` publish is cut into chunks of this size (Inngest: 1 KB, at most 1000 chunks). */
export const STREAM_CHUNK_BYTES = 1024;
export const MAX_STREAM_CHUNKS = 1000;

/** What a token grants: one topic of one channel. `kind` is `run` for everything the SDK asks. */
export interface Topic {
  kind: 'run' | 'event';
  env_id?: string;
  channel: string;
  name: string;
}

export type MessageKind = 'data' | 'datastream-start' | 'datastream-end' | 'chunk' | 'run' | 'step' | 'ping' | 'closing' | 'sub' | 'unsub';

/** One message as sent to subscribers (JSON text over the WebSocket, `data: ...` over SSE). */
export interface RealtimeMessage {
  kind: MessageKind;
  /** Any JSON value; a stream id (string) for `datastream-*`, the text of a chunk for `chunk`. */
  data: unknown;
  created_at?: string;
  channel?: string;
  env_id?: string;
  topic?: string;
  run_id?: string;
  /** `chunk` only: the stream this chunk belongs to. */
  stream_id?: string;
}

/** A client frame on the WebSocket (Go: `SubscriptionWS.Poll`). */
export interface ClientFrame {
  kind?: unknown;
  /** `sub`: a token (string); `unsub`: a list of topics. */
  data?: unknown;
}
