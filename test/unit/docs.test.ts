import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('documentation that quotes code', () => {
  it("the plugin author's guide shows the example plugin exactly as it is (and as it is tested)", () => {
    const guide = read('sdk-plugin/README.md');
    const section = guide.slice(guide.indexOf('## 6. The complete example'));
    const quoted = /```js\n([\s\S]*?)\n```/.exec(section)?.[1];
    expect(quoted).toBe(read('sdk-plugin/example/passphrase/index.js').trimEnd());
  });

  it('the README starts with the two set-up commands', () => {
    const firstLines = read('README.md').split('\n').slice(0, 10).join('\n');
    expect(firstLines).toContain('make start');
    expect(firstLines).toContain('make test');
  });
});
