import { useEffect, useState } from "react";

/**
 * Whether the frame after `ready` became true (for this `key`) has been painted. A screen draws
 * what its first screenful needs in the frame the user waits for, and the rest in the task right
 * after, so a long screen is on view as soon as its top is drawn.
 */
export function useAfterPaint(ready: boolean, key: unknown = null): boolean {
  const [paintedFor, setPaintedFor] = useState<{ key: unknown } | null>(null);
  useEffect(() => {
    if (!ready) return;
    let timer: number | undefined;
    // requestAnimationFrame runs just before the next paint; a task queued from it runs after.
    const frame = requestAnimationFrame(() => {
      timer = window.setTimeout(() => setPaintedFor({ key }), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      if (timer !== undefined) window.clearTimeout(timer);
    };
  }, [ready, key]);
  return ready && paintedFor !== null && paintedFor.key === key;
}
