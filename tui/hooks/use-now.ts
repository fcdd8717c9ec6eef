// The injected clock's time, re-read every `everyMs`, so ages ("data 3.2s old",
// "unreachable since … (40s)") keep counting while no data arrives.
import { useEffect, useState } from "react";
import type { Clock } from "../../core/clock.js";

export function useNow(clock: Clock, everyMs: number): number {
  const [now, setNow] = useState(() => clock.now());
  useEffect(() => {
    const t = clock.setInterval(() => {
      setNow(clock.now());
    }, everyMs);
    return () => {
      t.cancel();
    };
  }, [clock, everyMs]);
  return now;
}
