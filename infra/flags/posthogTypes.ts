/**
 * The parts of PostHog's feature flag API flightdeck sends and reads, as PostHog defines them:
 * `FeatureFlagSerializer` in PostHog/posthog:posthog/api/feature_flag.py (fields `id`, `key`,
 * `name` — the flag's description —, `filters`, `deleted`, `active`, `version`), the model's
 * `filters.groups` (release conditions, OR-ed together, each a list of properties AND-ed and a
 * `rollout_percentage`; PostHog/posthog:posthog/models/feature_flag/feature_flag.py), and the error
 * body every API error has (PostHog/drf-exceptions-hog: `{type, code, detail, attr}`).
 */

/** A person property condition. `distinct_id` is always among the person properties a flag is matched on. */
export interface PersonPropertyFilter {
  key: string;
  type: "person";
  operator: "exact";
  /** With a list, `exact` matches any of its values. */
  value: string[];
}

/** One release condition: users matching every property, then `rollout_percentage` of them (null: all). */
export interface ConditionGroup {
  properties: PersonPropertyFilter[];
  rollout_percentage: number | null;
}

export interface FlagFilters {
  groups: ConditionGroup[];
}

/** What flightdeck writes to a flag (POST to create, PATCH to update). */
export interface FeatureFlagBody {
  key: string;
  /** The flag's description ("field name `name` is kept for backwards-compatibility"). */
  name: string;
  active: boolean;
  filters: FlagFilters;
}

/** A flag as the API returns it (the fields flightdeck reads). */
export interface FeatureFlagRecord {
  id: number;
  key: string;
  name: string;
  active: boolean;
  deleted: boolean;
  filters: FlagFilters;
  version?: number | null;
}

/** PostHog's error body (drf-exceptions-hog). */
export interface PostHogErrorBody {
  type: string;
  code: string;
  detail: string;
  attr: string | null;
}

/** A page of the list endpoint (DRF LimitOffsetPagination). */
export interface FlagPage {
  count?: number;
  next: string | null;
  previous: string | null;
  results: FeatureFlagRecord[];
}
