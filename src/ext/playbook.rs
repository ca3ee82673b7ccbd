//! Where `LOAD cloudfront` puts the hunting playbook, and `cloudfront_playbook()`.
//!
//! The C API cannot register macros, so the extension runs each playbook file's statement on a
//! connection of its own. Where they land matters for the user's data:
//! - Always into an in-memory catalog the extension attaches, `cloudfront` (or
//!   `cloudfront_playbook` when that name is taken, e.g. by a database file `cloudfront.db`):
//!   `cloudfront.cf_hunt('events')` works in every session, on read-only databases too, and
//!   nothing is written to the user's database. A macro that calls another playbook macro
//!   calls it qualified (rewritten here), because DuckDB binds a macro's body with the caller's
//!   search path, where the catalog is not.
//! - When the default database is in-memory (the shell without a file, `duckdb.connect()`),
//!   also there, so unqualified calls work: with `CREATE MACRO`, never `OR REPLACE`, so a
//!   user's own object of the same name stays (and the listing says so).
//! - When the default database is a file, nothing is written into it (a macro stored there
//!   would outlive the extension, fail without it, or shadow a newer version). Unqualified calls
//!   then need `SET search_path = current_database() || ',cloudfront'` in the session.
//!
//! `cloudfront_playbook()` lists every macro with where it was installed and, when not also
//! unqualified, why. Each macro LOAD creates also gets its question and parameters as a
//! `COMMENT ON MACRO` (accepted by DuckDB 1.5.6 and 2.0.x in both places), so
//! `duckdb_functions().comment` describes it.

use std::sync::Arc;

use super::capi::{Connection, Signature, Type};
use super::catalog::Table;
use super::static_table::{Cell, StaticTable};
use crate::playbook::macros;

/// The catalog names tried for the playbook, in order.
pub const CATALOG_NAMES: [&str; 2] = ["cloudfront", "cloudfront_playbook"];

/// Runs one statement on `con`; DuckDB's message on failure.
fn execute(con: &Connection, sql: &str) -> Result<(), String> {
    con.execute(sql).map_err(|e| e.to_string())
}

/// The first value of a query's result as text (None for no row, NULL or an error).
fn query_text(con: &Connection, sql: &str) -> Option<String> {
    con.query_first_text(sql).ok().flatten()
}

/// Sets the macro's comment (`duckdb_functions().comment`): its question and parameters. The
/// playbook's macros are table macros; a scalar one is commented as such.
fn comment(con: &Connection, target: &str, m: &crate::playbook::Macro) -> Result<(), String> {
    let text = literal(&format!("{} Parameters: {}.", m.question, m.parameters));
    execute(con, &format!("COMMENT ON MACRO TABLE {target} IS {text}"))
        .or_else(|_| execute(con, &format!("COMMENT ON MACRO {target} IS {text}")))
}

/// A SQL string literal.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// What LOAD did with one macro.
#[derive(Clone, Debug)]
struct Installed {
    /// How to call it qualified (`cloudfront.cf_summary`), when the catalog has it.
    qualified: Option<String>,
    /// Whether an unqualified call reaches it, and if not why.
    note: String,
}

