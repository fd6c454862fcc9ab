/**
 * How deep JSON from clients may nest. Structured cloning to an isolate,
 * JSON.stringify and SQLite's JSON functions (limit 1000) all recurse: a
 * 120 KB body nested 20,000 levels crashed the process, and a user content
 * nested 1,200 levels made every search over users fail. Kuzzle documents
 * nest far less.
 */
export const MAX_JSON_DEPTH = 64;

/** The deepest `[`/`{` nesting of JSON text, strings skipped; one pass, no recursion. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i++; // a backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x7b || char === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (char === 0x7d || char === 0x5d) depth--;
  }
  return deepest;
}
