//! Attack payload classification: which attack families (SQL injection, XSS, path traversal,
//! ...) one request carries in its path, query string, Referer and User-Agent, as CloudFront
//! logs them.
//!
//! Why: the most common attacks in web logs (injection payloads, web-shell and secret-file
//! probes, worm and CMS exploit paths) are invisible to rate-based hunting unless they also
//! trip a threshold. Classifying each request's payload lets SQL ask "who sent payloads, and
//! which were answered 2xx/3xx".
//!
//! # Normalisation (what the rules see)
//! The rules match the client's bytes, decoded the way a server would, so that encoding does
//! not hide a payload:
//! 1. `cs-uri-stem` / `cs-uri-query` as logged: CloudFront's own escaping is undone exactly
//!    once (CloudFront writes `%` as `%25`, so `%2527` in the log is the client's `%27`).
//!    Referer and User-Agent come already decoded from `read_cloudfront`, so nothing is undone.
//! 2. Query and Referer: `+` is a space (HTML form encoding), before the client's `%XX` layer.
//! 3. The client's encodings, up to [`CLIENT_DECODE_LEVELS`] rounds of `%XX` and IIS `%uXXXX`
//!    (double and triple encoding are evasion tricks), then overlong UTF-8 forms of ASCII
//!    (`%c0%af`), then HTML character references (`&lt;`, `&#x3c;`).
//! 4. NUL bytes removed, ASCII lower-cased, and in the path `\` read as `/` (as IIS does).
//! 5. Log4j lookups that only spell text (`${lower:j}`, `${::-n}`, `${env:X:-d}`) are replaced
//!    by that text, so `${${lower:j}${::-n}di:` reads `${jndi:`.
//!
//! # Rules
//! Data files under `data/attack_rules/`, one per family (format in their README), compiled
//! once, at first use, into one linear-time regex set per part of the request (regex-automata's
//! meta engine: lazy DFA, no backtracking). Two checks live in code because they are not
//! regular: a path whose dot segments climb above the root (`/a/../../x`), and `..` segments
//! that only appear after decoding (`%2e%2e/`). A plain `/blog/2019/../` that stays inside the
//! site is what unnormalised crawlers send, and is not traversal.
//!
//! The internal family `probe` (admin consoles and login pages scanners look for) is never
//! reported by [`Families::names`]; `is_scanner_path` uses it.

use std::sync::OnceLock;

use regex_automata::{meta, nfa::thompson::WhichCaptures, util::syntax, Input, MatchKind, PatternSet};

use super::url::{
    decode_html_entities_in_place, decode_percent_u_in_place, fold_overlong_in_place, percent_decode_in_place, percent_decode_into,
    plus_as_space_in_place,
};

/// The reported families, in the (alphabetical) order `attack_types` lists them.
pub const FAMILIES: [&str; 12] = [
    "cmd_injection",
    "crlf_injection",
    "jndi",
    "known_exploit",
    "path_traversal",
    "rfi",
    "sensitive_file",
    "sqli",
    "ssrf",
    "ssti",
    "webshell",
    "xss",
];

/// The internal family of recon-only probe targets (`/wp-login.php`, `/phpmyadmin/`): listed by
/// `is_scanner_path`, never reported as an attack.
pub const PROBE: &str = "probe";
const PROBE_BIT: u16 = 1 << FAMILIES.len();
const REPORTED: u16 = PROBE_BIT - 1;

/// Rounds of client-side `%XX` / `%uXXXX` decoding after CloudFront's own layer is undone.
pub const CLIENT_DECODE_LEVELS: u32 = 3;

/// Nested Log4j lookups resolved at most (each resolution shortens the text).
const MAX_LOOKUP_RESOLUTIONS: u32 = 64;

