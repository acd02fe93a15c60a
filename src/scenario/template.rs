//! `ttx new`: commented, valid starting scenarios, one per failure mode.
//!
//! One skeleton serves every failure mode; each mode fills in the landscape, the fault's effect,
//! the detectors that can see it and the runbook that fixes it. A test checks every template
//! passes `ttx check` with no warning.

use super::FaultKind;

/// What varies between templates.
struct Story {
    summary: &'static str,
    source: (&'static str, &'static str),
    flow: (&'static str, &'static str),
    sink: (&'static str, &'static str),
    mode: &'static str,
    share: f64,
    /// The real cause: id and what a responder would recognise.
    cause: (&'static str, &'static str),
    /// Causes a responder could believe from the first signals, written for this story.
    decoys: [(&'static str, &'static str); 2],
    /// What the flow's error or volume monitor shows when it fires.
    alert: &'static str,
    /// What the person who notices says.
    report: &'static str,
    onset: &'static str,
    /// A `lasts = ...` line, for faults that can clear by themselves.
    lasts: Option<&'static str>,
    fix: (&'static str, &'static str),
}

fn story(kind: FaultKind) -> Story {
    let crm = ("webform", "Typeform");
    let zap = ("lead-sync", "Zapier");
    let hubspot = ("crm", "HubSpot");
    match kind {
        FaultKind::SchemaDrift => Story {
            summary: "a renamed form field makes every lead sync fail",
            source: crm,
            flow: zap,
            sink: hubspot,
            mode: "loud",
            share: 1.0,
            cause: (
                "renamed-form-field",
                "Someone renamed a field on the form, so the Zap maps a field that no longer exists",
            ),
            decoys: [
                (
                    "crm-token-expired",
                    "The HubSpot connection's OAuth token expired",
                ),
                (
                    "zapier-task-quota",
                    "The Zapier account ran out of tasks for the month",
                ),
            ],
            alert: "Zap 'Lead sync' errored on step 2 (Create Contact in HubSpot): required field 'email' is missing",
            report: "Sales: 'No new web leads in HubSpot since this morning, but the form still says thanks'",
            onset: "{ dist = \"uniform\", min = \"10m\", max = \"4h\" }",
            lasts: None,
            fix: ("fix-field-mapping", "Re-map the renamed field"),
        },
        FaultKind::ApiDeprecation => Story {
            summary: "the vendor sunsets the API version the connector calls",
            source: ("shop", "Shopify"),
            flow: ("order-export", "Make"),
            sink: ("erp", "NetSuite"),
            mode: "loud",
            share: 1.0,
            cause: (
                "api-version-sunset",
                "Shopify retired the API version the Make connection still calls",
            ),
            decoys: [
                (
                    "netsuite-role-changed",
                    "Someone changed the NetSuite integration role's permissions",
                ),
                (
                    "make-ops-exhausted",
                    "The Make organisation used up its operations for the month",
                ),
            ],
            alert: "Make scenario 'Order export' stopped: Shopify returned 404 Not Found for /admin/api/2023-04/orders.json",
            report: "Finance: 'Yesterday's Shopify orders are not in NetSuite; the export usually runs every few minutes'",
            onset: "\"2h\"",
            lasts: None,
            fix: (
                "migrate-api-version",
                "Move the scenario to the new API version",
            ),
        },
        FaultKind::CredentialExpiry => Story {
            summary: "an OAuth token expires and the flow stops authenticating",
            source: ("calendar", "Calendly"),
            flow: ("meeting-sync", "Zapier"),
            sink: ("crm", "Salesforce"),
            mode: "loud",
            share: 1.0,
            cause: (
                "expired-oauth-token",
                "The Salesforce connection's OAuth refresh token expired",
            ),
            decoys: [
                (
                    "calendly-webhook-disabled",
                    "Calendly disabled the webhook after repeated delivery failures",
                ),
                (
                    "salesforce-validation-rule",
                    "A new Salesforce validation rule rejects the records",
                ),
            ],
            alert: "Zap 'Meeting sync' errored on step 3 (Create Event in Salesforce): 401 INVALID_SESSION_ID, session expired or invalid",
            report: "Sales rep: 'The meetings I booked today are not on the Salesforce contacts'",
            onset: "{ dist = \"uniform\", min = \"0m\", max = \"8h\" }",
            lasts: None,
            fix: (
                "rotate-credential",
                "Reconnect the account with a fresh token",
            ),
        },
        FaultKind::AuthMismatch => Story {
            summary: "the connection uses an account without the needed scope",
            source: ("tickets", "Jira"),
            flow: ("ticket-sync", "Power Automate"),
            sink: ("itsm", "ServiceNow"),
            mode: "loud",
            share: 0.5,
            cause: (
                "missing-oauth-scope",
                "The flow's connection uses an account that lacks write access to some ServiceNow tables",
            ),
            decoys: [
                (
                    "servicenow-instance-upgrade",
                    "The ServiceNow instance upgrade changed the incident table",
                ),
                (
                    "jira-webhook-filter",
                    "The Jira webhook's JQL filter skips some projects",
                ),
            ],
            alert: "Flow 'Ticket sync' failed on 'Create record' for half the tickets: 403 Forbidden, insufficient rights to table 'change_request'",
            report: "Service desk: 'Some Jira tickets never showed up in ServiceNow today, others did'",
            onset: "\"1h\"",
            lasts: None,
            fix: (
                "grant-scope",
                "Grant the missing scope to the service account",
            ),
        },
        FaultKind::RateLimiting => Story {
            summary: "a bulk import pushes the flow over the vendor's rate limit",
            source: ("sheet", "Google Sheets"),
            flow: ("invoice-sync", "Make"),
            sink: ("books", "QuickBooks"),
            mode: "delay",
            share: 0.6,
            cause: (
                "vendor-rate-limit",
                "QuickBooks is throttling the flow after a bulk import pushed it over the API rate limit",
            ),
            decoys: [
                (
                    "sheets-trigger-lag",
                    "The Google Sheets trigger only polls every 15 minutes",
                ),
                (
                    "quickbooks-token-expired",
                    "The QuickBooks connection's token expired",
                ),
            ],
            alert: "Make scenario 'Invoice sync' is retrying: QuickBooks answered 429 Too Many Requests on 60% of calls",
            report: "Accounts: 'Invoices from the sheet show up in QuickBooks hours late today'",
            onset: "{ dist = \"exponential\", mean = \"3h\" }",
            lasts: Some("{ dist = \"lognormal\", median = \"2h\", p90 = \"6h\" }"),
            fix: ("add-backoff", "Batch requests and add backoff"),
        },
        FaultKind::WebhookDelay => Story {
            summary: "webhooks arrive late and some time out",
            source: ("payments", "Stripe"),
            flow: ("payment-webhook", "n8n"),
            sink: ("billing", "Chargebee"),
            mode: "delay",
            share: 1.0,
            cause: (
                "webhook-worker-backlog",
                "The n8n webhook worker is saturated, so Stripe events queue and some time out",
            ),
            decoys: [
                (
                    "stripe-outage",
                    "Stripe is not sending webhooks because of an outage on their side",
                ),
                (
                    "chargebee-plan-mismatch",
                    "A plan id in Chargebee no longer matches the Stripe price",
                ),
            ],
            alert: "n8n: webhook 'payment-webhook' queue at 4,000 executions, oldest waiting 25 minutes; Stripe reports delivery timeouts",
            report: "Billing: 'Customers paid but Chargebee still shows their invoices as unpaid'",
            onset: "{ dist = \"uniform\", min = \"0m\", max = \"6h\" }",
            lasts: None,
            fix: (
                "scale-webhook-worker",
                "Scale the webhook worker and clear the backlog",
            ),
        },
        FaultKind::PartialDataLoss => Story {
            summary: "a filter step silently drops a share of records",
            source: ("store", "Shopify"),
            flow: ("order-pipeline", "n8n"),
            sink: ("warehouse", "Snowflake"),
            mode: "silent",
            share: 0.15,
            cause: (
                "filter-drops-records",
                "A filter step's condition silently drops orders that should pass",
            ),
            decoys: [
                (
                    "snowflake-load-failure",
                    "The Snowflake load job failed and nothing was loaded",
                ),
                (
                    "shopify-webhook-misses",
                    "Shopify stopped sending some order webhooks",
                ),
            ],
            alert: "Snowflake freshness check: orders loaded in the last hour are 15% below the same hour last week",
            report: "Analyst: 'The daily orders dashboard is short compared with Shopify\'s own report'",
            onset: "\"30m\"",
            lasts: None,
            fix: ("fix-filter", "Correct the filter condition"),
        },
        FaultKind::FormatMismatch => Story {
            summary: "dates arrive in another time zone and land on the wrong day",
            source: ("bookings", "Acuity"),
            flow: ("booking-sync", "Zapier"),
            sink: ("sheet", "Google Sheets"),
            mode: "silent",
            share: 0.3,
            cause: (
                "timezone-not-set",
                "The formatter step has no time zone, so UTC dates land on the wrong day in the sheet",
            ),
            decoys: [
                (
                    "acuity-duplicate-bookings",
                    "Acuity is sending duplicate booking events",
                ),
                (
                    "sheet-column-moved",
                    "Someone moved a column in the Google Sheet",
                ),
            ],
            alert: "Sheet check: 30% of today's bookings in the sheet are dated tomorrow",
            report: "Front desk: 'Evening appointments show up on the next day in our booking sheet'",
            onset: "\"1h\"",
            lasts: None,
            fix: ("set-timezone", "Set the formatter step's time zone"),
        },
        FaultKind::ConnectorUpgrade => Story {
            summary: "a connector upgrade changes how empty fields are sent",
            source: ("base", "Airtable"),
            flow: ("audience-sync", "Make"),
            sink: ("email", "Mailchimp"),
            mode: "loud",
            share: 0.4,
            cause: (
                "connector-upgrade-empty-fields",
                "The upgraded Airtable connector sends empty fields as null, which Mailchimp rejects",
            ),
            decoys: [
                (
                    "mailchimp-audience-full",
                    "The Mailchimp audience hit the plan's contact limit",
                ),
                (
                    "airtable-view-filter",
                    "Someone changed the Airtable view the scenario reads",
                ),
            ],
            alert: "Make scenario 'Audience sync' errored on 'Add/Update Subscriber': 400 Invalid Resource, merge field FNAME must be a string",
            report: "Marketing: 'About half of the new sign-ups are missing from the Mailchimp audience'",
            onset: "\"3h\"",
            lasts: None,
            fix: (
                "pin-connector-version",
                "Pin the previous connector version",
            ),
        },
        FaultKind::ConfigDrift => Story {
            summary: "someone edits the flow by hand and points it at a test list",
            source: ("crm", "HubSpot"),
            flow: ("alert-flow", "Zapier"),
            sink: ("chat", "Slack"),
            mode: "silent",
            share: 1.0,
            cause: (
                "hand-edited-config",
                "Someone edited the Zap by hand and pointed it at a test Slack channel",
            ),
            decoys: [
                (
                    "slack-app-removed",
                    "The Slack app was removed from the workspace",
                ),
                (
                    "hubspot-workflow-off",
                    "The HubSpot workflow that triggers the Zap was turned off",
                ),
            ],
            alert: "Slack channel check: #deal-alerts has had no messages for 2 hours on a working day",
            report: "Account exec: 'We stopped getting deal alerts in Slack, but HubSpot shows new deals'",
            onset: "{ dist = \"uniform\", min = \"0m\", max = \"12h\" }",
            lasts: None,
            fix: ("restore-config", "Restore the known-good configuration"),
        },
        FaultKind::UpstreamOutage => Story {
            summary: "the source vendor has an outage; the flow cannot read",
            source: ("forms", "Jotform"),
            flow: ("form-sync", "Power Automate"),
            sink: ("erp", "Dynamics 365"),
            mode: "delay",
            share: 1.0,
            cause: (
                "vendor-outage",
                "Jotform is having an outage, so the flow cannot read new submissions",
            ),
            decoys: [
                (
                    "dynamics-license-expired",
                    "The Dynamics 365 license of the integration user expired",
                ),
                (
                    "flow-turned-off",
                    "Someone turned the Power Automate flow off",
                ),
            ],
            alert: "Dynamics 365 freshness check: no new form records for 45 minutes during business hours",
            report: "Operations: 'Form submissions stopped arriving in Dynamics; customers say the form spins'",
            onset: "\"2h\"",
            lasts: Some("{ dist = \"lognormal\", median = \"90m\", p90 = \"5h\" }"),
            fix: ("switch-to-manual", "Switch to the manual entry workaround"),
        },
    }
}

