/**
 * Tags SUM adds to a thought by reading it: question, insight, action-item,
 * emotional, and the part of the day it was captured in. Cue lists, not a
 * model: each rule is a list of words or patterns a person can read and
 * predict (README, Knowledge section).
 */

export const AutomaticTag = {
  Question: "question",
  Insight: "insight",
  ActionItem: "action-item",
  Emotional: "emotional",
} as const;

const QUESTION_START = /^(who|what|when|where|why|how|which|is|are|am|can|could|should|would|will|do|does|did|has|have|may|might)\b/i;
const INSIGHT = /\b(i (just )?reali[sz]ed?|realization|insight|it turns out|turns out|the key is|lesson( learned)?|i learned|i noticed|it occurs to me|aha|epiphany|now i understand|the trick is|in hindsight)\b/i;
const ACTION =
  /\b(todo|to-do|to do:|need to|needs to|have to|must|remember to|don't forget|do not forget|action item|follow up|follow-up|schedule|deadline|by (monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|eod|next week))\b|^\s*(call|email|buy|send|fix|write|book|check|ask|finish|submit|review|pay|order|plan|prepare)\b|^\s*(- )?\[ \]/i;
const EMOTION =
  /\b(happy|happier|sad|sadness|angry|anger|frustrat\w*|excit\w*|anxious|anxiety|worr(y|ied|ies)|love|loved|hate|hated|afraid|scared|fear|grateful|gratitude|thrilled|upset|stress(ed|ful)?|overwhelm\w*|joy(ful)?|lonely|proud|ashamed|nervous|depress\w*|delight\w*|miserable|furious|hopeful|hopeless|heartbroken|disappoint\w*|annoy\w*|ecstatic|relieved|guilty|jealous)\b/i;

/** The part of the day an hour (0–23) belongs to: morning 5–11, afternoon 12–16, evening 17–20, night 21–4. */
export function timeOfDay(hour: number): "morning" | "afternoon" | "evening" | "night" {
  if (hour >= 5 && hour < 12) return "morning";
  if (hour >= 12 && hour < 17) return "afternoon";
  if (hour >= 17 && hour < 21) return "evening";
  return "night";
}

/** The automatic tags for `content` captured at local `hour`, in a fixed order. */
export function automaticTags(content: string, hour: number): string[] {
  const tags: string[] = [];
  const trimmed = content.trim();
  if (trimmed.includes("?") || QUESTION_START.test(trimmed)) tags.push(AutomaticTag.Question);
  if (INSIGHT.test(trimmed)) tags.push(AutomaticTag.Insight);
  if (trimmed.split(/\n/).some((line) => ACTION.test(line))) tags.push(AutomaticTag.ActionItem);
  if (EMOTION.test(trimmed) || /!{2,}/.test(trimmed)) tags.push(AutomaticTag.Emotional);
  tags.push(timeOfDay(hour));
  return tags;
}
