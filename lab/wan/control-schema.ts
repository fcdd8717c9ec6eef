// Bodies of the WAN emulator's HTTP control API, shared by the server and `relaywatch lab wan`.
import { z } from "zod";
import { durationSchema } from "../../core/duration.js";
import { regionSchema } from "../../core/region.js";
import { linkSettingsSchema } from "./link-params.js";

/** PUT /v1/links/:from/:to — the settings to change; `both` applies them to to→from as well. */
export const setLinkBodySchema = linkSettingsSchema.extend({ both: z.boolean().optional() });
export type SetLinkBody = z.input<typeof setLinkBodySchema>;

/** POST /v1/partition and /v1/isolate. */
export const cutBodySchema = z.strictObject({
  regions: z.array(regionSchema).min(1, "expected at least one region"),
  for: durationSchema.optional(),
});

/** POST /v1/link-down and /v1/link-up. */
export const linkPairBodySchema = z.strictObject({
  between: z.tuple([regionSchema, regionSchema]),
  for: durationSchema.optional(),
});

/** What every error response looks like. */
export interface ControlErrorBody {
  error: "invalid_body" | "invalid_json" | "invalid_request" | "not_found" | "body_too_large" | "internal";
  detail: unknown;
}
