//! The hunting playbook as data: each `sql/*.sql` file holds one `CREATE OR REPLACE MACRO`
//! statement under a header comment. This module reads what the files say (name, question,
//! parameters) so `cloudfront_playbook()` can list them; `ext::playbook` installs them.

include!(concat!(env!("OUT_DIR"), "/playbook.rs"));

/// One playbook entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Macro {
    pub file: &'static str,
    pub name: String,
    /// The parameter list as written (`tbl, n := 20`).
    pub parameters: String,
    /// The question the hunt answers, from the header comment.
    pub question: String,
    /// What the macro is, from the header's first line (`-- cf_summary: <summary>`).
    pub summary: String,
    /// A call from the header's `-- Example:` line, if it has one.
    pub example_line: Option<String>,
    pub sql: &'static str,
}

impl Macro {
    /// A call that runs after LOAD: the header's example, or a call on the usual input named by
    /// the first parameter (a table `events`, Parquet files, a findings table).
    pub fn example(&self) -> String {
        if let Some(e) = &self.example_line {
            return e.clone();
        }
        let first = self.parameters.split(',').next().unwrap_or("").trim();
        let arg = match first {
            "path" => "'logs/*.parquet'",
            "findings_table" => "'findings'",
            _ => "'events'",
        };
        format!("FROM {}({arg})", self.name)
    }

    /// The same statement creating a TEMP macro (per connection), for read-only databases.
    pub fn temp_sql(&self) -> String {
        let lower = self.sql.to_ascii_lowercase();
        match lower.find("create or replace macro") {
            Some(i) => format!("{}CREATE OR REPLACE TEMP MACRO{}", &self.sql[..i], &self.sql[i + "create or replace macro".len()..]),
            None => self.sql.to_string(),
        }
    }
}

/// Parses one playbook file; None when it holds no `CREATE OR REPLACE MACRO`.
pub fn parse(file: &'static str, sql: &'static str) -> Option<Macro> {
    let lower = sql.to_ascii_lowercase();
    let start = lower.find("create or replace macro")? + "create or replace macro".len();
    let rest = &sql[start..];
    let open = rest.find('(')?;
    let name = rest[..open].trim().to_string();
    // Parameters end at the parenthesis that closes the opening one.
    let mut depth = 0usize;
    let mut close = None;
    for (i, c) in rest[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + i);
                    break;
                }
            }
            _ => {}
        }
    }
    let parameters = rest[open + 1..close?].split_whitespace().collect::<Vec<_>>().join(" ");
    let comments: Vec<&str> = sql
        .lines()
        .take_while(|l| l.trim().is_empty() || l.trim_start().starts_with("--"))
        .map(|l| l.trim_start().trim_start_matches('-').trim())
        .filter(|l| !l.is_empty())
        .collect();
    let question = comments
        .iter()
        .find_map(|l| l.strip_prefix("Question:").map(str::trim))
        .or_else(|| comments.iter().find(|l| l.ends_with('?')).copied())
        .or_else(|| comments.first().copied())
        .unwrap_or("")
        .to_string();
    let summary = comments
        .first()
        .map(|l| l.strip_prefix(&format!("{name}:")).unwrap_or(l).trim())
        .filter(|l| !l.starts_with("Question:"))
        .unwrap_or(&question)
        .to_string();
    let example_line = comments.iter().find_map(|l| l.strip_prefix("Example:").map(|e| e.trim().to_string()));
    Some(Macro { file, name, parameters, question, summary, example_line, sql })
}

/// Every macro of the embedded playbook, in file order.
pub fn macros() -> Vec<Macro> {
    PLAYBOOK.iter().filter_map(|(f, s)| parse(f, s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "-- cf_top_talkers: who sends the most requests?\n-- Question: Which clients send the most?\n\
-- Parameters: n := 20\nCREATE OR REPLACE MACRO cf_top_talkers(tbl, n := 20) AS TABLE\nSELECT 1 FROM query_table(tbl) LIMIT n;\n";

    #[test]
    fn parses_name_parameters_question() {
        let m = parse("x.sql", SAMPLE).unwrap();
        assert_eq!(m.name, "cf_top_talkers");
        assert_eq!(m.parameters, "tbl, n := 20");
        assert_eq!(m.question, "Which clients send the most?");
        assert_eq!(m.summary, "who sends the most requests?");
        assert_eq!(m.example(), "FROM cf_top_talkers('events')");
        assert!(m.temp_sql().contains("CREATE OR REPLACE TEMP MACRO cf_top_talkers(tbl, n := 20)"));
        assert!(parse("y.sql", "-- nothing\nSELECT 1;").is_none());
    }

    #[test]
    fn every_embedded_file_is_one_macro_with_a_question() {
        for (file, sql) in PLAYBOOK {
            let m = parse(file, sql).unwrap_or_else(|| panic!("{file} has no CREATE OR REPLACE MACRO"));
            assert!(!m.question.is_empty(), "{file} has no question in its header");
            assert!(!m.summary.is_empty(), "{file} has no summary line in its header");
            assert_eq!(sql.to_ascii_lowercase().matches("create or replace macro").count(), 1, "{file}");
        }
    }
}