/// Installs the playbook (see the module documentation) and returns, per macro in file order,
/// where it went. Never fails: whatever could not be installed is reported by the listing.
fn install(con: &Connection) -> Vec<Installed> {
    let all = macros();
    let names = all_macro_names(all.iter().map(|m| m.sql));
    let (catalog, catalog_error) = attach_catalog(con);
    let default_db = query_text(con, "SELECT current_database()").unwrap_or_else(|| "memory".into());
    let default_is_memory = query_text(
        con,
        &format!("SELECT path IS NULL AND NOT readonly FROM duckdb_databases() WHERE database_name = {}", literal(&default_db)),
    )
    .is_some_and(|v| v == "true");

    let mut out = Vec::with_capacity(all.len());
    let mut comment_errors: Vec<String> = Vec::new();
    for m in &all {
        let qualified = match &catalog {
            Some(cat) => match execute(con, &rewrite(m.sql, &names, Some(cat), Create::OrReplace(cat))) {
                Ok(()) => {
                    if let Err(e) = comment(con, &format!("{cat}.main.{}", m.name), m) {
                        comment_errors.push(format!("{cat}.{}: {e}", m.name));
                    }
                    Some(format!("{cat}.{}", m.name))
                }
                Err(e) => {
                    out.push(Installed { qualified: None, note: format!("not installed: {e}") });
                    continue;
                }
            },
            None => None,
        };
        let call = qualified.clone().unwrap_or_else(|| m.name.clone());
        let mut note = if default_is_memory {
            // Also unqualified, in the in-memory default database, without replacing anything.
            match execute(con, &rewrite(m.sql, &names, catalog.as_deref(), Create::New)) {
                Ok(()) => {
                    if let Err(e) = comment(con, &format!("{default_db}.main.{}", m.name), m) {
                        comment_errors.push(format!("{default_db}.main.{}: {e}", m.name));
                    }
                    format!("also callable unqualified: created in {default_db}.main")
                }
                Err(e) if e.contains("already exists") => format!(
                    "not created unqualified: {default_db}.main already has an object named {}, which LOAD leaves as it is; call {call}",
                    m.name
                ),
                Err(e) => format!("not created unqualified ({e}); call {call}"),
            }
        } else {
            let shadow = query_text(
                con,
                &format!(
                    "SELECT count(*) FROM duckdb_functions() WHERE database_name = {} AND function_name = {}",
                    literal(&default_db),
                    literal(&m.name)
                ),
            )
            .is_some_and(|n| n != "0");
            let mut note = format!(
                "not created unqualified: the default database {default_db} is a file or read-only, which LOAD never writes to; \
                 call {call}"
            );
            if let Some(cat) = &catalog {
                note.push_str(&format!(", or SET search_path = current_database() || ',{cat}'"));
            }
            if shadow {
                note.push_str(&format!(
                    "; note: {default_db} itself has a macro or function named {} (yours, or stored by an older version of this \
                     extension), which unqualified calls reach first; DROP MACRO TABLE {default_db}.main.{} removes an old one",
                    m.name, m.name
                ));
            }
            note
        };
        if !comment_errors.is_empty() {
            note.push_str(&format!("; its comment could not be set ({})", comment_errors.join("; ")));
            comment_errors.clear();
        }
        out.push(Installed { qualified, note });
    }
    if let Some(e) = catalog_error {
        for i in &mut out {
            i.note = format!("{}; the playbook catalog could not be attached: {e}", i.note);
        }
    }
    out
}

/// Attaches the in-memory playbook catalog under the first free name of `CATALOG_NAMES`.
fn attach_catalog(con: &Connection) -> (Option<String>, Option<String>) {
    let mut last_error = None;
    for name in CATALOG_NAMES {
        let taken = query_text(con, &format!("SELECT count(*) FROM duckdb_databases() WHERE database_name = {}", literal(name)))
            .is_some_and(|n| n != "0");
        if taken {
            last_error = Some(format!("the name {name} is taken by an attached database"));
            continue;
        }
        // READ_WRITE: an instance opened read-only attaches read-only by default, and an
        // in-memory database cannot be read-only.
        match execute(con, &format!("ATTACH ':memory:' AS {name} (READ_WRITE)")) {
            Ok(()) => return (Some(name.to_string()), None),
            Err(e) => last_error = Some(e),
        }
    }
    (None, last_error)
}

/// How a rewritten statement creates its macro.
#[derive(Clone, Copy)]
enum Create<'a> {
    /// `CREATE OR REPLACE MACRO <catalog>.main.<name>`: the extension's own catalog.
    OrReplace(&'a str),
    /// `CREATE MACRO <name>`: in the default database, never replacing anything.
    New,
}

/// Every macro name a `CREATE ... MACRO` statement of the playbook defines.
fn all_macro_names<'a>(sqls: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut names = Vec::new();
    for sql in sqls {
        for tok in create_heads(sql) {
            names.push(sql[tok.name.clone()].to_ascii_lowercase());
        }
    }
    names
}

