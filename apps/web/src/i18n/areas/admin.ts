/**
 * Texts of users, settings, the reprice panel, the sync center's payload editor and wording, the session banner, shared widgets (ui.tsx), the sign-out prompt, and the messages of core's validation and the server's error codes.
 * Swahili, Sinhala and Tamil are MACHINE DRAFTS (docs/translations.md).
 */
import { area } from '../area'

export const adminTexts = area({}, { sw: {}, si: {}, ta: {} })
