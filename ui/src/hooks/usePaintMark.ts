import { useEffect } from "react";

/**
 * Marks `name` in the Performance timeline once the screen it belongs to has been painted with
 * its data (`ready`): the frame after React committed it. The app's figures in BENCHMARKS.md
 * (cold start, opening a placement) are read from these marks through the real window.
 */
export function usePaintMark(name: string, ready: boolean, key: unknown = null): void {
  useEffect(() => {
    if (!ready) return;
    let timer: number | undefined;
    // requestAnimationFrame runs just before the next paint; a task queued from it runs after.
    const frame = requestAnimationFrame(() => {
      timer = window.setTimeout(() => performance.mark(name), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      if (timer !== undefined) window.clearTimeout(timer);
    };
  }, [name, ready, key]);
}
