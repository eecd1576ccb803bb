import { describe, expect, it } from 'vitest';

// Every area module of the catalogue (not the index that spreads them, nor the types).
const modules = import.meta.glob<Record<string, Record<string, unknown>>>(['./*.ts', '!./index.ts', '!./types.ts', '!./*.test.ts'], { eager: true });

describe('the catalogue modules', () => {
  it('never define the same key twice (the module spread last would silently win)', () => {
    const owner = new Map<string, string>();
    const twice: string[] = [];
    for (const [file, module] of Object.entries(modules)) {
      for (const entries of Object.values(module)) {
        for (const key of Object.keys(entries)) {
          if (owner.has(key)) twice.push(`${key} (${owner.get(key)}, ${file})`);
          owner.set(key, file);
        }
      }
    }
    expect(Object.keys(modules).length).toBeGreaterThan(3);
    expect(twice).toEqual([]);
  });
});