/// The rule files: family name and text.
const RULE_FILES: &[(&str, &str)] = &[
    ("cmd_injection", include_str!("../../../../data/attack_rules/cmd_injection.tsv")),
    ("crlf_injection", include_str!("../../../../data/attack_rules/crlf_injection.tsv")),
    ("jndi", include_str!("../../../../data/attack_rules/jndi.tsv")),
    ("known_exploit", include_str!("../../../../data/attack_rules/known_exploit.tsv")),
    ("path_traversal", include_str!("../../../../data/attack_rules/path_traversal.tsv")),
    ("rfi", include_str!("../../../../data/attack_rules/rfi.tsv")),
    ("sensitive_file", include_str!("../../../../data/attack_rules/sensitive_file.tsv")),
    ("sqli", include_str!("../../../../data/attack_rules/sqli.tsv")),
    ("ssrf", include_str!("../../../../data/attack_rules/ssrf.tsv")),
    ("ssti", include_str!("../../../../data/attack_rules/ssti.tsv")),
    ("webshell", include_str!("../../../../data/attack_rules/webshell.tsv")),
    ("xss", include_str!("../../../../data/attack_rules/xss.tsv")),
    ("probe", include_str!("../../../../data/attack_rules/probe.tsv")),
];

/// A set of families (a bit per family).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Families(u16);

impl Families {
    /// No reported family (the internal `probe` may still be set).
    pub fn is_empty(self) -> bool {
        self.0 & REPORTED == 0
    }
    /// Whether `family` (a name of [`FAMILIES`] or [`PROBE`]) is in the set.
    pub fn contains(self, family: &str) -> bool {
        family_bit(family).is_some_and(|b| self.0 & b != 0)
    }
    /// The reported families, sorted, without duplicates.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        FAMILIES.iter().enumerate().filter(move |(i, _)| self.0 & (1 << i) != 0).map(|(_, n)| *n)
    }
    /// Number of reported families.
    pub fn len(self) -> usize {
        (self.0 & REPORTED).count_ones() as usize
    }
    /// A probe target or an attack on the path itself: what `is_scanner_path` flags.
    pub fn is_scanner_path(self) -> bool {
        self.0 & (PROBE_BIT | SCANNER_PATH_FAMILIES) != 0
    }
}

/// The families that make a path a scanner's path (besides `probe`).
const SCANNER_PATH_FAMILIES: u16 = bit("path_traversal") | bit("sensitive_file") | bit("known_exploit") | bit("webshell");

const fn bit(name: &str) -> u16 {
    let mut i = 0;
    while i < FAMILIES.len() {
        if const_eq(FAMILIES[i].as_bytes(), name.as_bytes()) {
            return 1 << i;
        }
        i += 1;
    }
    panic!("unknown family")
}

const fn const_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

fn family_bit(name: &str) -> Option<u16> {
    if name == PROBE {
        return Some(PROBE_BIT);
    }
    FAMILIES.iter().position(|f| *f == name).map(|i| 1 << i)
}

/// The parts of a request a rule can look at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// The decoded path (`cs_uri_stem`).
    Path = 0,
    /// The decoded query string (`cs_uri_query`).
    Query = 1,
    /// Decoded path, `?`, decoded query: for rules that need both (`.asp?cmd=`).
    Request = 2,
    Referer = 3,
    Agent = 4,
}
impl Subject {
    /// The part's name as `attack_explain` prints it.
    pub fn name(self) -> &'static str {
        match self {
            Subject::Path => "path",
            Subject::Query => "query",
            Subject::Request => "request",
            Subject::Referer => "referer",
            Subject::Agent => "user agent",
        }
    }
}

const SUBJECTS: [Subject; 5] = [Subject::Path, Subject::Query, Subject::Request, Subject::Referer, Subject::Agent];

/// One request as `read_cloudfront` returns it. Empty values count as absent.
#[derive(Clone, Copy, Debug, Default)]
pub struct Request<'a> {
    /// Path as logged (CloudFront's escaping in place).
    pub stem: Option<&'a [u8]>,
    /// Query string as logged, without the `?`.
    pub query: Option<&'a [u8]>,
    /// Referer, already decoded by `read_cloudfront`.
    pub referer: Option<&'a [u8]>,
    /// User-Agent, already decoded by `read_cloudfront`.
    pub user_agent: Option<&'a [u8]>,
}

