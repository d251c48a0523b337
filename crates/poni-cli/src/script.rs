//! `poni script FILE [name=[type:]value...]`: poni 0.8's command scripts (tool.py
//! `handle_script`), read the way poni 0.8 reads them:
//! - `$name` and `${name}` are replaced by the variables' values (`$cfg.owner` reads into an
//!   object; `\$` is a dollar sign). The variables are the command line's `name=value`
//!   assignments, in the property language of `set` (`count:int=3`,
//!   `'tags:-json={"a": "b"}'`; dotted names nest), and `current_script_dir`, the script's
//!   folder. A `$name` that is not a variable stops the script, as Cheetah (poni 0.8's template
//!   engine for scripts) stopped it.
//! - A line that starts with white space continues the line before it.
//! - Each command is split as a shell splits words (quotes, backslashes); a word starting with
//!   `#` starts a comment to the end of the line; a command with no words is skipped.
//! - Each command runs as the command line runs it, on the script's repository (`-d` before
//!   `script`), so `-d` inside a script is refused. The first command that fails stops the
//!   script; the error names its line.
//!
//! A `# poni.template: ENGINE` line picks poni's template engine: `cheetah` (the default) and
//! `name` (or `poni`: `$name` substitution only, None written as `None`) are read as above;
//! `mako` and `genshi` scripts are refused, naming the line.
//!
//! Where this differs from poni 0.8, on purpose: Cheetah's directives (`#if`, `#for`, `#set`...)
//! are refused with their line instead of run (poni 0.8 ran them; here they would otherwise be
//! read as comments, which silently changes what the script does); a value is put into its
//! command only, so a value holding a newline never makes a command of its own; `#` inside a
//! word is kept (`url=http://x/#top`), as a shell keeps it, where Python's shlex cut the word.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Parser;
use serde_json::{Map, Value};

use crate::args::{Cli, ScriptArgs};
use crate::failure::{Failure, Result};
use crate::repr;

/// Scripts running scripts: a script that runs itself stops here instead of never.
const MAX_DEPTH: usize = 16;
static DEPTH: AtomicUsize = AtomicUsize::new(0);

/// Cheetah's directive names: `#name` at the start of a line was a directive in poni 0.8.
const DIRECTIVES: &[&str] = &[
    "if",
    "elif",
    "else",
    "end",
    "for",
    "while",
    "break",
    "continue",
    "pass",
    "stop",
    "return",
    "set",
    "silent",
    "echo",
    "import",
    "from",
    "include",
    "raw",
    "def",
    "block",
    "call",
    "slurp",
    "extends",
    "implements",
    "try",
    "except",
    "finally",
    "unless",
    "assert",
    "attr",
    "del",
    "cache",
    "filter",
    "encoding",
    "compiler",
    "compiler-settings",
    "breakpoint",
    "errorCatcher",
    "capture",
    "super",
    "indent",
    "py",
];

pub fn run(root_dir: Option<PathBuf>, debug: bool, args: ScriptArgs) -> Result<()> {
    let depth = DEPTH.fetch_add(1, Ordering::SeqCst);
    let result = match depth < MAX_DEPTH {
        true => run_script(root_dir, debug, &args),
        false => Err(Failure::Input(format!("script {}: scripts run scripts more than {MAX_DEPTH} deep (does it run itself?)", args.script))),
    };
    DEPTH.fetch_sub(1, Ordering::SeqCst);
    result
}