/// The detectors that can see a fault of this mode on the template's flow, each with what a
/// person sees when it fires.
fn detectors(s: &Story) -> String {
    let ((source, source_tool), (flow, _), (sink, sink_tool)) = (s.source, s.flow, s.sink);
    let alert = s.alert;
    let monitor = if s.mode == "loud" {
        format!(
            "[[detectors]]\nid = \"error-alert\"\nkind = \"monitor\"\nwatches = \"{flow}\"\nsignal = \"errors\"           # sees only loud failures\nlatency = {{ dist = \"exponential\", mean = \"10m\" }}\nmiss = 0.3                        # alert emails get ignored\nmessage = \"{alert}\"\n"
        )
    } else {
        format!(
            "[[detectors]]\nid = \"volume-alert\"\nkind = \"monitor\"\nwatches = \"{sink}\"\nsignal = \"volume\"           # sees missing or late records downstream\nlatency = {{ dist = \"lognormal\", median = \"30m\", p90 = \"2h\" }}\nmiss = 0.3\nmessage = \"{alert}\"\n"
        )
    };
    format!(
        "{monitor}\n[[detectors]]\nid = \"reconciliation\"\nkind = \"reconciliation\"\ncompares = [\"{source}\", \"{sink}\"]\nevery = \"1h\"                     # an hourly count comparison\nmessage = \"Hourly count check: {source_tool} has records since the last check that are not in {sink_tool}\"\n\n[[detectors]]\nid = \"user-report\"\nkind = \"user_report\"\nwatches = \"{sink}\"\ndelay = {{ dist = \"lognormal\", median = \"1h\", p90 = \"4h\" }}\nmiss = 0.2\nnotifies = \"on-call\"\nmessage = \"{report}\"                # what a person sees: shown with the page\n",
        report = s.report
    )
}