/// A `CREATE [OR REPLACE] [TEMP|TEMPORARY] MACRO name` in a statement: the byte range of the
/// words before the name, and of the name.
struct Head {
    words: std::ops::Range<usize>,
    name: std::ops::Range<usize>,
}

/// The identifiers of `sql` outside strings, quoted identifiers and comments, as byte ranges,
/// each with whether it is immediately preceded by a `.` (a qualified name).
fn identifiers(sql: &str) -> Vec<(std::ops::Range<usize>, bool)> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut after_dot = false;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\'' | b'"' => {
                // A string or quoted identifier; a doubled quote is part of it.
                i += 1;
                while i < b.len() {
                    if b[i] == c {
                        if b.get(i + 1) == Some(&c) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
                after_dot = false;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 2;
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$') {
                    i += 1;
                }
                out.push((start..i, after_dot));
                after_dot = false;
            }
            b'.' => {
                after_dot = true;
                i += 1;
            }
            _ => {
                if !c.is_ascii_whitespace() {
                    after_dot = false;
                }
                i += 1;
            }
        }
    }
    out
}

fn create_heads(sql: &str) -> Vec<Head> {
    let ids = identifiers(sql);
    let word = |k: usize| ids.get(k).map(|(r, _)| sql[r.clone()].to_ascii_lowercase());
    let mut heads = Vec::new();
    let mut k = 0;
    while k < ids.len() {
        if word(k).as_deref() == Some("create") {
            let mut j = k + 1;
            if word(j).as_deref() == Some("or") && word(j + 1).as_deref() == Some("replace") {
                j += 2;
            }
            if matches!(word(j).as_deref(), Some("temp" | "temporary")) {
                j += 1;
            }
            if word(j).as_deref() == Some("macro") {
                if let Some((name, false)) = ids.get(j + 1).cloned() {
                    heads.push(Head { words: ids[k].0.start..ids[j].0.end, name });
                    k = j + 2;
                    continue;
                }
            }
        }
        k += 1;
    }
    heads
}

/// The statement with its `CREATE ... MACRO` heads as `create` says, and every call of a
/// playbook macro (`name(`, not already qualified) qualified with `catalog` when given.
fn rewrite(sql: &str, names: &[String], catalog: Option<&str>, create: Create) -> String {
    let heads = create_heads(sql);
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for h in &heads {
        let name = &sql[h.name.clone()];
        let text = match create {
            Create::OrReplace(cat) => format!("CREATE OR REPLACE MACRO {cat}.main.{name}"),
            Create::New => format!("CREATE MACRO {name}"),
        };
        edits.push((h.words.start..h.name.end, text));
    }
    if let Some(cat) = catalog {
        for (r, qualified) in identifiers(sql) {
            if qualified || heads.iter().any(|h| h.name == r) {
                continue;
            }
            let is_call = sql[r.end..].trim_start().starts_with('(');
            if is_call && names.iter().any(|n| n.eq_ignore_ascii_case(&sql[r.clone()])) {
                edits.push((r.start..r.start, format!("{cat}.main.")));
            }
        }
    }
    edits.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(sql.len() + 64);
    let mut at = 0;
    for (r, text) in edits {
        out.push_str(&sql[at..r.start]);
        out.push_str(&text);
        at = r.end;
    }
    out.push_str(&sql[at..]);
    out
}

/// `cloudfront_playbook()`: every macro with where LOAD put it.
pub const LISTING: Table = Table {
    signature: Signature { name: "cloudfront_playbook", parameters: &[], named: &[] },
    columns: Some(&[
        ("name", Type::Varchar),
        ("question", Type::Varchar),
        ("parameters", Type::Varchar),
        ("sql", Type::Varchar),
        ("temp_sql", Type::Varchar),
        ("installed_as", Type::Varchar),
        ("note", Type::Varchar),
    ]),
    description: "Every hunting macro: name, question, parameters, sql, temp_sql, and where LOAD put it (installed_as, e.g. cloudfront.cf_hunt; note: whether also unqualified, and why not).",
    example: "FROM cloudfront_playbook()",
};

