import { describe, expect, it } from 'vitest';
import { parseEvents } from './sse';

describe('parseEvents', () => {
  it('reads id, type and data of complete events and keeps the unfinished rest', () => {
    const text = 'retry: 2000\n\nid: e1\nevent: report.submitted\ndata: {"a":1}\n\n: keep-alive\n\nid: e2\nevent: task.ov';
    const { events, rest } = parseEvents(text);
    expect(events).toEqual([{ id: 'e1', type: 'report.submitted', data: '{"a":1}' }]);
    expect(rest).toBe('id: e2\nevent: task.ov');
  });

  it('joins multi-line data and accepts CRLF line ends', () => {
    const { events } = parseEvents('event: x\r\ndata: one\r\ndata: two\r\n\r\n');
    expect(events).toEqual([{ id: null, type: 'x', data: 'one\ntwo' }]);
  });
});
