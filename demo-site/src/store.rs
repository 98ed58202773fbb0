//! SQLite storage: citizens' submissions, staff documents and the usage log
//! the dashboard counts. One connection behind a mutex: the demo's load is a
//! handful of requests, and SQLite serialises writers anyway.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::error::Error;

pub struct Store {
    db: Mutex<Connection>,
}

/// A citizen's household business registration, as submitted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Registration {
    pub full_name: String,
    pub cccd: String,
    pub business_name: String,
    pub address: String,
    pub business_line: String,
    pub agency: String,
    pub file_name: String,
}

/// A stored submission; `report` is the server's JSON validation report.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Submission {
    pub id: i64,
    pub created_at: u64,
    #[serde(flatten)]
    pub form: Registration,
    pub report: serde_json::Value,
}

/// A staff document (Decree 30): a leader approved it, a clerk may issue it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    pub id: i64,
    pub created_at: u64,
    pub title: String,
    pub organization: String,
    /// `approved` or `issued`.
    pub status: String,
    pub doc_number: Option<String>,
    pub issued_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<serde_json::Value>,
}

/// One signature the portal accepted, for the usage dashboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageEvent {
    pub at: u64,
    /// `citizen`, `approved`, `issued` or `login`.
    pub kind: &'static str,
    /// The issuing CA's common name.
    pub issuer: String,
    pub agency: String,
    pub signer: String,
}

/// `(label, count)` rows, largest first (days: oldest first).
pub type Counts = Vec<(String, i64)>;