fn run_script(root_dir: Option<PathBuf>, debug: bool, args: &ScriptArgs) -> Result<()> {
    let (name, text) = match args.script.as_str() {
        "-" => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .map_err(|e| Failure::Input(format!("cannot read the script from standard input: {e}")))?;
            ("standard input".to_owned(), text)
        }
        path => (path.to_owned(), std::fs::read_to_string(path).map_err(|e| Failure::Input(format!("cannot read the script {path}: {e}")))?),
    };
    let engine = engine(&text).map_err(|(line, why)| Failure::Input(format!("{name} line {line}: {why}")))?;
    let variables = variables(&args.script, &args.variables)?;
    for command in commands(&text, engine).map_err(|(line, why)| Failure::Input(format!("{name} line {line}: {why}")))? {
        let at = |why: String| format!("{name} line {}: {why}", command.line);
        let words = substitute(&command.text, &variables, engine).map_err(|why| Failure::Input(at(why)))?;
        let Some(words) = shlex::split(&words) else {
            return Err(Failure::Input(at("a quote is not closed, or the line ends in a backslash".into())));
        };
        if words.is_empty() {
            continue;
        }
        let given = shown(&words);
        if args.verbose {
            outln!("$ {given}");
        }
        let mut cli = match Cli::try_parse_from(std::iter::once("poni".to_owned()).chain(words)) {
            Ok(cli) => cli,
            Err(e) if matches!(e.kind(), clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion) => {
                out!("{e}");
                continue;
            }
            Err(e) => return Err(Failure::Input(at(format!("{given}: {}", clap_reason(&e))))),
        };
        if cli.root_dir.is_some() {
            return Err(Failure::Input(at(format!("{given}: a script's commands work on the script's repository (-d before `script`), not one of their own"))));
        }
        cli.root_dir = root_dir.clone();
        cli.debug |= debug;
        crate::run::run(cli).map_err(|failure| at_line(failure, &at(given.clone())))?;
    }
    Ok(())
}

/// poni's template engines for scripts that this reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engine {
    /// Cheetah placeholders (its directives are refused).
    Cheetah,
    /// poni's own `$name` substitution.
    Name,
}

/// The engine a `# poni.template: ENGINE` line picks (the first such line; Cheetah without one).
fn engine(text: &str) -> std::result::Result<Engine, (usize, String)> {
    for (index, line) in text.lines().enumerate() {
        let Some(rest) = line.trim_start().strip_prefix('#') else { continue };
        if !rest.starts_with(char::is_whitespace) {
            continue;
        }
        let Some(rest) = rest.trim_start().strip_prefix("poni.template") else { continue };
        let Some(rest) = rest.trim_start().strip_prefix(':') else { continue };
        let name: String = rest.trim_start().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        return match name.as_str() {
            "cheetah" => Ok(Engine::Cheetah),
            "name" | "poni" => Ok(Engine::Name),
            "" => continue,
            other => Err((index + 1, format!("the script asks for the '{other}' template engine: Poni Desktop reads scripts with $name variables only (poni's 'name' and 'cheetah' engines)"))),
        };
    }
    Ok(Engine::Cheetah)
}

/// One command of a script: its text (continuation lines joined) and the line it starts on.
#[derive(Debug, PartialEq)]
struct ScriptCommand {
    line: usize,
    text: String,
}

/// The script's commands, continuation lines joined to the line before (poni's
/// `preprocess_script_lines`); a Cheetah directive is refused with its line.
fn commands(text: &str, engine: Engine) -> std::result::Result<Vec<ScriptCommand>, (usize, String)> {
    let mut out: Vec<ScriptCommand> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if let Some(directive) = directive(line).filter(|_| engine == Engine::Cheetah) {
            return Err((number, format!("'#{directive}' is a Cheetah directive, which poni 0.8 ran and Poni Desktop does not: write the commands out")));
        }
        match out.last_mut() {
            Some(previous) if line.starts_with(char::is_whitespace) => {
                previous.text.push('\n');
                previous.text.push_str(line);
            }
            _ => out.push(ScriptCommand { line: number, text: line.to_owned() }),
        }
    }
    Ok(out)
}

/// The directive a line starts with (`#if x`, `#end if`), if it does.
fn directive(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix('#')?;
    let name_end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).unwrap_or(rest.len());
    let name = &rest[..name_end];
    DIRECTIVES.contains(&name).then_some(name)
}

/// The variables: each `name=[type:]value` in the property language (dotted names nest), then
/// `current_script_dir`.
fn variables(script: &str, assignments: &[String]) -> Result<Map<String, Value>> {
    let mut variables = Map::new();
    for text in assignments {
        let assignment = poni_repo::convert::parse_assignment(text, &poni_repo::convert::no_node)?;
        poni_repo::props::set_path(&mut variables, &assignment.key, assignment.value)?;
    }
    let dir = match script {
        "-" => String::new(),
        path => Path::new(path).parent().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default(),
    };
    variables.insert("current_script_dir".to_owned(), Value::String(dir));
    Ok(variables)
}