/// Installs the playbook, then registers `cloudfront_playbook()`, which lists every macro with
/// where LOAD put it. Only the registration can fail LOAD; the installation reports instead.
pub fn install_and_register_listing(con: &Connection) -> Result<(), super::capi::Error> {
    let installed = Arc::new(install(con));
    let rows = move || {
        macros()
            .into_iter()
            .zip(installed.iter())
            .map(|(m, i)| {
                let temp = m.temp_sql();
                vec![
                    Cell::Text(m.name),
                    Cell::Text(m.question),
                    Cell::Text(m.parameters),
                    Cell::Text(m.sql.to_string()),
                    Cell::Text(temp),
                    i.qualified.clone().map(Cell::Text).unwrap_or(Cell::Null),
                    Cell::Text(i.note.clone()),
                ]
            })
            .collect()
    };
    StaticTable::new(&LISTING, rows).register(con)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HUNT: &str = "-- cf_hunt: calls cf_scrapers(tbl) in this comment\n\
CREATE OR REPLACE MACRO cf_hunt(tbl) AS TABLE\n\
WITH a AS (SELECT 'cf_scrapers' AS hunt, 'x cf_ddos(y)' AS s, * FROM cf_scrapers(tbl)),\n\
b AS (SELECT * FROM CF_DDOS (tbl, k := 2) /* cf_ddos(t) */), c AS (SELECT * FROM cloudfront.main.cf_geo(tbl))\n\
SELECT cf_scrapers, \"cf_ddos\"(1) FROM a, b, query_table(tbl), read_cloudfront_parquet('p');\n";

    fn names() -> Vec<String> {
        ["cf_hunt", "cf_scrapers", "cf_ddos", "cf_geo", "read_cloudfront_parquet"].map(String::from).to_vec()
    }

    #[test]
    fn heads_and_names() {
        assert_eq!(all_macro_names([HUNT, "create temp macro X(a) as a; CREATE MACRO y(b) AS b"].into_iter()), ["cf_hunt", "x", "y"]);
        assert!(create_heads("SELECT 'CREATE MACRO z(' AS s").is_empty());
    }

    #[test]
    fn calls_are_qualified_outside_strings_and_comments() {
        let got = rewrite(HUNT, &names(), Some("cloudfront"), Create::OrReplace("cloudfront"));
        let want = "-- cf_hunt: calls cf_scrapers(tbl) in this comment\n\
CREATE OR REPLACE MACRO cloudfront.main.cf_hunt(tbl) AS TABLE\n\
WITH a AS (SELECT 'cf_scrapers' AS hunt, 'x cf_ddos(y)' AS s, * FROM cloudfront.main.cf_scrapers(tbl)),\n\
b AS (SELECT * FROM cloudfront.main.CF_DDOS (tbl, k := 2) /* cf_ddos(t) */), c AS (SELECT * FROM cloudfront.main.cf_geo(tbl))\n\
SELECT cf_scrapers, \"cf_ddos\"(1) FROM a, b, query_table(tbl), cloudfront.main.read_cloudfront_parquet('p');\n";
        assert_eq!(got, want);
    }

    #[test]
    fn default_database_copies_are_created_never_replaced() {
        let got = rewrite(HUNT, &names(), Some("cloudfront"), Create::New);
        assert!(got.contains("\nCREATE MACRO cf_hunt(tbl) AS TABLE\n"), "{got}");
        assert!(got.contains("FROM cloudfront.main.cf_scrapers(tbl)"));
        let plain = rewrite(HUNT, &names(), None, Create::New);
        assert!(plain.contains("FROM cf_scrapers(tbl)") && plain.contains("\nCREATE MACRO cf_hunt(tbl)"));
    }

    /// Every embedded playbook file is rewritten into a statement whose only CREATE is ours.
    #[test]
    fn every_playbook_file_rewrites() {
        let all = macros();
        let names = all_macro_names(all.iter().map(|m| m.sql));
        for m in &all {
            let sql = rewrite(m.sql, &names, Some("cloudfront"), Create::OrReplace("cloudfront"));
            assert_eq!(create_heads(&sql).len(), 1, "{}", m.file);
            assert!(sql.contains(&format!("CREATE OR REPLACE MACRO cloudfront.main.{}", m.name)), "{}", m.file);
        }
    }
}