impl<'a> Request<'a> {
    /// The four logged columns. A stem with a `?` and no separate query is split there: real-time
    /// logs write the query into `cs-uri-stem`, and a standard log's stem never holds a `?`
    /// (the client's own `?` in a path arrives as `%3F`, logged `%253F`).
    pub fn new(stem: Option<&'a [u8]>, query: Option<&'a [u8]>, referer: Option<&'a [u8]>, user_agent: Option<&'a [u8]>) -> Self {
        let present = |v: Option<&'a [u8]>| v.filter(|s| !s.is_empty());
        let (mut stem, mut query) = (present(stem), present(query));
        if query.is_none() {
            if let Some(s) = stem {
                if let Some(q) = memchr::memchr(b'?', s) {
                    stem = present(Some(&s[..q]));
                    query = present(Some(&s[q + 1..]));
                }
            }
        }
        Self { stem, query, referer: present(referer), user_agent: present(user_agent) }
    }

    /// One logged URL value (the one-argument `attack_types`): a value that starts with `/` is a
    /// path as logged in `cs-uri-stem`, optionally followed by `?` and its query (real-time
    /// logs); anything else is a query string as logged in `cs-uri-query`.
    pub fn from_logged_value(value: &'a [u8]) -> Self {
        if value.first() == Some(&b'/') {
            Self::new(Some(value), None, None, None)
        } else {
            Self::new(None, Some(value), None, None)
        }
    }
}

/// How a value reaches the normaliser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// `cs_uri_stem` as logged.
    LoggedPath,
    /// `cs_uri_query` as logged.
    LoggedQuery,
    /// `cs_referer` as `read_cloudfront` returns it.
    Referer,
    /// `cs_user_agent` as `read_cloudfront` returns it.
    UserAgent,
}

/// Normalises `raw` for matching into `out` (see the module doc); never longer than `raw`.
pub fn normalize_into(raw: &[u8], part: Part, out: &mut Vec<u8>) {
    out.clear();
    match part {
        Part::LoggedPath | Part::LoggedQuery => {
            percent_decode_into(raw, out);
        }
        Part::Referer | Part::UserAgent => out.extend_from_slice(raw),
    }
    if matches!(part, Part::LoggedQuery | Part::Referer) && memchr::memchr(b'+', out).is_some() {
        plus_as_space_in_place(out);
    }
    for _ in 0..CLIENT_DECODE_LEVELS {
        if memchr::memchr(b'%', out).is_none() {
            break;
        }
        let a = percent_decode_in_place(out);
        let b = decode_percent_u_in_place(out);
        if !a && !b {
            break;
        }
    }
    if !out.is_ascii() {
        fold_overlong_in_place(out);
    }
    if memchr::memchr(b'&', out).is_some() {
        decode_html_entities_in_place(out);
    }
    if memchr::memchr(0, out).is_some() {
        out.retain(|&b| b != 0);
    }
    out.make_ascii_lowercase();
    if part == Part::LoggedPath {
        let mut from = 0;
        while let Some(p) = memchr::memchr(b'\\', &out[from..]) {
            out[from + p] = b'/';
            from += p + 1;
        }
    }
    if memchr::memchr_iter(b'$', out).any(|p| out.get(p + 1) == Some(&b'{')) {
        resolve_text_lookups(out);
    }
}

