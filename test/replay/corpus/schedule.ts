import { ReplayCase, caught, passes } from "../cases";
import { replace } from "../edits";
import { PINS, addWorkflowFile, setProduction, setProject } from "./helpers";

const FLOOR = "schedule-production-preflight-enforces-floor";

const schedule = {
  timezone: "America/New_York",
  deployDays: ["Tue", "Thu"],
  deployHours: { from: "10:00", to: "14:00" },
  freezes: [
    { name: "holidays", from: "12-20", to: "01-02" },
    { name: "black-friday-2026", from: "2026-11-23", to: "2026-11-30" },
  ],
};

/** Class 5: one source of truth for the schedule; the preflight enforces it. */
export const scheduleCases: ReplayCase[] = [
  {
    id: "schedule-drop-holiday-freeze-project",
    class: "schedule",
    title: "Pulumi.yaml: drop the holiday freeze (we deploy hotfixes through the waiver anyway)",
    edits: [setProject("schedule", ["freezes"], [schedule.freezes[1]])],
    expect: caught(FLOOR),
  },
  {
    id: "schedule-stack-override-without-freezes",
    class: "schedule",
    title: "Pulumi.production.yaml: own schedule for production, written out without freezes",
    edits: [setProduction("schedule", [], { ...schedule, freezes: [] }, true)],
    expect: caught(FLOOR),
  },
  {
    id: "schedule-add-friday",
    class: "schedule",
    title: "Pulumi.yaml: allow Friday deploys too",
    edits: [setProject("schedule", ["deployDays"], ["Tue", "Thu", "Fri"])],
    expect: caught(FLOOR),
  },
  {
    id: "schedule-widen-hours-evening",
    class: "schedule",
    title: "Pulumi.yaml: deploy window until 18:00",
    edits: [setProject("schedule", ["deployHours", "to"], "18:00")],
    expect: caught(FLOOR),
  },
  {
    id: "schedule-timezone-utc",
    class: "schedule",
    title: "Pulumi.yaml: schedule in UTC (10:00–14:00 UTC is 05:00–09:00 in New York)",
    edits: [setProject("schedule", ["timezone"], "UTC")],
    expect: caught(FLOOR),
  },
  {
    id: "schedule-timezone-pacific",
    class: "schedule",
    title: "Pulumi.yaml: the team moved west: America/Los_Angeles",
    edits: [setProject("schedule", ["timezone"], "America/Los_Angeles")],
    expect: caught(FLOOR),
  },
  {
    id: "schedule-holiday-freeze-shortened",
    class: "schedule",
    title: "Pulumi.yaml: holiday freeze starts Dec 23",
    edits: [setProject("schedule", ["freezes", 0, "from"], "12-23")],
    expect: caught(FLOOR),
  },
  {
    id: "schedule-holiday-freeze-dated-this-year-only",
    class: "schedule",
    title: "Pulumi.yaml: holiday freeze written with this year's dates",
    edits: [setProject("schedule", ["freezes", 0], { name: "holidays", from: "2026-12-20", to: "2027-01-02" })],
    expect: caught(FLOOR),
  },
  {
    id: "schedule-emergency-env-true",
    class: "schedule",
    title: "preflight: treat every dispatch as an emergency (EMERGENCY: true) so on-call is not blocked",
    edits: [replace("infra/workflows/preflight.ts", 'EMERGENCY: expr("inputs.emergency")', 'EMERGENCY: "true"')],
    expect: caught(FLOOR),
  },
  {
    id: "schedule-emergency-input-default-true",
    class: "schedule",
    title: "deploy-production: the emergency input defaults to true",
    edits: [replace("infra/workflows/deployProduction.ts", 'type: "boolean", required: false, default: false', 'type: "boolean", required: false, default: true')],
    expect: caught(FLOOR),
  },
  {
    id: "schedule-check-continue-on-error",
    class: "schedule",
    title: "preflight: the schedule check only warns (continue-on-error)",
    edits: [replace("infra/workflows/preflight.ts", '    id: "schedule",\n', '    id: "schedule",\n    "continue-on-error": true,\n')],
    expect: caught(FLOOR),
  },
  {
    id: "schedule-check-skipped-on-emergency",
    class: "schedule",
    title: "preflight: skip the schedule check for emergencies",
    edits: [replace("infra/workflows/preflight.ts", '    id: "schedule",\n', '    id: "schedule",\n    if: "${{ inputs.emergency != true }}",\n')],
    expect: caught(FLOOR),
  },
  {
    id: "schedule-deploy-without-needs-preflight",
    class: "schedule",
    title: "deploy-production: start the deploy job in parallel with the pre-flight to save a minute",
    edits: [replace("infra/workflows/deployProduction.ts", '      needs: ["preflight"],\n      environment,', "      environment,")],
    expect: caught(FLOOR, "workflow-production-deploy-needs-preflight"),
  },
  {
    id: "schedule-hotfix-workflow-no-preflight",
    class: "schedule",
    title: "a hotfix workflow that deploys the API straight to production (no pre-flight)",
    edits: [
      addWorkflowFile(
        "hotfix.yml",
        `name: hotfix
on:
  workflow_dispatch: {}
permissions: {}
jobs:
  hotfix:
    runs-on: ubuntu-latest
    environment: production
    permissions:
      contents: read
    timeout-minutes: 15
    steps:
      - uses: ${PINS.checkout}
        with:
          persist-credentials: false
      - name: Deploy API
        env:
          RAILWAY_TOKEN: \${{ secrets.RAILWAY_TOKEN }}
        run: npx --yes @railway/cli@4.11.0 up --service api --environment production --detach
`,
      ),
    ],
    expect: caught(FLOOR),
  },
  {
    id: "schedule-window-check-rewritten",
    class: "schedule",
    title: "preflight: a simpler schedule check (only weekends are blocked)",
    edits: [
      replace(
        "infra/workflows/preflight.ts",
        "    run: SCHEDULE_CHECK_SCRIPT,\n",
        '    run: \'set -euo pipefail\\nif [ "$(TZ=America/New_York date +%u)" -gt 5 ]; then echo "::error::no weekend deploys"; exit 1; fi\',\n',
      ),
    ],
    expect: caught(FLOOR),
  },
  {
    id: "schedule-script-env-expression",
    class: "schedule",
    title: "preflight: deploy days come from a repository variable so ops can change them without a PR",
    edits: [replace("infra/workflows/preflight.ts", "env: { ...scheduleCheckEnv(schedule),", 'env: { ...scheduleCheckEnv(schedule), SCHEDULE_DEPLOY_DAYS: "${{ vars.DEPLOY_DAYS }}",')],
    expect: caught(FLOOR),
  },
  {
    id: "schedule-compliant-us-eastern",
    class: "compliant",
    title: "Pulumi.yaml: time zone written US/Eastern (the same zone)",
    edits: [setProject("schedule", ["timezone"], "US/Eastern")],
    expect: passes,
  },
  {
    id: "schedule-compliant-split-freeze",
    class: "compliant",
    title: "Pulumi.yaml: holiday freeze written as two freezes either side of New Year",
    edits: [
      setProject("schedule", ["freezes"], [
        { name: "holidays-december", from: "12-20", to: "12-31" },
        { name: "holidays-january", from: "01-01", to: "01-02" },
        schedule.freezes[1],
      ]),
    ],
    expect: passes,
  },
  {
    id: "schedule-compliant-narrower-window",
    class: "compliant",
    title: "Pulumi.yaml: deploy only on Tuesdays, 10:00–12:00",
    edits: [setProject("schedule", ["deployDays"], ["Tue"]), setProject("schedule", ["deployHours", "to"], "12:00")],
    expect: passes,
  },
  {
    id: "schedule-compliant-longer-freeze",
    class: "compliant",
    title: "Pulumi.yaml: freeze from Dec 15 and a launch freeze next spring",
    edits: [
      setProject("schedule", ["freezes"], [
        { name: "holidays", from: "12-15", to: "01-03" },
        { name: "spring-launch-2027", from: "2027-03-08", to: "2027-03-12" },
      ]),
    ],
    expect: passes,
  },
];
