//! The reader's named parameters that shape a scan (`format`, `fields`, `max_line_size`), each
//! parsed once into [`ScanOptions`] with a typed error. The DuckDB layer only extracts the
//! values; what they mean, and which are refused, is decided (and unit-tested) here.

use std::fmt;

use super::fields::Family;
use super::scan::{LayoutChoice, ScanOptions};

/// Largest accepted `max_line_size`: field offsets are 32-bit and a line is held whole in
/// memory, so 1 GiB.
pub const MAX_LINE_SIZE_LIMIT: i64 = 1 << 30;

/// A named parameter the reader refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionError {
    /// `format :=` names no layout we know (the message lists the accepted ones).
    Format(String),
    /// `fields := []`.
    NoFields,
    /// `fields :=` holds a NULL.
    NullField,
    /// `max_line_size :=` outside 1 ..= [`MAX_LINE_SIZE_LIMIT`].
    MaxLineSize(i64),
}

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionError::Format(message) => f.write_str(message),
            OptionError::NoFields => f.write_str("fields must name at least one field"),
            OptionError::NullField => f.write_str("fields must not contain NULL"),
            OptionError::MaxLineSize(_) => write!(f, "max_line_size must be between 1 and {MAX_LINE_SIZE_LIMIT} (1 GiB)"),
        }
    }
}

impl std::error::Error for OptionError {}

impl ScanOptions {
    /// `format := 'auto' | 'w3c' | 'json' | 'realtime' | 'plain'`.
    pub fn set_format(&mut self, format: &str) -> Result<(), OptionError> {
        let (layout, family) = LayoutChoice::parse(format).map_err(OptionError::Format)?;
        self.layout = layout;
        self.family = family;
        Ok(())
    }

    /// `fields := [...]`, or the preset `'realtime'` (the documented default order of real-time
    /// log fields). Call after [`ScanOptions::set_format`]: headerless files with named fields
    /// are real-time logs unless a format (`'plain'`, v2's plain output) says otherwise.
    pub fn set_fields(&mut self, fields: Vec<String>) -> Result<(), OptionError> {
        if fields.is_empty() {
            return Err(OptionError::NoFields);
        }
        if fields.len() == 1 && matches!(fields[0].to_ascii_lowercase().as_str(), "realtime" | "real-time") {
            self.family = Family::RealTime;
            self.fields = None;
            self.fields = self.headerless_fields();
            return Ok(());
        }
        self.fields = Some(fields);
        if self.layout == LayoutChoice::Auto {
            self.family = Family::RealTime;
        }
        Ok(())
    }

    /// `max_line_size := n` bytes.
    pub fn set_max_line_size(&mut self, n: i64) -> Result<(), OptionError> {
        if !(1..=MAX_LINE_SIZE_LIMIT).contains(&n) {
            return Err(OptionError::MaxLineSize(n));
        }
        self.max_line = n as usize;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::fields::REALTIME_DEFAULT_FIELDS;
    use crate::format::scan::Layout;

    #[test]
    fn format_names() {
        let mut o = ScanOptions::default();
        o.set_format("JSON").unwrap();
        assert_eq!((o.layout, o.family), (LayoutChoice::Fixed(Layout::Json), Family::Standard));
        o.set_format("real-time").unwrap();
        assert_eq!((o.layout, o.family), (LayoutChoice::Fixed(Layout::Tsv), Family::RealTime));
        let e = o.set_format("parquet").unwrap_err();
        assert!(e.to_string().starts_with("unknown format 'parquet'"), "{e}");
    }

    #[test]
    fn fields_make_headerless_logs_realtime_unless_a_format_says_otherwise() {
        let list = vec!["timestamp".to_string(), "c-ip".to_string()];
        let mut o = ScanOptions::default();
        o.set_fields(list.clone()).unwrap();
        assert_eq!((o.fields.as_deref(), o.family), (Some(list.as_slice()), Family::RealTime));
        let mut plain = ScanOptions::default();
        plain.set_format("plain").unwrap();
        plain.set_fields(list).unwrap();
        assert_eq!(plain.family, Family::Standard);
        assert_eq!(ScanOptions::default().set_fields(vec![]), Err(OptionError::NoFields));
    }

    #[test]
    fn the_realtime_preset_is_the_documented_order() {
        let mut o = ScanOptions::default();
        o.set_fields(vec!["RealTime".to_string()]).unwrap();
        assert_eq!(o.family, Family::RealTime);
        let want: Vec<String> = REALTIME_DEFAULT_FIELDS.iter().map(|s| s.to_string()).collect();
        assert_eq!(o.fields, Some(want));
    }

    #[test]
    fn max_line_size_bounds() {
        let mut o = ScanOptions::default();
        o.set_max_line_size(1).unwrap();
        o.set_max_line_size(MAX_LINE_SIZE_LIMIT).unwrap();
        assert_eq!(o.max_line, 1 << 30);
        for bad in [0, -1, MAX_LINE_SIZE_LIMIT + 1] {
            assert_eq!(o.set_max_line_size(bad), Err(OptionError::MaxLineSize(bad)));
        }
        assert_eq!(OptionError::MaxLineSize(0).to_string(), "max_line_size must be between 1 and 1073741824 (1 GiB)");
    }
}