/// Replaces Log4j lookups that only spell text by that text, innermost first:
/// `${lower:X}` / `${upper:X}` -> X, `${anything:-X}` (a default value) -> X, `${date:'X'}` -> X.
/// Other lookups (`${jndi:...}`, `${env:HOME}`) stay. Bounded by [`MAX_LOOKUP_RESOLUTIONS`].
fn resolve_text_lookups(buf: &mut Vec<u8>) {
    let mut budget = MAX_LOOKUP_RESOLUTIONS;
    let mut from = 0;
    while budget > 0 {
        let Some(off) = memchr::memmem::find(&buf[from..], b"${") else {
            return;
        };
        let start = from + off;
        let body = start + 2;
        let end = buf[body..].iter().position(|&b| matches!(b, b'}' | b'{' | b'$')).map(|p| body + p);
        let Some(end) = end.filter(|&e| buf[e] == b'}') else {
            from = start + 2;
            continue;
        };
        let Some((vs, ve)) = lookup_text(&buf[body..end]) else {
            from = start + 2;
            continue;
        };
        let n = ve - vs;
        buf.copy_within(body + vs..body + ve, start);
        buf.drain(start + n..=end);
        budget -= 1;
        // The resolved text may complete an enclosing lookup that starts earlier.
        from = 0;
    }
}

/// The byte range of the text a text-only lookup body stands for.
fn lookup_text(body: &[u8]) -> Option<(usize, usize)> {
    if body.starts_with(b"lower:") || body.starts_with(b"upper:") {
        return Some((6, body.len()));
    }
    if let Some(p) = memchr::memmem::find(body, b":-") {
        return Some((p + 2, body.len()));
    }
    if body.starts_with(b"date:'") && body.len() >= 7 && body.ends_with(b"'") {
        return Some((6, body.len() - 1));
    }
    None
}

/// Whether a `/`-separated path has a `..` segment (or the Tomcat form `..;param`).
fn has_dotdot_segment(path: &[u8]) -> bool {
    path.split(|&b| b == b'/' || b == b'\\').any(is_dotdot)
}

fn is_dotdot(seg: &[u8]) -> bool {
    seg == b".." || seg.starts_with(b"..;")
}

/// Whether resolving the dot segments of a normalised path would climb above its root.
pub fn climbs_above_root(path: &[u8]) -> bool {
    let mut depth: i64 = 0;
    for seg in path.split(|&b| b == b'/') {
        if is_dotdot(seg) {
            depth -= 1;
            if depth < 0 {
                return true;
            }
        } else if !seg.is_empty() && seg != b"." {
            depth += 1;
        }
    }
    false
}

/// Where a rule applies, as a bit set of [`Subject`]s.
fn parse_where(text: &str) -> Option<u8> {
    let mut mask = 0u8;
    for w in text.split(',') {
        mask |= match w.trim() {
            "path" => 1 << Subject::Path as u8,
            "query" => 1 << Subject::Query as u8,
            "request" => 1 << Subject::Request as u8,
            "referer" => 1 << Subject::Referer as u8,
            "agent" => 1 << Subject::Agent as u8,
            "url" => (1 << Subject::Path as u8) | (1 << Subject::Query as u8),
            "headers" => (1 << Subject::Referer as u8) | (1 << Subject::Agent as u8),
            "any" => (1 << Subject::Path as u8) | (1 << Subject::Query as u8) | (1 << Subject::Referer as u8) | (1 << Subject::Agent as u8),
            _ => return None,
        };
    }
    Some(mask)
}

/// One rule of a data file.
#[derive(Debug)]
pub struct Rule {
    pub family: &'static str,
    bit: u16,
    subjects: u8,
    /// The compiled regular expression (macros expanded, literal kinds escaped).
    pub regex: String,
    /// A value this rule must flag, and a close benign value nothing may flag (see the README).
    pub hit: &'static str,
    pub miss: &'static str,
    pub why: &'static str,
    /// `file:line` of the rule.
    pub origin: String,
    /// Position in the rule list (file order).
    pub index: usize,
}

