/**
 * The flags SUM has always shipped with, created on first start when
 * missing: `summarization_algorithm` (which algorithm an automatic choice
 * resolves to, per caller; variant values are the summarize service's
 * Algorithm value names) and `webhook_notifications` (whether webhook
 * deliveries are sent; the dispatcher evaluates it with the webhook id and
 * event type as context).
 */
import { create, fromJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { FlagSchema, FlagType, type Flag } from "../../gen/sum/v1/flags_pb.js";

export const SUMMARIZATION_ALGORITHM_FLAG = "summarization_algorithm";
export const WEBHOOK_NOTIFICATIONS_FLAG = "webhook_notifications";

const ALGORITHM_VARIANTS = [
  "ALGORITHM_LEAD",
  "ALGORITHM_FREQUENCY",
  "ALGORITHM_TEXTRANK",
  "ALGORITHM_LEXRANK",
  "ALGORITHM_KLSUM",
  "ALGORITHM_POSITION_LEXRANK",
  "ALGORITHM_DEGREE_CENTRALITY",
];

export function builtinFlags(): Flag[] {
  return [
    create(FlagSchema, {
      key: SUMMARIZATION_ALGORITHM_FLAG,
      type: FlagType.VARIANT,
      description:
        "Which algorithm a Summarize request with ALGORITHM_UNSPECIFIED uses, per caller (x-user-id). Disabled: the automatic choice.",
      tags: ["summarize"],
      enabled: false,
      variants: ALGORITHM_VARIANTS.map((name) => ({ name, value: fromJson(ValueSchema, name) })),
    }),
    create(FlagSchema, {
      key: WEBHOOK_NOTIFICATIONS_FLAG,
      type: FlagType.BOOLEAN,
      description:
        "Whether webhook deliveries are sent; evaluated per delivery with the webhook id as targeting key and the event type as attribute `eventType`. Events still reach the log and watch streams.",
      tags: ["webhooks"],
      enabled: true,
    }),
  ];
}
