/**
 * When a recurring concept is a pattern worth announcing: `pattern.detected`
 * fires when the number of thoughts with a concept captured within the
 * window (default 24 h) reaches the threshold (default 3), and again each
 * time that count doubles (6, 12, 24 …) — an accelerating concept is
 * announced again, a steady one is not repeated on every capture.
 */

export interface PatternRule {
  readonly minThoughts: number;
  readonly windowMs: number;
}

export function patternReached(countInWindow: number, rule: PatternRule): boolean {
  if (countInWindow < rule.minThoughts) return false;
  let mark = rule.minThoughts;
  while (mark < countInWindow) mark *= 2;
  return mark === countInWindow;
}
