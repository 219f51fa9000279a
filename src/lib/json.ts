/**
 * Canonical JSON, the one helper for "equal data gives equal text": object keys sorted at every
 * level (UTF-16 code-unit order, as Array.prototype.sort), undefined members dropped. Used for build
 * keys (compact) and for records shipped in packages (indented), which must be byte-stable.
 */

/** A copy of `value` whose object keys are sorted at every level. */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, sortKeysDeep((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Canonical text of `value`; `indent` as JSON.stringify's (none: compact). */
export function canonicalJson(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeysDeep(value), null, indent) ?? 'null';
}