impl Rule {
    /// The subject the rule's examples are written for: the first it applies to of query, path,
    /// request, referer, agent.
    pub fn example_subject(&self) -> Subject {
        [Subject::Query, Subject::Path, Subject::Request, Subject::Referer, Subject::Agent]
            .into_iter()
            .find(|s| self.applies_to(*s))
            .unwrap_or(Subject::Path)
    }
    pub fn applies_to(&self, s: Subject) -> bool {
        self.subjects & (1 << s as u8) != 0
    }
    /// A rule of `probe` or of a family that makes a path a scanner's path.
    pub fn counts_for_scanner_path(&self) -> bool {
        self.bit & (PROBE_BIT | SCANNER_PATH_FAMILIES) != 0
    }
}

fn literal_regex(kind: &str, pattern: &str) -> Option<String> {
    let lit = regex::escape(&pattern.to_ascii_lowercase());
    match kind {
        "prefix" => Some(format!("^{lit}")),
        "contains" => Some(lit),
        "suffix" => Some(format!("{lit}$")),
        "exact" => Some(format!("^{lit}$")),
        _ => None,
    }
}

/// Expands `{NAME}` macros (upper-case names defined by `@NAME<TAB>regex` lines).
fn expand(pattern: &str, macros: &[(String, String)]) -> String {
    let mut out = pattern.to_string();
    for (name, body) in macros {
        out = out.replace(&format!("{{{name}}}"), &format!("(?:{body})"));
    }
    out
}

/// An upper-case ASCII letter outside an escape: rules match lower-cased text, so it could never
/// match.
fn has_uppercase_literal(re: &str) -> bool {
    let mut escaped = false;
    for c in re.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        if c == '\\' {
            escaped = true;
        } else if c.is_ascii_uppercase() {
            return true;
        }
    }
    false
}

fn parse_file(family: &'static str, text: &'static str, rules: &mut Vec<Rule>) -> Result<(), String> {
    let bit = family_bit(family).ok_or_else(|| format!("unknown family {family}"))?;
    let file = format!("data/attack_rules/{family}.tsv");
    let mut macros: Vec<(String, String)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let origin = format!("{file}:{}", n + 1);
        if line.trim().is_empty() || line.starts_with('#') || line.starts_with("where\t") {
            continue;
        }
        if let Some(def) = line.strip_prefix('@') {
            let (name, body) = def.split_once('\t').ok_or_else(|| format!("{origin}: macro without a body"))?;
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_') {
                return Err(format!("{origin}: macro names are upper case"));
            }
            let body = expand(body, &macros);
            macros.push((name.to_string(), body));
            continue;
        }
        let cols: Vec<&'static str> = line.split('\t').collect();
        let [wh, kind, pattern, hit, miss, why] = cols[..] else {
            return Err(format!("{origin}: expected 6 tab-separated columns, found {}", cols.len()));
        };
        let subjects = parse_where(wh).ok_or_else(|| format!("{origin}: bad where {wh:?}"))?;
        let regex = match kind {
            "regex" => expand(pattern, &macros),
            _ => literal_regex(kind, pattern).ok_or_else(|| format!("{origin}: bad kind {kind:?}"))?,
        };
        if pattern.is_empty() || hit.is_empty() || miss.is_empty() || why.is_empty() {
            return Err(format!("{origin}: empty column"));
        }
        if subjects & (1 << Subject::Request as u8) != 0 && !regex.contains("\\?") {
            return Err(format!("{origin}: a request rule must match the '?' (requests without a query are not scanned as requests)"));
        }
        if kind == "regex" && has_uppercase_literal(&regex) {
            return Err(format!("{origin}: upper-case letter in a pattern matched against lower-cased text"));
        }
        let index = rules.len();
        rules.push(Rule { family, bit, subjects, regex, hit, miss, why, origin, index });
    }
    Ok(())
}

/// The rules for one subject, compiled into one regex set.
struct SubjectSet {
    /// All rules of the subject, MatchKind::All, for the overlapping search that says which match.
    re: Option<meta::Regex>,
    /// The same rules, leftmost-first: the fast "does anything match" pre-check.
    any: Option<meta::Regex>,
    /// Pattern id -> rule index.
    rule_of: Vec<usize>,
}

