//! The catalogue of what the extension provides, built from the metadata tables (the scalar
//! table in `scalars`, the table-function definitions next to each table function, the playbook's
//! headers): `cloudfront_functions()` and `docs/function_descriptions.csv` (the community
//! extensions registry's format) both come from here, so adding a function is one table entry.
//!
//! DuckDB's C API (v1.5.6) can neither name scalar parameters (`duckdb_functions()` shows
//! `col0`) nor attach descriptions, so this listing is where the shell, BI tools and users
//! discover them.

use super::capi::{Connection, Error, Scalar, Signature, Type};
use super::static_table::{Cell, StaticTable};
use crate::playbook::Macro;

/// A table function's definition: what registration and documentation need.
pub struct Table {
    pub signature: Signature,
    /// The result columns when they are fixed (None: they depend on the input).
    pub columns: Option<&'static [(&'static str, Type)]>,
    pub description: &'static str,
    /// A query that runs as is after LOAD, from the repository's root.
    pub example: &'static str,
}

impl Table {
    /// `name(params) -> TABLE(columns)` (columns when fixed).
    pub fn signature_text(&self) -> String {
        let head = self.signature.text();
        match self.columns {
            Some(cols) => {
                let cols: Vec<String> = cols.iter().map(|(n, t)| format!("{n} {}", t.sql())).collect();
                format!("{head} -> TABLE({})", cols.join(", "))
            }
            None => head,
        }
    }
}

/// One documented function or macro.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub name: String,
    /// `scalar`, `table` or `table_macro`.
    pub kind: &'static str,
    pub signature: String,
    pub description: String,
    pub example: String,
    /// What else a user should know: the NULL contract of a scalar, where a macro lives.
    pub comment: String,
}

/// `cloudfront_functions()` itself.
pub const FUNCTIONS: Table = Table {
    signature: Signature { name: "cloudfront_functions", parameters: &[], named: &[] },
    columns: Some(&[
        ("name", Type::Varchar),
        ("kind", Type::Varchar),
        ("signature", Type::Varchar),
        ("description", Type::Varchar),
        ("example", Type::Varchar),
    ]),
    description: "This listing: every native function with its signature, description and a runnable example.",
    example: "FROM cloudfront_functions()",
};

/// Every table function's definition.
pub fn tables() -> [&'static Table; 7] {
    [
        &super::read_cloudfront::ROWS,
        &super::read_cloudfront::REJECTS,
        &super::read_cloudfront_files::FILES,
        &super::playbook::LISTING,
        &super::scalars::EDGE_LOCATIONS,
        &super::scalars::CRAWLER_RANGES,
        &FUNCTIONS,
    ]
}

/// Every scalar's definition.
pub fn scalars() -> impl Iterator<Item = &'static Scalar> {
    std::iter::once(&super::version::SCALAR).chain(super::scalars::SCALARS)
}

/// Every native function, tables first.
pub fn native() -> Vec<Entry> {
    let tables = tables().into_iter().map(|t| Entry {
        name: t.signature.name.to_string(),
        kind: "table",
        signature: t.signature_text(),
        description: t.description.to_string(),
        example: t.example.to_string(),
        comment: String::new(),
    });
    let scalars = scalars().map(|s| Entry {
        name: s.name.to_string(),
        kind: "scalar",
        signature: s.signature(),
        description: s.description.to_string(),
        example: s.example.to_string(),
        comment: format!("{}.", s.null_input.text()),
    });
    tables.chain(scalars).collect()
}

/// A playbook macro as a documented entry.
pub fn macro_entry(m: &Macro) -> Entry {
    Entry {
        name: m.name.clone(),
        kind: "table_macro",
        signature: format!("{}({})", m.name, m.parameters),
        description: m.summary.clone(),
        example: m.example(),
        comment: format!("Table macro of the playbook (sql/{}). {}", m.file, m.question),
    }
}

/// One CSV field: quoted only when it holds a comma, a quote or a line break (RFC 4180's
/// minimal quoting), line breaks flattened to spaces so that every record is one line.
fn csv_field(s: &str) -> String {
    let flat = s.replace(['\r', '\n'], " ");
    if flat.contains([',', '"']) {
        format!("\"{}\"", flat.replace('"', "\"\""))
    } else {
        flat
    }
}

/// `docs/function_descriptions.csv`: `function,description,comment,example` for every native
/// function and every playbook macro, by name.
pub fn descriptions_csv(macros: &[Macro]) -> String {
    let mut entries = native();
    entries.extend(macros.iter().map(macro_entry));
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out = String::from("function,description,comment,example\n");
    for e in &entries {
        let comment = if e.comment.is_empty() { e.signature.clone() } else { format!("{}. {}", e.signature, e.comment) };
        let fields = [csv_field(&e.name), csv_field(&e.description), csv_field(&comment), csv_field(&e.example)];
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

/// Registers `cloudfront_functions()`.
pub fn register_listing(con: &Connection) -> Result<(), Error> {
    let rows = || {
        native()
            .into_iter()
            .map(|e| [e.name, e.kind.to_string(), e.signature, e.description, e.example].into_iter().map(Cell::Text).collect())
            .collect()
    };
    StaticTable::new(&FUNCTIONS, rows).register(con)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn every_native_function_is_documented_once() {
        let all = native();
        let mut names: Vec<&str> = all.iter().map(|e| e.name.as_str()).collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n, "a function is listed twice");
        assert_eq!(n, tables().len() + scalars().count());
        for e in &all {
            assert!(!e.description.is_empty() && !e.example.is_empty(), "{} lacks a description or example", e.name);
            assert!(e.signature.starts_with(&format!("{}(", e.name)), "{}", e.signature);
            assert!(e.example.contains(&e.name), "the example of {} does not call it", e.name);
        }
    }

    /// docs/reference.md has a section for every native function.
    #[test]
    fn every_native_function_has_a_reference_section() {
        let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/reference.md")).unwrap();
        // `### name`, `### a, b` or `#### name: what it is for`.
        let headings: Vec<&str> = doc
            .lines()
            .filter(|l| l.starts_with("###"))
            .map(|l| l.trim_start_matches('#').trim().split(':').next().unwrap_or(""))
            .collect();
        for e in native() {
            assert!(headings.iter().any(|h| h.split(", ").any(|n| n == e.name)), "docs/reference.md has no heading for {}", e.name);
        }
    }

    #[test]
    fn csv_quotes_minimally() {
        assert_eq!(csv_field("plain text"), "plain text");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "two lines");
    }

    /// docs/function_descriptions.csv is generated from the tables; regenerate it with
    /// `make generated` (CF_UPDATE_GENERATED=1 cargo test) after changing a function or macro.
    #[test]
    fn generated_function_descriptions_csv() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/function_descriptions.csv");
        let want = descriptions_csv(&crate::playbook::macros());
        cloudfront_core::generated::check(&path, &want);
        // Every function and every macro has a row.
        let rows = want.lines().count() - 1;
        assert_eq!(rows, native().len() + crate::playbook::macros().len());
    }
}
