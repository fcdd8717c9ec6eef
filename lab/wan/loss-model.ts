// Packet loss as a pure state machine: independent (Bernoulli) loss, or bursty loss from a
// two-state Gilbert model (the Gilbert-Elliott model with loss 0 in Good and 1 in Bad), the
// model netem calls `loss gemodel`. Randomness is passed in; no I/O.
import type { RandomSource } from "../../core/random.js";

export interface LossState {
  /** Whether the Gilbert chain is in its Bad (losing) state. */
  bad: boolean;
}

export function initialLossState(): LossState {
  return { bad: false };
}

/**
 * Transition probabilities of the Gilbert chain that loses `loss` of packets on average in
 * bursts of `burst` packets on average: r = P(Bad→Good) = 1/burst (bursts are geometric),
 * p = P(Good→Bad) from the stationary share of Bad, p/(p+r) = loss. p is capped at 1 when
 * the pair asks for more than the chain can give (e.g. loss 0.8 in bursts of 2).
 */
export function gilbertTransitions(loss: number, burst: number): { p: number; r: number } {
  const r = 1 / burst;
  const p = Math.min(1, (loss * r) / (1 - loss));
  return { p, r };
}

/**
 * Decides whether the next packet is lost and advances `state`. `burst` ≤ 1 means
 * independent loss; > 1 means the mean length of a loss burst in packets.
 */
export function nextPacketLost(state: LossState, loss: number, burst: number, random: RandomSource): boolean {
  if (loss <= 0) {
    state.bad = false;
    return false;
  }
  if (loss >= 1) return true;
  if (burst <= 1) return random() < loss;
  const { p, r } = gilbertTransitions(loss, burst);
  state.bad = state.bad ? random() >= r : random() < p;
  return state.bad;
}
