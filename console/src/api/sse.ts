/** One Server-Sent Event as the gateway frames it (`id:`, `event:`, `data:`). */
export interface ServerEvent {
  id: string | null;
  type: string;
  data: string;
}

/**
 * Splits received text into complete events and the unfinished rest (kept for the next
 * chunk). Comments (`: keep-alive`) and `retry:` lines carry no event.
 */
export function parseEvents(buffer: string): { events: ServerEvent[]; rest: string } {
  const normalised = buffer.replace(/\r\n?/g, '\n');
  const blocks = normalised.split('\n\n');
  const rest = blocks.pop() ?? '';
  const events: ServerEvent[] = [];
  for (const block of blocks) {
    let id: string | null = null;
    let type = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length) events.push({ id, type, data: data.join('\n') });
  }
  return { events, rest };
}

export interface FollowOptions {
  token: () => string | null;
  onEvent: (event: ServerEvent) => void;
  onState: (state: 'live' | 'reconnecting') => void;
  /** Called with the HTTP status when the gateway refuses the stream (401: session over). */
  onRefused: (status: number) => void;
  signal: AbortSignal;
}

/**
 * Follows /api/v1/events/stream with the session's token (EventSource cannot send one),
 * reconnecting with Last-Event-ID so nothing is missed across a drop.
 */
export async function followEvents(options: FollowOptions): Promise<void> {
  let lastId: string | null = null;
  let delay = 1000;
  while (!options.signal.aborted) {
    const token = options.token();
    if (!token) return;
    try {
      const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' };
      if (lastId) headers['Last-Event-ID'] = lastId;
      const response = await fetch('/api/v1/events/stream', { headers, signal: options.signal });
      if (!response.ok || !response.body) {
        options.onRefused(response.status);
        if (response.status === 401 || response.status === 403) return;
        throw new Error(`stream answered ${response.status}`);
      }
      options.onState('live');
      delay = 1000;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const parsed = parseEvents(buffer + value);
        buffer = parsed.rest;
        for (const event of parsed.events) {
          if (event.id) lastId = event.id;
          options.onEvent(event);
        }
      }
    } catch {
      if (options.signal.aborted) return;
    }
    options.onState('reconnecting');
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 30_000);
  }
}
