//! What a visible signature shows: the input of [`super::build`].

use super::role::Role;

/// What a visible signature shows.
#[derive(Clone, Debug)]
pub struct AppearanceSpec<'a> {
    /// Which of the Decree 30 stamps is drawn.
    pub role: Role,
    /// The widget width in points.
    pub width: f64,
    /// The widget height in points.
    pub height: f64,
    /// The signer as shown, e.g. "Nguyễn Thị Ánh".
    pub signer_name: String,
    /// e.g. "Ủy ban nhân dân phường Bến Nghé".
    pub organization: Option<String>,
    /// Already formatted, ISO 8601 with the offset, e.g.
    /// "2026-11-25T15:04:05+07:00".
    pub signing_time: String,
    /// The document's number and symbol, e.g. "12/QĐ-UBND".
    pub doc_number: Option<String>,
    /// e.g. "25/11/2026".
    pub issued_date: Option<String>,
    /// Shown as "Lý do: …" under the signing time.
    pub reason: Option<String>,
    /// PNG: the leader's handwritten signature (drawn for `Approved`).
    pub image: Option<&'a [u8]>,
    /// PNG: the organisation's seal (drawn for `Issued`).
    pub seal: Option<&'a [u8]>,
    /// TrueType font bytes (`BUNDLED_FONT` when built with it).
    pub font: &'a [u8],
}