/// `$name`, `$name.key` and `${name.key}` replaced by the variables' values; `\$` is a `$`; a
/// `$` before anything else stays.
fn substitute(text: &str, variables: &Map<String, Value>, engine: Engine) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['$', '\\']) {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if rest[at..].starts_with('\\') {
            // `\$` is a dollar sign; any other backslash is the splitter's.
            match after.strip_prefix('$') {
                Some(tail) => {
                    out.push('$');
                    rest = tail;
                }
                None => {
                    out.push('\\');
                    match after.chars().next() {
                        Some(c) => {
                            out.push(c);
                            rest = &after[c.len_utf8()..];
                        }
                        None => rest = after,
                    }
                }
            }
            continue;
        }
        if let Some(inner) = after.strip_prefix('{') {
            let end = inner.find('}').ok_or_else(|| format!("'${{' without its '}}': {}", repr::string(rest)))?;
            let path = &inner[..end];
            if !is_path(path) {
                return Err(format!("'${{{path}}}' is not a variable name"));
            }
            out.push_str(&text_of(lookup(variables, path)?, engine));
            rest = &inner[end + 1..];
            continue;
        }
        let len = path_len(after);
        if len == 0 {
            out.push('$');
            rest = after;
            continue;
        }
        out.push_str(&text_of(lookup(variables, &after[..len])?, engine));
        rest = &after[len..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The length of the `name(.name)*` at the start of `text` (0: none there).
fn path_len(text: &str) -> usize {
    let ident = |s: &str| {
        let mut chars = s.char_indices();
        match chars.next() {
            Some((_, c)) if c.is_ascii_alphabetic() || c == '_' => chars.find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_')).map_or(s.len(), |(i, _)| i),
            _ => 0,
        }
    };
    let mut len = ident(text);
    if len == 0 {
        return 0;
    }
    while let Some(next) = text[len..].strip_prefix('.') {
        let part = ident(next);
        if part == 0 {
            break;
        }
        len += 1 + part;
    }
    len
}

fn is_path(text: &str) -> bool {
    !text.is_empty() && path_len(text) == text.len()
}

fn lookup<'v>(variables: &'v Map<String, Value>, path: &str) -> std::result::Result<&'v Value, String> {
    let mut parts = path.split('.');
    let first = parts.next().unwrap_or_default();
    let mut value = variables.get(first).ok_or_else(|| format!("${first} is not a variable (give it to the script: poni script FILE {first}=VALUE)"))?;
    let mut walked = first.to_owned();
    for part in parts {
        value = value
            .as_object()
            .and_then(|o| o.get(part))
            .ok_or_else(|| format!("${path}: {walked} has no '{part}' (write ${{{walked}}} to put the value before a dot)"))?;
        walked = format!("{walked}.{part}");
    }
    Ok(value)
}

/// A value as the engine puts it into text: Python's `str`; None is nothing for Cheetah and
/// `None` for poni's `name` engine.
fn text_of(value: &Value, engine: Engine) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null if engine == Engine::Cheetah => String::new(),
        other => repr::python(other),
    }
}

/// The words as poni's `script -v` shows them: a word with a space in Python's repr.
fn shown(words: &[String]) -> String {
    words.iter().map(|w| if w.contains(' ') { repr::string(w) } else { w.clone() }).collect::<Vec<_>>().join(" ")
}

/// clap's reason, without its usage and hints.
fn clap_reason(error: &clap::Error) -> String {
    let text = error.to_string();
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("the command is not understood");
    first.trim().trim_start_matches("error: ").to_owned()
}

