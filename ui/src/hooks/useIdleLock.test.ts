import { renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useIdleLock } from "./useIdleLock";

describe("useIdleLock", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("fires once after the idle time, and use restarts the wait", () => {
    const onIdle = vi.fn();
    renderHook(() => useIdleLock(1000, onIdle));
    vi.advanceTimersByTime(900);
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "a" }));
    vi.advanceTimersByTime(900);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(100);
    expect(onIdle).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(5000);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it("does not count a moving pointer as use", () => {
    const onIdle = vi.fn();
    renderHook(() => useIdleLock(1000, onIdle));
    vi.advanceTimersByTime(600);
    window.dispatchEvent(new MouseEvent("mousemove"));
    vi.advanceTimersByTime(400);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it("stops waiting when unmounted (the app was locked or closed another way)", () => {
    const onIdle = vi.fn();
    const { unmount } = renderHook(() => useIdleLock(1000, onIdle));
    unmount();
    vi.advanceTimersByTime(5000);
    expect(onIdle).not.toHaveBeenCalled();
  });
});