/// All rules, compiled.
pub struct Engine {
    rules: Vec<Rule>,
    sets: Vec<SubjectSet>,
}

/// Normalises a logged path into `out`; returns whether the dot-segment checks find traversal
/// (segments that climb above the root, or `..` that only appears after decoding).
fn normalize_path(stem: &[u8], out: &mut Vec<u8>) -> bool {
    normalize_into(stem, Part::LoggedPath, out);
    has_two_dots(out) && (climbs_above_root(out) || (has_dotdot_segment(out) && !has_dotdot_segment(stem)))
}

/// A cheap pre-check: no `..` at all means no dot-dot segment.
fn has_two_dots(s: &[u8]) -> bool {
    memchr::memchr_iter(b'.', s).any(|p| s.get(p + 1) == Some(&b'.'))
}

/// The request subject: decoded path (if any), `?`, decoded query. Only built when there is a
/// query: every request rule needs the `?`.
fn join_request(path: Option<&[u8]>, query: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(path.unwrap_or(b""));
    out.push(b'?');
    out.extend_from_slice(query);
}

/// A small direct-mapped cache of recent results for one request part, keyed by the raw value:
/// user agents, referers and paths repeat heavily in real logs, so most rows skip normalising
/// and matching. Values longer than [`MEMO_MAX_LEN`] are not kept; slots reuse their buffers.
#[derive(Default)]
struct Memo {
    slots: Vec<(u64, Vec<u8>, u16)>,
}

const MEMO_SLOTS: usize = 4096;
const MEMO_MAX_LEN: usize = 512;

impl Memo {
    fn hash(raw: &[u8]) -> u64 {
        // FxHash-style: fast, and good enough for a cache whose hits are verified.
        let mut h = raw.len() as u64;
        let mut chunks = raw.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().unwrap_or_default());
            h = (h.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ b as u64).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
        h
    }
    fn get(&self, raw: &[u8]) -> Option<u16> {
        let h = Self::hash(raw);
        let (sh, key, fam) = self.slots.get(h as usize % MEMO_SLOTS)?;
        (*sh == h && key.as_slice() == raw).then_some(*fam)
    }
    fn put(&mut self, raw: &[u8], fam: u16) {
        if raw.len() > MEMO_MAX_LEN {
            return;
        }
        if self.slots.is_empty() {
            self.slots.resize_with(MEMO_SLOTS, || (0, Vec::new(), 0));
        }
        let h = Self::hash(raw);
        let slot = &mut self.slots[h as usize % MEMO_SLOTS];
        slot.0 = h;
        slot.1.clear();
        slot.1.extend_from_slice(raw);
        slot.2 = fam;
    }
}

/// The normalised parts of one request.
#[derive(Default)]
struct Texts {
    parts: [Vec<u8>; SUBJECTS.len()],
    /// Bit per [`Subject`] present.
    present: u8,
    /// The path's dot segments climb above the root or only appear after decoding.
    traversal: bool,
}

impl Texts {
    fn prepare(&mut self, req: &Request) {
        self.present = 0;
        self.traversal = false;
        let [path, query, request, referer, agent] = &mut self.parts;
        if let Some(stem) = req.stem {
            self.traversal = normalize_path(stem, path);
            self.present |= 1 << Subject::Path as u8;
        }
        if let Some(q) = req.query {
            normalize_into(q, Part::LoggedQuery, query);
            join_request(req.stem.map(|_| path.as_slice()), query, request);
            self.present |= (1 << Subject::Query as u8) | (1 << Subject::Request as u8);
        }
        if let Some(r) = req.referer {
            normalize_into(r, Part::Referer, referer);
            self.present |= 1 << Subject::Referer as u8;
        }
        if let Some(a) = req.user_agent {
            normalize_into(a, Part::UserAgent, agent);
            self.present |= 1 << Subject::Agent as u8;
        }
    }

