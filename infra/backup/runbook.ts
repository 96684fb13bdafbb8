import { StackSettings } from "../config/schema";
import { drillRegister } from "./contract";
import { apiImageTag, FLY_TOML_PATH, NETLIFY_TOML_PATH, webSecretNames } from "./platforms";
import { drillBudgetSeconds } from "./recoveryJobs";
import { DisasterRecoverySettings } from "./settings";

export const RUNBOOK_PATH = "docs/runbooks/disaster-recovery.md";

/**
 * The DR runbook, generated from the stack config: the spec's three phases with their time budgets,
 * who does what, the exact commands to move the web app to Netlify and the API to Fly.io and to
 * restore the database from the newest backup, and the RTO/RPO. Commands name no secret value: each
 * reads it where it lives (the stack's Pulumi config) at the moment it runs.
 *
 * Commands, as their tools define them: netlify-cli v27.2.0 (src/commands/sites/sites.ts `sites:create
 * --name --account-slug`, src/commands/env/env.ts `env:import <fileName> --site`, src/commands/deploy/index.ts
 * `deploy --prod --site`, which builds by default); flyctl v0.4.87 (internal/command/apps/create.go
 * `apps create <app name>`, internal/command/secrets/import.go "Values are read from stdin as NAME=VALUE
 * pairs", internal/command/certificates/root.go `certs add <hostname>`, internal/flag/flag.go `--image`,
 * `--local-only`: "Perform builds locally using the local docker daemon"; deploy resolves `--image`
 * from the local daemon first and pushes it to Fly, internal/build/imgsrc/local_image_resolver.go);
 * pulumi v3.259 `config get` prints a secret decrypted (pkg/cmd/pulumi/config/config.go).
 */