/// The `[[causes]]` entries: the real cause first, then the decoys.
fn causes(s: &Story) -> String {
    let mut text = String::new();
    for (id, description) in std::iter::once(s.cause).chain(s.decoys) {
        text.push_str(&format!(
            "[[causes]]\nid = \"{id}\"\ntext = \"{description}\"\n\n"
        ));
    }
    text
}

/// A commented, valid scenario named `name` for a failure mode.
pub fn render(name: &str, kind: FaultKind) -> String {
    let s = story(kind);
    let ((source, source_tool), (flow, flow_tool), (sink, sink_tool)) = (s.source, s.flow, s.sink);
    let kind_name = kind.name();
    let lasts = s
        .lasts
        .map(|l| format!("lasts = {l}   # clears by itself after this long\n"))
        .unwrap_or_default();
    let retry = if s.mode == "loud" {
        "retry_queue = { retention = \"6h\" }   # errored runs can be replayed for 6h\n"
    } else {
        ""
    };
    let restore = if s.mode == "loud" {
        format!(
            "\n[[actions]]\nid = \"replay-errors\"\nby = \"on-call\"\ntarget = \"{flow}\"\neffect = \"restore_data\"       # replays what is still in the retry queue\nduration = \"15m\"\nrequires = {{ after = [\"{fix}\"] }}\n",
            fix = s.fix.0
        )
    } else {
        format!(
            "\n[[actions]]\nid = \"backfill\"\nby = \"on-call\"\ntarget = \"{flow}\"\neffect = \"restore_data\"\nbackfill = true                   # re-sends lost records from {source_tool}\nduration = {{ dist = \"triangular\", min = \"20m\", mode = \"40m\", max = \"2h\" }}\nrequires = {{ after = [\"{fix}\"] }}\n",
            fix = s.fix.0
        )
    };
    let detectors = detectors(&s);
    let causes = causes(&s);
    format!(
        r#"# {name}: {summary}.
# A starting point written by `ttx new --template {kind_name}`: adjust the landscape, latencies
# and runbook to your team, then run `ttx check {name}.toml` and `ttx run {name}.toml`.
# The format is documented in docs/scenario-format.md.

[scenario]
name = "{name}"
title = "{title}"
player_title = "Records from {source_tool} to {sink_tool}"   # the Situation Manual's title: players find out what fails
version = "0.1"
horizon = "24h"                   # runs stop here; milestones not reached are censored
start = "Tue 10:00"               # weekday and time at minute 0, for working hours

[[objectives]]
id = "detect"
text = "Detect the failure within 30 minutes"
metric = "time_to_detect"
target = "30m"
time_box = "2h"                   # later than this counts as missed, not late

[[objectives]]
id = "recover"
text = "Restore the flow within 4 hours"
metric = "time_to_recover"
target = "4h"
time_box = "12h"

[[objectives]]
id = "no-loss"
text = "Lose no records"
metric = "records_lost"
target = 0

# --- the landscape ---------------------------------------------------------------------------
[[systems]]
id = "{source}"
kind = "source"
tool = "{source_tool}"

[[systems]]
id = "{flow}"
kind = "flow"
tool = "{flow_tool}"
from = "{source}"
to = "{sink}"
records_per_minute = 5
# platform = "zapier"   # or make, n8n, power_automate: that platform's retries, history,
#                       # auto-off and notifications apply (see docs/platforms.md)
# plan = "professional" # Zapier: free, professional, team or enterprise
# polling = "plan"      # a polling trigger: the plan's interval, or e.g. "5m" (default: instant)
# burst = {{ at = "2h", records = 3000 }}   # a bulk import arriving at once meets the limits
# break_handler = true  # Make: a Break error handler, 3 attempts 15 minutes apart
{retry}
[[systems]]
id = "{sink}"
kind = "sink"
tool = "{sink_tool}"

# --- what could explain it ------------------------------------------------------------------
# Players diagnose by picking one of these; causes no fault names are decoys, so a diagnosis
# can be wrong. Write decoys a responder could believe from the first signals.
{causes}# --- what breaks -----------------------------------------------------------------------------
[[faults]]
id = "{kind_name}"
kind = "{kind_name}"
target = "{flow}"
onset = {onset}
effect = {{ mode = "{mode}", share = {share:?} }}   # loud = errors, silent = dropped, delay = held
root_cause = "{cause}"   # the [[causes]] entry a correct diagnosis names
{lasts}
# --- how anyone finds out --------------------------------------------------------------------
{detectors}
# --- who responds ----------------------------------------------------------------------------
[[roles]]
id = "on-call"
title = "On-call automation engineer"
acknowledge = {{ dist = "lognormal", median = "4m", p90 = "20m" }}
decide = {{ dist = "exponential", mean = "15m" }}
communicate = {{ dist = "lognormal", median = "5m", p90 = "15m" }}
wrong_diagnosis = 0.25
working_hours = "09:00-18:00 Mon-Fri"
off_hours_factor = 2.0
overload = {{ per_open_item = 0.15 }}

[[roles]]
id = "incident-lead"
title = "Incident lead"
acknowledge = {{ dist = "lognormal", median = "8m", p90 = "30m" }}
decide = {{ dist = "exponential", mean = "8m" }}
communicate = {{ dist = "lognormal", median = "10m", p90 = "30m" }}
update_every = "30m"

[[roles]]
id = "business-owner"
title = "Owner of the business process"
kind = "stakeholder"

[escalation]
approver = "incident-lead"
severities = [
  {{ level = "SEV3", acknowledge_within = "15m", restore_within = "4h", page = ["on-call"] }},
  {{ level = "SEV2", acknowledge_within = "10m", restore_within = "2h", page = ["on-call", "incident-lead"] }},
]

# --- what they can do ------------------------------------------------------------------------
[[actions]]
id = "pause-flow"
by = "on-call"
target = "{flow}"
effect = "contain"                # stops the damage: new records are held until recovery
duration = "5m"
requires = {{ approval = true }}

[[actions]]
id = "{fix}"
title = "{fix_title}"
by = "on-call"
target = "{flow}"
effect = "recover"
duration = {{ dist = "triangular", min = "10m", mode = "30m", max = "90m" }}
success = 0.8
requires = {{ diagnosis = "{cause}" }}
{restore}
# --- what the participants are told ----------------------------------------------------------
[[injects]]
id = "owner-asks"
at = {{ after = "detected", delay = "20m" }}
to = "incident-lead"
from = "Business owner"
text = "Is this why our numbers look off today? When will it be fixed?"
load = 1

[deck]
draw_every = {{ dist = "exponential", mean = "45m" }}
cards = [
  {{ weight = 2, to = "on-call", text = "An unrelated flow reports a warning.", misleads = true }},   # misleads: it points away from the cause
  {{ weight = 1, to = "incident-lead", text = "A manager asks for an ETA in the team channel.", load = 1 }},
]
"#,
        summary = s.summary,
        title = capitalise(s.summary),
        onset = s.onset,
        mode = s.mode,
        share = s.share,
        cause = s.cause.0,
        fix = s.fix.0,
        fix_title = s.fix.1,
    )
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_is_valid_without_warnings() {
        for name in FaultKind::NAMES {
            let kind = FaultKind::from_name(name).unwrap();
            let text = render("drill", kind);
            let loaded = crate::scenario::from_str("drill.toml", &text)
                .unwrap_or_else(|e| panic!("template {name}:\n{e}"));
            let warnings = loaded.warnings.render("drill.toml", &text);
            assert!(
                warnings.is_empty(),
                "template {name} has warnings:\n{warnings}"
            );
            assert_eq!(loaded.scenario.faults[0].kind, kind);
        }
    }
}