    fn get(&self, s: Subject) -> Option<&[u8]> {
        (self.present & (1 << s as u8) != 0).then(|| self.parts[s as usize].as_slice())
    }
}

/// Reusable per-thread matching state: normalised text buffers and the regex caches. Create one
/// per thread and reuse it for every row (nothing is allocated per row once warm).
#[derive(Default)]
pub struct Scratch {
    texts: Texts,
    caches: Vec<Option<(meta::Cache, meta::Cache, PatternSet)>>,
    /// Recent results for paths, referers and user agents.
    memo: [Memo; 3],
}

/// The compiled engine (built on first use).
pub fn engine() -> Result<&'static Engine, String> {
    static ENGINE: OnceLock<Result<Engine, String>> = OnceLock::new();
    ENGINE.get_or_init(Engine::build).as_ref().map_err(|e| format!("cloudfront attack rules: {e}"))
}

impl Engine {
    fn build() -> Result<Engine, String> {
        let mut rules = Vec::new();
        for (family, text) in RULE_FILES {
            parse_file(family, text, &mut rules)?;
        }
        let mut sets = Vec::new();
        for s in SUBJECTS {
            let rule_of: Vec<usize> = (0..rules.len()).filter(|&i| rules[i].applies_to(s)).collect();
            let (re, any) = if rule_of.is_empty() {
                (None, None)
            } else {
                let patterns: Vec<&str> = rule_of.iter().map(|&i| rules[i].regex.as_str()).collect();
                let named = |e: String| {
                    // Name the rule that fails on its own, if one does.
                    rule_of
                        .iter()
                        .find_map(|&i| {
                            compile(&[rules[i].regex.as_str()], MatchKind::All).err().map(|e| format!("{}: {e}", rules[i].origin))
                        })
                        .unwrap_or(e)
                };
                (
                    Some(compile(&patterns, MatchKind::All).map_err(named)?),
                    Some(compile(&patterns, MatchKind::LeftmostFirst).map_err(named)?),
                )
            };
            sets.push(SubjectSet { re, any, rule_of });
        }
        Ok(Engine { rules, sets })
    }

    /// Every rule, in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The families `req` carries.
    pub fn classify(&self, req: &Request, s: &mut Scratch) -> Families {
        let Scratch { texts, caches, memo } = s;
        if caches.len() < SUBJECTS.len() {
            caches.resize_with(SUBJECTS.len(), || None);
        }
        let [path, query, request, referer, agent] = &mut texts.parts;
        let [path_memo, referer_memo, agent_memo] = memo;
        let mut fam = 0u16;
        if let Some(stem) = req.stem {
            fam |= match path_memo.get(stem) {
                Some(known) => {
                    // The request subject needs the decoded path even when its result is known.
                    if req.query.is_some() {
                        normalize_path(stem, path);
                    }
                    known
                }
                None => {
                    let traversal = normalize_path(stem, path);
                    let f = self.scan(Subject::Path, path, caches) | if traversal { bit("path_traversal") } else { 0 };
                    path_memo.put(stem, f);
                    f
                }
            };
        }
        if let Some(q) = req.query {
            normalize_into(q, Part::LoggedQuery, query);
            fam |= self.scan(Subject::Query, query, caches);
            join_request(req.stem.map(|_| path.as_slice()), query, request);
            fam |= self.scan(Subject::Request, request, caches);
        }
        for (value, part, subject, text, memo) in [
            (req.referer, Part::Referer, Subject::Referer, referer, referer_memo),
            (req.user_agent, Part::UserAgent, Subject::Agent, agent, agent_memo),
        ] {
            let Some(raw) = value else { continue };
            fam |= memo.get(raw).unwrap_or_else(|| {
                normalize_into(raw, part, text);
                let f = self.scan(subject, text, caches);
                memo.put(raw, f);
                f
            });
        }
        Families(fam)
    }