impl Store {
    /// Opens (or creates) the database; `:memory:` for a throw-away one.
    pub fn open(path: &Path) -> Result<Store, Error> {
        let db = if path == Path::new(":memory:") {
            Connection::open_in_memory()?
        } else {
            Connection::open(path)?
        };
        db.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE IF NOT EXISTS submissions (
               id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,
               full_name TEXT NOT NULL, cccd TEXT NOT NULL, business_name TEXT NOT NULL,
               address TEXT NOT NULL, business_line TEXT NOT NULL, agency TEXT NOT NULL,
               file_name TEXT NOT NULL, pdf BLOB NOT NULL, report TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS documents (
               id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, title TEXT NOT NULL,
               organization TEXT NOT NULL, status TEXT NOT NULL, doc_number TEXT,
               issued_date TEXT, pdf BLOB NOT NULL, report TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS usage (
               id INTEGER PRIMARY KEY, at INTEGER NOT NULL, day TEXT NOT NULL,
               kind TEXT NOT NULL, issuer TEXT NOT NULL, agency TEXT NOT NULL,
               signer TEXT NOT NULL);
             CREATE INDEX IF NOT EXISTS usage_day ON usage(day);",
        )?;
        Ok(Store { db: Mutex::new(db) })
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (it
        // rolls back), so a poisoned lock is still usable.
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stores a verified submission and its usage in one transaction.
    pub fn add_submission(
        &self,
        at: u64,
        form: &Registration,
        pdf: &[u8],
        report: &serde_json::Value,
        usage: &[UsageEvent],
    ) -> Result<i64, Error> {
        let mut db = self.db();
        let tx = db.transaction()?;
        tx.execute(
            "INSERT INTO submissions (created_at, full_name, cccd, business_name, address,
               business_line, agency, file_name, pdf, report)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                at as i64,
                form.full_name,
                form.cccd,
                form.business_name,
                form.address,
                form.business_line,
                form.agency,
                form.file_name,
                pdf,
                report.to_string()
            ],
        )?;
        let id = tx.last_insert_rowid();
        record(&tx, usage)?;
        tx.commit()?;
        Ok(id)
    }

    pub fn submission(&self, id: i64) -> Result<Option<Submission>, Error> {
        let db = self.db();
        let row = db
            .query_row(
                "SELECT id, created_at, full_name, cccd, business_name, address, business_line,
                        agency, file_name, report FROM submissions WHERE id = ?1",
                [id],
                |r| {
                    Ok(Submission {
                        id: r.get(0)?,
                        created_at: r.get::<_, i64>(1)? as u64,
                        form: Registration {
                            full_name: r.get(2)?,
                            cccd: r.get(3)?,
                            business_name: r.get(4)?,
                            address: r.get(5)?,
                            business_line: r.get(6)?,
                            agency: r.get(7)?,
                            file_name: r.get(8)?,
                        },
                        report: json(r.get::<_, String>(9)?),
                    })
                },
            )
            .optional()?;
        Ok(row)
    }

    pub fn submission_pdf(&self, id: i64) -> Result<Option<Vec<u8>>, Error> {
        Ok(self
            .db()
            .query_row("SELECT pdf FROM submissions WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Stores a document the leader approved.
    pub fn add_document(
        &self,
        at: u64,
        title: &str,
        organization: &str,
        pdf: &[u8],
        report: &serde_json::Value,
        usage: &[UsageEvent],
    ) -> Result<i64, Error> {
        let mut db = self.db();
        let tx = db.transaction()?;
        tx.execute(
            "INSERT INTO documents (created_at, title, organization, status, pdf, report)
             VALUES (?1, ?2, ?3, 'approved', ?4, ?5)",
            params![at as i64, title, organization, pdf, report.to_string()],
        )?;
        let id = tx.last_insert_rowid();
        record(&tx, usage)?;
        tx.commit()?;
        Ok(id)
    }

    /// Replaces an approved document by its issued version. `expected` is
    /// the approved PDF the caller checked the new one against: if another
    /// clerk issued it meanwhile, nothing changes and this says so.
    #[allow(clippy::too_many_arguments)]
    pub fn issue_document(
        &self,
        id: i64,
        expected: &[u8],
        doc_number: &str,
        issued_date: &str,
        pdf: &[u8],
        report: &serde_json::Value,
        usage: &[UsageEvent],
    ) -> Result<(), Error> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let changed = tx.execute(
            "UPDATE documents SET status = 'issued', doc_number = ?2, issued_date = ?3,
               pdf = ?4, report = ?5
             WHERE id = ?1 AND status = 'approved' AND pdf = ?6",
            params![
                id,
                doc_number,
                issued_date,
                pdf,
                report.to_string(),
                expected
            ],
        )?;
        if changed != 1 {
            return Err(Error::WrongState {
                vi: "Văn bản đã được ban hành trong lúc này".into(),
                en: "The document was issued meanwhile".into(),
            });
        }
        record(&tx, usage)?;
        tx.commit()?;
        Ok(())
    }

    pub fn document(&self, id: i64) -> Result<Option<Document>, Error> {
        let db = self.db();
        Ok(db
            .query_row(
                "SELECT id, created_at, title, organization, status, doc_number, issued_date, report
                 FROM documents WHERE id = ?1",
                [id],
                |r| document(r, true),
            )
            .optional()?)
    }

    pub fn document_pdf(&self, id: i64) -> Result<Option<Vec<u8>>, Error> {
        Ok(self
            .db()
            .query_row("SELECT pdf FROM documents WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Every document, newest first, without reports.
    pub fn documents(&self) -> Result<Vec<Document>, Error> {
        let db = self.db();
        let mut stmt = db.prepare(
            "SELECT id, created_at, title, organization, status, doc_number, issued_date, NULL
             FROM documents ORDER BY id DESC LIMIT 200",
        )?;
        let rows = stmt.query_map([], |r| document(r, false))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records a login (no document to store with it).
    pub fn add_usage(&self, usage: &[UsageEvent]) -> Result<(), Error> {
        let mut db = self.db();
        let tx = db.transaction()?;
        record(&tx, usage)?;
        tx.commit()?;
        Ok(())
    }

    /// Counts per `column` (`day`, `issuer`, `agency`, `kind`) since `since_day`
    /// (YYYY-MM-DD, Vietnam time).
    pub fn usage_counts(&self, column: UsageColumn, since_day: &str) -> Result<Counts, Error> {
        let (col, order) = match column {
            UsageColumn::Day => ("day", "day ASC"),
            UsageColumn::Issuer => ("issuer", "n DESC, issuer ASC"),
            UsageColumn::Agency => ("agency", "n DESC, agency ASC"),
            UsageColumn::Kind => ("kind", "n DESC, kind ASC"),
        };
        let db = self.db();
        let mut stmt = db.prepare(&format!(
            "SELECT {col}, COUNT(*) AS n FROM usage WHERE day >= ?1 GROUP BY {col} ORDER BY {order}"
        ))?;
        let rows = stmt.query_map([since_day], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The grouping columns of the usage table (a closed list: it goes into SQL).
#[derive(Clone, Copy, Debug)]
pub enum UsageColumn {
    Day,
    Issuer,
    Agency,
    Kind,
}

fn record(tx: &rusqlite::Transaction<'_>, usage: &[UsageEvent]) -> Result<(), Error> {
    for u in usage {
        tx.execute(
            "INSERT INTO usage (at, day, kind, issuer, agency, signer) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![u.at as i64, vietnam_day(u.at), u.kind, u.issuer, u.agency, u.signer],
        )?;
    }
    Ok(())
}

/// The calendar day in Vietnam (UTC+7, no daylight saving) of a Unix time:
/// agencies report per local day.
pub fn vietnam_day(unix: u64) -> String {
    kyso_core::time::from_unix(unix + 7 * 3600)
        .map(|t| t.to_string().chars().take(10).collect())
        .unwrap_or_default()
}

fn document(r: &rusqlite::Row<'_>, with_report: bool) -> rusqlite::Result<Document> {
    Ok(Document {
        id: r.get(0)?,
        created_at: r.get::<_, i64>(1)? as u64,
        title: r.get(2)?,
        organization: r.get(3)?,
        status: r.get(4)?,
        doc_number: r.get(5)?,
        issued_date: r.get(6)?,
        report: if with_report {
            Some(json(r.get::<_, String>(7)?))
        } else {
            None
        },
    })
}

fn json(text: String) -> serde_json::Value {
    serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(at: u64, kind: &'static str, issuer: &str, agency: &str) -> UsageEvent {
        UsageEvent {
            at,
            kind,
            issuer: issuer.into(),
            agency: agency.into(),
            signer: "Nguyễn Văn An".into(),
        }
    }

    #[test]
    fn day_is_vietnam_local() {
        // 2026-11-24T17:30:00Z is 00:30 on the 25th in Hà Nội.
        assert_eq!(vietnam_day(1_795_541_400), "2026-11-25");
        assert_eq!(vietnam_day(1_795_536_000), "2026-11-24");
    }

    #[test]
    fn usage_is_counted_per_day_issuer_agency_and_kind() {
        let s = Store::open(Path::new(":memory:")).unwrap();
        let day1 = 1_795_500_000; // 2026-11-24 (VN)
        let day2 = day1 + 86_400;
        s.add_submission(
            day1,
            &Registration::default(),
            b"%PDF",
            &serde_json::json!({}),
            &[event(day1, "citizen", "CA A", "UBND phường Bến Nghé")],
        )
        .unwrap();
        s.add_usage(&[
            event(day2, "login", "CA B", "Sở Tư pháp"),
            event(day2, "citizen", "CA A", "UBND phường Bến Nghé"),
        ])
        .unwrap();
        let days = s.usage_counts(UsageColumn::Day, "2000-01-01").unwrap();
        assert_eq!(
            days,
            vec![("2026-11-24".into(), 1), ("2026-11-25".into(), 2)]
        );
        let issuers = s.usage_counts(UsageColumn::Issuer, "2000-01-01").unwrap();
        assert_eq!(issuers, vec![("CA A".into(), 2), ("CA B".into(), 1)]);
        let agencies = s.usage_counts(UsageColumn::Agency, "2000-01-01").unwrap();
        assert_eq!(agencies[0], ("UBND phường Bến Nghé".into(), 2));
        let since = s.usage_counts(UsageColumn::Kind, "2026-11-25").unwrap();
        assert_eq!(since, vec![("citizen".into(), 1), ("login".into(), 1)]);
    }

    #[test]
    fn a_document_is_issued_once() {
        let s = Store::open(Path::new(":memory:")).unwrap();
        let r = serde_json::json!({"indication": "TOTAL_PASSED"});
        let id = s
            .add_document(1, "Quyết định", "UBND", b"%PDF-approved", &r, &[])
            .unwrap();
        assert_eq!(s.document(id).unwrap().unwrap().status, "approved");
        s.issue_document(
            id,
            b"%PDF-approved",
            "12/QĐ",
            "25/11/2026",
            b"%PDF-approved+",
            &r,
            &[],
        )
        .unwrap();
        let d = s.document(id).unwrap().unwrap();
        assert_eq!(
            (d.status.as_str(), d.doc_number.as_deref()),
            ("issued", Some("12/QĐ"))
        );
        assert_eq!(s.document_pdf(id).unwrap().unwrap(), b"%PDF-approved+");
        let again = s.issue_document(id, b"%PDF-approved", "13", "x", b"y", &r, &[]);
        assert!(matches!(again, Err(Error::WrongState { .. })));
        assert!(s.document(id + 1).unwrap().is_none());
        assert_eq!(s.documents().unwrap().len(), 1);
    }

    #[test]
    fn data_survives_reopening() {
        let dir = std::env::temp_dir().join(format!("kyso-demo-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("demo.sqlite3");
        let _ = std::fs::remove_file(&path);
        let id = {
            let s = Store::open(&path).unwrap();
            let form = Registration {
                full_name: "Nguyễn Văn An".into(),
                ..Default::default()
            };
            s.add_submission(5, &form, b"%PDF", &serde_json::json!({"a": 1}), &[])
                .unwrap()
        };
        let s = Store::open(&path).unwrap();
        let sub = s.submission(id).unwrap().unwrap();
        assert_eq!(sub.form.full_name, "Nguyễn Văn An");
        assert_eq!(sub.report["a"], 1);
        assert_eq!(s.submission_pdf(id).unwrap().unwrap(), b"%PDF");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
