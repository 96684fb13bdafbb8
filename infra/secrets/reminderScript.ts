import { rotationReminder } from "./reminderContract";

/**
 * The rotation reminder, as the daily job runs it (bash in CodeBuild's build phase, like the backup
 * jobs: infra/backup/buildspec.ts; test/integration/reminders runs this very string). It reads every
 * record of the rotation register (`aws ssm get-parameters-by-path`, which the CLI pages through by
 * itself: https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-pagination.html), and for each
 * secret due in WARN_DAYS days or today posts to the warning topic, for each one past due pages the
 * critical topic, every run until it is rotated. The warning topic is the #alerts Slack channel's
 * (AWS Chatbot), so its message is a Chatbot custom notification: version "1.0", source "custom",
 * content.textType "client-markdown" (https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html,
 * "Event schema"). The critical topic pages (PagerDuty) with a subject and a plain message, as the
 * deploy workflows' pages do. A record that does not read stops the job after the others are posted.
 * REMINDER_TODAY (YYYY-MM-DD) replays another day.
 */
export const REMINDER_SCRIPT = String.raw`set -euo pipefail
today="${"$"}{REMINDER_TODAY:-$(date -u +%Y-%m-%d)}"
records="$(aws ssm get-parameters-by-path --path "$REGISTER_PATH" --query 'Parameters[].{name: Name, value: Value}' --output json)"
notices="$(jq -c --arg today "$today" --argjson warn "$WARN_DAYS" '
  ($today + "T00:00:00Z" | fromdateiso8601) as $now
  | [ .[] | . as $parameter | ((.value | try fromjson catch null) // {}) as $record
      | if ($record.lastRotated | type) != "string" or ($record.periodDays | type) != "number" or ($record.name | type) != "string"
        then {severity: "unreadable", name: $parameter.name}
        else (($record.lastRotated + "T00:00:00Z" | fromdateiso8601) + $record.periodDays * 86400) as $due
          | ((($due - $now) / 86400) | floor) as $days
          | {name: $record.name, kind: $record.kind, periodDays: $record.periodDays, lastRotated: $record.lastRotated,
             due: ($due | todate | .[0:10]), days: $days, rotatedBy: ($record.rotatedBy // "people")}
          | if $days < 0 then . + {severity: "critical"} elif $days == 0 or $days == $warn then . + {severity: "warning"} else empty end
        end ]' <<< "$records")"
how() { if [ "$1" = pulumi ]; then echo "run pulumi up --stack $STACK: it rotates the password and redeploys"; else echo "rotate it in its platform, redeploy, then set rotation.lastRotated in Pulumi.$STACK.yaml"; fi; }
unreadable=0
while IFS= read -r fields; do
  [ -n "$fields" ] || continue
  eval "$fields"
  if [ "$severity" = unreadable ]; then
    echo "rotation reminder: $name does not hold a rotation record" >&2
    unreadable=1
    continue
  fi
  todo="$(how "$rotated_by")"
  if [ "$severity" = critical ]; then
    aws sns publish --topic-arn "$CRITICAL_TOPIC_ARN" --subject "$PRODUCT $STACK: $name rotation overdue" \
      --message "$name ($STACK) was due for rotation on $due, $(( -days )) days ago (every $period days, last $last): $todo." > /dev/null
  else
    if [ "$days" = 0 ]; then when="today ($due)"; else when="in $days days ($due)"; fi
    message="$(jq -cn --arg title ":warning: $PRODUCT $STACK: rotate $name $when" \
      --arg description "$name is due for rotation $when: every $period days, last rotated $last. To do: $todo." \
      --arg id "@REMINDER_EVENT@-$STACK-$name-$due-$days" \
      '{version: "1.0", source: "custom", id: $id, content: {textType: "client-markdown", title: $title, description: $description}, metadata: {eventType: "@REMINDER_EVENT@"}}')"
    aws sns publish --topic-arn "$WARNING_TOPIC_ARN" --message "$message" > /dev/null
  fi
  echo "rotation reminder: $severity $name (due $due)"
# One line of shell assignments per notice, quoted by jq's @sh.
done < <(jq -r '.[] | @sh "severity=\(.severity) name=\(.name) due=\(.due // "") days=\(.days // 0) period=\(.periodDays // 0) last=\(.lastRotated // "") rotated_by=\(.rotatedBy // "")"' <<< "$notices")
echo "rotation reminder: $(jq length <<< "$records") register entries read on $today"
[ "$unreadable" = 0 ]`.replaceAll("@REMINDER_EVENT@", rotationReminder.eventType);