    /// The family bits of the rules of `subject` that match `text`.
    fn scan(&self, subject: Subject, text: &[u8], caches: &mut [Option<(meta::Cache, meta::Cache, PatternSet)>]) -> u16 {
        let set = &self.sets[subject as usize];
        let (Some(re), Some(any)) = (&set.re, &set.any) else {
            return 0;
        };
        let (any_cache, cache, matched) =
            caches[subject as usize].get_or_insert_with(|| (any.create_cache(), re.create_cache(), PatternSet::new(re.pattern_len())));
        // Most text matches nothing: a forward search that stops at the first match of any rule
        // is far cheaper than the overlapping search that says which rules match.
        if any.search_half_with(any_cache, &Input::new(text).earliest(true)).is_none() {
            return 0;
        }
        matched.clear();
        re.which_overlapping_matches_with(cache, &Input::new(text), matched);
        matched.iter().fold(0, |acc, pid| acc | self.rules[set.rule_of[pid.as_usize()]].bit)
    }

    /// Why `req` gets its families: every matching rule with the part it matched, in file order,
    /// and whether the path-traversal check in code fired. Allocates: for explaining results and
    /// for tests, not for scanning.
    pub fn explain(&self, req: &Request) -> (Vec<(Subject, &Rule)>, bool) {
        let mut texts = Texts::default();
        texts.prepare(req);
        let mut out = Vec::new();
        for subject in SUBJECTS {
            let (Some(text), Some(re)) = (texts.get(subject), &self.sets[subject as usize].re) else {
                continue;
            };
            let mut matched = PatternSet::new(re.pattern_len());
            re.which_overlapping_matches(&Input::new(text), &mut matched);
            out.extend(matched.iter().map(|pid| (subject, &self.rules[self.sets[subject as usize].rule_of[pid.as_usize()]])));
        }
        out.sort_by_key(|(_, r)| r.index);
        (out, texts.traversal)
    }

    /// One line per reason `req` gets its families (and per `probe` rule it matches), in file
    /// order: `family: why [part, file:line]`; the dot-segment check reads
    /// `path_traversal: ... [path, code]`. Allocates: for looking at a few rows.
    pub fn explain_lines(&self, req: &Request) -> Vec<String> {
        let (rules, traversal) = self.explain(req);
        let mut out = Vec::with_capacity(rules.len() + 1);
        if traversal {
            out.push("path_traversal: dot segments that climb above the root or only appear after decoding [path, code]".to_string());
        }
        out.extend(rules.iter().map(|(subject, r)| format!("{}: {} [{}, {}]", r.family, r.why, subject.name(), r.origin)));
        out
    }
}

fn compile(patterns: &[&str], kind: MatchKind) -> Result<meta::Regex, String> {
    meta::Builder::new()
        .configure(
            meta::Config::new()
                .match_kind(kind)
                .utf8_empty(false)
                // Overlapping "which patterns" searches need no capture states; the leftmost
                // pre-check reports a (half) match, which needs the implicit ones.
                .which_captures(if kind == MatchKind::All { WhichCaptures::None } else { WhichCaptures::Implicit })
                .nfa_size_limit(Some(64 << 20))
                .hybrid_cache_capacity(2 << 20),
        )
        .syntax(syntax::Config::new().unicode(false).utf8(false).dot_matches_new_line(true))
        .build_many(patterns)
        .map_err(|e| e.to_string())
}

/// Classifies one request with this thread's scratch (convenience for tests and tools; the
/// DuckDB kernel keeps its own [`Scratch`]).
pub fn attack_types(req: &Request) -> Result<Families, String> {
    use std::cell::RefCell;
    thread_local! {
        static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
    }
    let e = engine()?;
    Ok(SCRATCH.with(|s| match s.try_borrow_mut() {
        Ok(mut s) => e.classify(req, &mut s),
        Err(_) => e.classify(req, &mut Scratch::default()),
    }))
}

#[cfg(test)]
mod tests;
