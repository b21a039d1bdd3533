// Deep equality of JSON values, ignoring object key order; says where two values first differ.

export function firstDifference(a: unknown, b: unknown, path = '$'): string | null {
  if (a === b) return null;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return `${path}: ${describe(a)} vs ${describe(b)}`;
    if (a.length !== b.length) return `${path}: array of ${a.length} vs array of ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    const missing = ka.filter((k) => !(k in b));
    const extra = kb.filter((k) => !(k in a));
    if (missing.length || extra.length) {
      return `${path}: keys only in the first: [${missing.join(', ')}], only in the second: [${extra.join(', ')}]`;
    }
    for (const k of ka) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return `${path}: ${describe(a)} vs ${describe(b)}`;
}

function describe(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 120 ? `${s.slice(0, 120)}…` : s;
}
