// vitest 5 prints failures with Map.groupBy (Node ≥ 21). Node 20 lacks it, so a
// failing run would crash while reporting instead of showing the failure.
if (!(Map as unknown as { groupBy?: unknown }).groupBy) {
  (Map as unknown as { groupBy: unknown }).groupBy = <K, V>(items: Iterable<V>, key: (v: V, i: number) => K): Map<K, V[]> => {
    const m = new Map<K, V[]>();
    let i = 0;
    for (const v of items) {
      const k = key(v, i++);
      const list = m.get(k);
      if (list) list.push(v);
      else m.set(k, [v]);
    }
    return m;
  };
}
