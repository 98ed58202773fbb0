//! Usage reporting: agencies must report how many signatures are made and
//! how often. Every signature the portal accepts (a citizen's submission, a
//! leader's approval, a clerk's issue, a login) is one row; the dashboard
//! counts them per day, per issuing CA, per agency and per kind.

use kyso_core::report::ValidationReport;
use serde::Serialize;

use crate::error::Error;
use crate::store::{Counts, Store, UsageColumn, UsageEvent};

/// The newest signature of a verified file as a usage row. The agency is
/// the one the form names (the receiving office, the issuing body), else
/// the signer certificate's organisation.
pub fn newest_signature(
    report: &ValidationReport,
    kind: &'static str,
    agency: &str,
    at: u64,
) -> Vec<UsageEvent> {
    report
        .signatures
        .last()
        .and_then(|s| s.signer.as_ref())
        .map(|c| UsageEvent {
            at,
            kind,
            issuer: c.issuer_name().to_string(),
            agency: agency_of(agency, c.organization.as_deref()),
            signer: c.holder_name().to_string(),
        })
        .into_iter()
        .collect()
}

/// The agency a signature counts for.
pub fn agency_of(form: &str, certificate_organization: Option<&str>) -> String {
    let form = form.trim();
    if !form.is_empty() {
        return form.to_string();
    }
    certificate_organization
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .unwrap_or("(không rõ)")
        .to_string()
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub label: String,
    pub count: i64,
}

/// What `GET /api/usage` answers and the dashboard draws.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    /// The first day counted (Vietnam time) and the number of days.
    pub since: String,
    pub days: u32,
    pub total: i64,
    /// Every day of the period, oldest first, zero-filled (the chart's bars).
    pub by_day: Vec<Row>,
    pub by_issuer: Vec<Row>,
    pub by_agency: Vec<Row>,
    pub by_kind: Vec<Row>,
}

/// The last `days` days up to `now` (1–366).
pub fn dashboard(store: &Store, days: u32, now: u64) -> Result<Dashboard, Error> {
    let days = days.clamp(1, 366);
    let first = now.saturating_sub((days as u64 - 1) * 86_400);
    let since = crate::store::vietnam_day(first);
    let counted = store.usage_counts(UsageColumn::Day, &since)?;
    let by_day: Vec<Row> = (0..days as u64)
        .map(|i| {
            let day = crate::store::vietnam_day(first + i * 86_400);
            let count = counted
                .iter()
                .find(|(d, _)| *d == day)
                .map(|(_, n)| *n)
                .unwrap_or(0);
            Row { label: day, count }
        })
        .collect();
    let rows = |c: Counts| {
        c.into_iter()
            .map(|(label, count)| Row { label, count })
            .collect()
    };
    Ok(Dashboard {
        total: by_day.iter().map(|r| r.count).sum(),
        by_issuer: rows(store.usage_counts(UsageColumn::Issuer, &since)?),
        by_agency: rows(store.usage_counts(UsageColumn::Agency, &since)?),
        by_kind: rows(store.usage_counts(UsageColumn::Kind, &since)?),
        since,
        days,
        by_day,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_form_names_the_agency_first() {
        assert_eq!(
            agency_of("UBND phường Bến Nghé", Some("Sở Tư pháp")),
            "UBND phường Bến Nghé"
        );
        assert_eq!(agency_of("  ", Some("Sở Tư pháp")), "Sở Tư pháp");
        assert_eq!(agency_of("", None), "(không rõ)");
    }

    #[test]
    fn days_are_zero_filled_and_totals_add_up() {
        let s = Store::open(Path::new(":memory:")).unwrap();
        let now = 1_795_500_000; // 2026-11-24, Vietnam time
        let ev = |at, kind| UsageEvent {
            at,
            kind,
            issuer: "Kyso Demo CA".into(),
            agency: "UBND".into(),
            signer: "A".into(),
        };
        s.add_usage(&[
            ev(now, "citizen"),
            ev(now, "login"),
            ev(now - 2 * 86_400, "issued"),
        ])
        .unwrap();
        // Outside the period: not counted anywhere.
        s.add_usage(&[ev(now - 40 * 86_400, "citizen")]).unwrap();
        let d = dashboard(&s, 7, now).unwrap();
        assert_eq!(d.by_day.len(), 7);
        assert_eq!(d.by_day.last().unwrap().label, "2026-11-24");
        assert_eq!(d.by_day.last().unwrap().count, 2);
        assert_eq!(d.by_day[4].count, 1);
        assert_eq!(d.total, 3);
        assert_eq!(d.by_issuer[0].count, 3);
        assert_eq!(d.by_kind.iter().map(|r| r.count).sum::<i64>(), 3);
    }
}