export function renderRunbook(settings: StackSettings, recovery: DisasterRecoverySettings, run: { stack: string; region: string; drillProject: string }): string {
  const { stack, region } = run;
  if (!settings.web || !settings.api || !settings.database) throw new Error("the runbook needs flightdeck:web, api and database");
  const { roles } = recovery.runbook;
  const backups = recovery.backups;
  const fly = recovery.platforms.fly;
  const site = recovery.platforms.netlify.siteName;
  const secrets = webSecretNames(settings.secrets).filter((name) => settings.secrets.find((entry) => entry.name === name)?.source === "config");
  const generated = webSecretNames(settings.secrets).filter((name) => !secrets.includes(name));
  const apiHost = new URL(settings.api.url).host;
  const budgetMinutes = Math.floor(drillBudgetSeconds(recovery) / 60);
  const register = drillRegister.parameterName(settings.product.slug, settings.environment);
  const replica = backups.replica;
  const code = (lines: string[]) => ["```sh", ...lines, "```"].join("\n");
  const who = (handle: string) => `@${handle}`;

  return [
    `<!-- Managed by flightdeck (stack ${stack}): generated from flightdeck:disasterRecovery. Change the stack config, not this file. -->`,
    `# Disaster recovery: ${settings.product.name} ${settings.environment}`,
    "",
    `**Scenario**: total platform failure (Vercel or Railway down). **RTO ${recovery.rtoMinutes / 60 >= 1 && recovery.rtoMinutes % 60 === 0 ? `${recovery.rtoMinutes / 60} h` : `${recovery.rtoMinutes} min`}** (recovery time objective), **RPO ${recovery.rpoMinutes} min** (recovery point objective: the newest backup).`,
    "",
    `Backups: \`pg_dump --format=custom\` every ${backups.intervalMinutes} min into \`s3://${backups.bucketName}/${backups.prefix}\` (${region})${replica ? `, replicated to \`s3://${replica.bucketName}\` (${replica.region})` : ""}, kept ${backups.retentionDays} days. ` +
      `The backup-age alarm pages when none completed in ${recovery.rpoMinutes + backups.alarmMarginMinutes} min. ` +
      `Restore drill: every ${recovery.drill.weekday} ${recovery.drill.time} UTC, budget ${budgetMinutes} min of the RTO; its last result is in SSM \`${register}\`.`,
    "",
    "## Who does what",
    "",
    "| role | who | does |",
    "|---|---|---|",
    `| incident commander | ${who(roles.incidentCommander)} | declares the incident, keeps the timeline, decides at each phase's end: switch, or wait for the provider |`,
    `| communications | ${who(roles.communications)} | status page (${recovery.runbook.statusPageUrl}) and users, at the start and every 30 min |`,
    `| platform | ${who(roles.platform)} | moves the web app to Netlify and the API to Fly.io |`,
    `| database | ${who(roles.database)} | restores the database from the newest backup |`,
    "",
    "## 1. Immediate (0-15 min): tell users",
    "",
    `1. ${who(roles.incidentCommander)} opens the incident and starts the timeline (the RTO clock starts at the first alert).`,
    `2. ${who(roles.communications)} posts on ${recovery.runbook.statusPageUrl}: what is down, that a switch is prepared, the next update time.`,
    `3. ${who(roles.platform)} confirms which provider is down (Vercel status, Railway status) and whether the database answers.`,
    `4. At 15 min ${who(roles.incidentCommander)} decides: switch to the backup platforms (phase 2) or wait for the provider.`,
    "",
    "## 2. Short-term (15-60 min): switch to the backup platforms",
    "",
    `Run from a checkout of the app repository at the commit production runs, with \`netlify\`, \`fly\`, \`docker\`, \`gh\` and \`aws\` logged in, and \`pulumi\` in the flightdeck checkout.`,
    "",
    `### Server-side secrets (${who(roles.platform)})`,
    "",
    "Read from the stack at run time, into a file that is deleted after use; never pasted into a chat or a ticket.",
    "",
    code([
      `( for name in ${secrets.join(" ")}; do printf '%s=%s\\n' "$name" "$(pulumi config get "flightdeck:$name" --stack ${stack})"; done`,
      ...generated.map((name) => `  printf '${name}=%s\\n' "$${name}"   # the database serving now: the provider's if it answers, else the restored one (below)`),
      `) > /tmp/dr.env`,
    ]),
    "",
    `### Web app to Netlify (${who(roles.platform)})`,
    "",
    `\`${NETLIFY_TOML_PATH}\` in this repository holds the build (base directory, command, Node version, the public NEXT_PUBLIC_* values).`,
    "",
    code([
      `netlify sites:create --name ${site} --account-slug <netlify team>   # only the first time`,
      `netlify env:import /tmp/dr.env --site ${site}`,
      `netlify deploy --prod --site ${site}`,
    ]),
    "",
    `Then point \`${settings.web.domain}\` at the Netlify site (DNS CNAME to \`${site}.netlify.app\`, and add the domain to the site).`,
    "",
    `### API to Fly.io (${who(roles.platform)})`,
    "",
    `\`${FLY_TOML_PATH}\` runs the image the pipeline builds (\`${apiImageTag(settings)}\`, port ${fly.internalPort}, health check \`${fly.healthPath}\`). Deploy the exact digest production ran last:`,
    "",
    code([
      `fly apps create ${fly.app}   # only the first time`,
      `fly secrets import --app ${fly.app} < /tmp/dr.env && rm /tmp/dr.env`,
      `image="$(gh api "repos/${settings.github.owner}/${settings.github.repository}/deployments?environment=${settings.environment}&per_page=1" --jq '.[0].payload.image')"`,
      `gh auth token | docker login ghcr.io -u "$(gh api user --jq .login)" --password-stdin`,
      `docker pull "$image"`,
      `fly deploy --config ${FLY_TOML_PATH} --app ${fly.app} --image "$image" --local-only`,
      `fly certs add ${apiHost} --app ${fly.app}`,
    ]),
    "",
    `Then point \`${apiHost}\` at the Fly app (DNS CNAME to \`${fly.app}.fly.dev\`). The web app calls the API by that name, so it follows.`,
    "",
    `### Database from the newest backup (${who(roles.database)}), when it is down too`,
    "",
    code([
      `bucket=${backups.bucketName}   # or the replica: ${replica ? `${replica.bucketName} with --region ${replica.region}` : "(none configured)"}`,
      `key="$(aws s3api list-objects-v2 --bucket "$bucket" --prefix ${backups.prefix} --query 'Contents[].Key' --output text | tr '\\t' '\\n' | grep '\\.dump$' | sort | tail -n 1)"`,
      `aws s3 cp "s3://$bucket/$key" backup.dump`,
      `aws s3api head-object --bucket "$bucket" --key "$key" --query Metadata   # sha256, migration-head, completed-at`,
      `sha256sum backup.dump   # must equal the sha256 above`,
      `createdb --maintenance-db "$TARGET_ADMIN_URL" ${settings.database.name}`,
      `pg_restore --exit-on-error --no-owner --no-privileges --dbname "$TARGET_DATABASE_URL" backup.dump`,
      `psql "$TARGET_DATABASE_URL" -c 'SELECT version_num FROM alembic.alembic_version'   # must equal migration-head`,
    ]),
    "",
    `Then set \`flightdeck:database.host\` (and \`port\`) in \`Pulumi.${stack}.yaml\` to the new server and run \`pulumi up --stack ${stack}\`: it recreates the roles and grants there and publishes the new connection strings. Data written after \`completed-at\` is lost (at most the RPO).`,
    "",
    "## 3. Long-term (1-24 hours): if the provider does not recover",
    "",
    `1. ${who(roles.incidentCommander)} decides to stay on the backup platforms; ${who(roles.communications)} tells users.`,
    `2. ${who(roles.platform)} makes the switch permanent: the deploy workflows target Netlify and Fly.io (a pull request to flightdeck), or back to the original providers once they recover.`,
    `3. ${who(roles.database)} confirms the next scheduled backup of the new database completed (the backup-age alarm clears) and runs the restore drill by hand.`,
    "",
    "## After the incident",
    "",
    `- Switch back the same way, in reverse; run the restore drill; write the post-incident review.`,
    `- Rehearsed weekly; \`aws codebuild start-build --project-name ${run.drillProject}\` runs the drill now.`,
    "",
  ].join("\n");
}
