import { useEffect } from "react";
import { afterNextPaint } from "./afterNextPaint";

/**
 * Marks `name` in the Performance timeline once the screen it belongs to has been painted with
 * its data (`ready`): the frame after React committed it. The app's figures in BENCHMARKS.md
 * (cold start, opening a placement) are read from these marks through the real window.
 */
export function usePaintMark(name: string, ready: boolean, key: unknown = null): void {
  useEffect(() => {
    if (!ready) return;
    return afterNextPaint(() => performance.mark(name));
  }, [name, ready, key]);
}
