//! Embeds the hunting playbook: every `sql/*.sql` file, in name order, becomes an entry of
//! `PLAYBOOK` in `$OUT_DIR/playbook.rs`, so the extension installs the macros at load without
//! reading files at run time.

use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sql");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(&dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "sql")).collect())
        .unwrap_or_default();
    files.sort();
    let mut out =
        String::from("/// (file name, SQL text) of every playbook file, in name order.\npub static PLAYBOOK: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy();
        out.push_str(&format!("    ({name:?}, include_str!({:?})),\n", f.display().to_string()));
    }
    out.push_str("];\n");
    fs::write(Path::new(&env::var("OUT_DIR").unwrap()).join("playbook.rs"), out).unwrap();
}
