import { useEffect, useState } from "react";
import { afterNextPaint } from "./afterNextPaint";

/**
 * Whether the frame after `ready` became true (for this `key`) has been painted. A screen draws
 * what its first screenful needs in the frame the user waits for, and the rest in the task right
 * after, so a long screen is on view as soon as its top is drawn.
 */
export function useAfterPaint(ready: boolean, key: unknown = null): boolean {
  const [paintedFor, setPaintedFor] = useState<{ key: unknown } | null>(null);
  useEffect(() => {
    if (!ready) return;
    return afterNextPaint(() => setPaintedFor({ key }));
  }, [ready, key]);
  return ready && paintedFor !== null && paintedFor.key === key;
}
