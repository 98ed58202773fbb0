//! The Decree 30/2020 Appendix I roles a visible signature can take.

use std::str::FromStr;

use crate::Error;

/// Decree 30/2020 Appendix I roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The competent person approves the document: their handwritten
    /// signature image with name and signing time.
    Approved,
    /// The organisation issues the document: its seal beside the leader's
    /// signature, with document number and date.
    Issued,
    /// A copy certified by the organisation: red bordered text stamp.
    Copy,
    /// An appendix or attachment signed by the organisation: like a copy.
    Appendix,
    /// The "ĐẾN" (received) stamp of the receiving organisation.
    Incoming,
}

impl FromStr for Role {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "approved" => Ok(Role::Approved),
            "issued" => Ok(Role::Issued),
            "copy" => Ok(Role::Copy),
            "appendix" => Ok(Role::Appendix),
            "incoming" => Ok(Role::Incoming),
            _ => Err(Error::InvalidValue(
                "role (approved, issued, copy, appendix or incoming)",
            )),
        }
    }
}

impl Role {
    /// The role of a visible signature: the one asked for, else `Issued`
    /// when a seal image is given, else `Approved`.
    pub fn implied(asked: Option<Role>, has_seal: bool) -> Role {
        asked.unwrap_or(if has_seal {
            Role::Issued
        } else {
            Role::Approved
        })
    }

    /// The name accepted by [`Role::from_str`].
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Approved => "approved",
            Role::Issued => "issued",
            Role::Copy => "copy",
            Role::Appendix => "appendix",
            Role::Incoming => "incoming",
        }
    }

    /// The default widget rectangle `[x, y, w, h]` for the role on a page of
    /// the given size (PDF user units, origin bottom-left). The seal of
    /// `Issued` is a 90 pt square over the left third of where the leader's
    /// `Approved` signature goes; copy and appendix stamps sit top right, the
    /// incoming stamp top left. Kept on the page when the page is small.
    pub fn default_rect(self, page_width: f64, page_height: f64) -> [f64; 4] {
        let approved_x = (page_width - 72.0 - 180.0).max(0.0);
        match self {
            Role::Approved => [approved_x, 120.0, 180.0, 80.0],
            Role::Issued => [(approved_x - 30.0).max(0.0), 115.0, 90.0, 90.0],
            Role::Copy | Role::Appendix => [
                (page_width - 36.0 - 220.0).max(0.0),
                (page_height - 36.0 - 70.0).max(0.0),
                220.0,
                70.0,
            ],
            Role::Incoming => [36.0, (page_height - 36.0 - 70.0).max(0.0), 200.0, 70.0],
        }
    }
}