/// A command's failure, named by the script line it came from. Per-node failures were logged
/// as they happened; the line says the script stopped there.
fn at_line(failure: Failure, at: &str) -> Failure {
    match failure {
        Failure::Input(m) => Failure::Input(format!("{at}: {m}")),
        Failure::Message(m) => Failure::Message(format!("{at}: {m}")),
        Failure::Reported => Failure::Message(format!("{at}: some nodes failed (see above)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn continuation_lines_join_and_keep_the_first_line_number() {
        let text = "init\n\nadd-node web/a\n  -H a.example\n# a comment\nlist -p\n";
        let got = commands(text, Engine::Cheetah).unwrap();
        assert_eq!(
            got,
            [
                ScriptCommand { line: 1, text: "init".into() },
                ScriptCommand { line: 2, text: "".into() },
                ScriptCommand { line: 3, text: "add-node web/a\n  -H a.example".into() },
                ScriptCommand { line: 5, text: "# a comment".into() },
                ScriptCommand { line: 6, text: "list -p".into() },
            ]
        );
        assert_eq!(shlex::split(&got[2].text).unwrap(), ["add-node", "web/a", "-H", "a.example"]);
        assert_eq!(shlex::split(&got[3].text).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn cheetah_directives_are_refused_with_their_line() {
        let err = commands("init\n#if $x\nlist\n#end if\n", Engine::Cheetah).unwrap_err();
        assert_eq!(err.0, 2);
        assert!(err.1.contains("'#if' is a Cheetah directive"), "{}", err.1);
        assert!(commands("  #set x = 1", Engine::Cheetah).is_err());
        // Comments that are not directives are comments.
        assert!(commands("# setup\n#comment\n## note\n#!/usr/bin/env poni", Engine::Cheetah).is_ok());
        // poni's `name` engine has no directives: the line is a comment.
        assert!(commands("#set x = 1", Engine::Name).is_ok());
    }

    #[test]
    fn variables_are_substituted_as_cheetah_did() {
        let v = vars(json!({"name": "web", "n": 3, "on": true, "none": null, "cfg": {"owner": "ops", "tags": ["a", 1]}, "x_1": "y"}));
        let substitute = |text: &str, v: &Map<String, Value>| super::substitute(text, v, Engine::Cheetah);
        assert_eq!(super::substitute("y=$none", &v, Engine::Name).unwrap(), "y=None");
        assert_eq!(substitute("add-node $name/a -n $n", &v).unwrap(), "add-node web/a -n 3");
        assert_eq!(substitute("set ${name}.example x=$on y=$none", &v).unwrap(), "set web.example x=True y=");
        assert_eq!(substitute("owner=$cfg.owner tags=$cfg.tags", &v).unwrap(), "owner=ops tags=['a', 1]");
        assert_eq!(substitute("a=$x_1. b=\\$name c=$ d=$5 e=\\n", &v).unwrap(), "a=y. b=$name c=$ d=$5 e=\\n");
        assert_eq!(substitute("${cfg.owner}", &v).unwrap(), "ops");
        assert!(substitute("$missing", &v).unwrap_err().contains("$missing is not a variable"));
        assert!(substitute("$name.txt", &v).unwrap_err().contains("write ${name}"));
        assert!(substitute("${name", &v).unwrap_err().contains("without its"));
        assert!(substitute("${1x}", &v).unwrap_err().contains("not a variable name"));
    }

    #[test]
    fn the_template_header_picks_the_engine() {
        assert_eq!(engine("init\n"), Ok(Engine::Cheetah));
        assert_eq!(engine("# poni.template: name\ninit\n"), Ok(Engine::Name));
        assert_eq!(engine("init\n  #  poni.template : poni\n"), Ok(Engine::Name));
        assert_eq!(engine("# poni.template: cheetah\n"), Ok(Engine::Cheetah));
        let err = engine("\n# poni.template: mako\n").unwrap_err();
        assert_eq!(err.0, 2);
        assert!(err.1.contains("'mako'"), "{}", err.1);
        // Not the header: `#poni.template` (no space after #), another word.
        assert_eq!(engine("#poni.template: mako\n# poni.templates: x\n"), Ok(Engine::Cheetah));
    }

    #[test]
    fn variables_use_the_property_language() {
        let v = variables("dir/s.poni", &["count:int=0x10".into(), "tags:-json={\"a\": \"b\"}".into(), "web.port:int=80".into(), "plain=x y".into()]).unwrap();
        assert_eq!(Value::Object(v), json!({"count": 16, "tags": {"a": "b"}, "web": {"port": 80}, "plain": "x y", "current_script_dir": "dir"}));
        assert!(variables("s", &["x:int=abc".into()]).is_err());
        assert_eq!(variables("-", &[]).unwrap()["current_script_dir"], json!(""));
    }

    #[test]
    fn words_are_shown_as_poni_shows_them() {
        assert_eq!(shown(&["set".into(), "web".into(), "owner=a b".into()]), "set web 'owner=a b'");
    }
}
