//! `ipc_commands!`: turns the one declaration of the commands (list.rs) into everything the
//! app needs from it. build.rs reads the same list with its own one-line macro (names only).
//! From each line `module::name(arg: Type, ...) -> Result;` come:
//! - [`handler`]: the invoke handler (`tauri::generate_handler!` over every command);
//! - [`ALL`]: the names, which the permission list (capabilities/default.json) must grant;
//! - a compile-time check that `module::name` takes a `Ctx` and exactly these arguments and
//!   returns `AppResult<Result>`: a declaration that drifts from its function does not build;
//! - [`typescript_client`]: the UI's typed client (ui/src/bindings/commands.ts), with the
//!   doc comments of the declaration, and [`export_types`] for every type it names.

/// One command as the TypeScript generator sees it.
pub struct Declared {
    pub name: &'static str,
    pub docs: &'static [&'static str],
    /// (Rust name, TypeScript type, is an `Option`)
    pub args: Vec<(&'static str, String, bool)>,
    pub returns: String,
}

macro_rules! ipc_commands {
    ($($(#[doc = $doc:literal])* $module:ident :: $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ret:ty ;)*) => {
        /// Every command's name, in declaration order.
        pub const ALL: &[&str] = &[$(stringify!($name)),*];

        /// The invoke handler over every declared command.
        pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($module::$name),*]
        }

        // Each function must match its declaration (arguments, their order and types, the
        // result); this never runs.
        #[allow(dead_code, unused_variables, clippy::too_many_arguments)]
        fn signatures_match_declarations() {
            $({
                fn check<R: tauri::Runtime>(ctx: crate::ctx::Ctx<R>, $($arg: $ty),*) -> impl std::future::Future<Output = poni_app::AppResult<$ret>> {
                    $module::$name(ctx, $($arg),*)
                }
            })*
        }

        /// Every declared command with its TypeScript types.
        pub fn declared(cfg: &ts_rs::Config) -> Vec<declare::Declared> {
            use ts_rs::TS;
            vec![$(declare::Declared {
                name: stringify!($name),
                docs: &[$($doc),*],
                args: vec![$((stringify!($arg), <$ty as TS>::name(cfg), <$ty as TS>::IS_OPTION)),*],
                returns: <$ret as TS>::name(cfg),
            }),*]
        }

        /// Writes every type the commands name (and what those name) into `cfg`'s folder;
        /// returns the (TypeScript name, file) pairs the client imports.
        pub fn export_types(cfg: &ts_rs::Config) -> Result<std::collections::BTreeMap<String, std::path::PathBuf>, ts_rs::ExportError> {
            let mut imports = declare::Imports::new(cfg);
            $(
                $(imports.add::<$ty>()?;)*
                imports.add::<$ret>()?;
            )*
            Ok(imports.found)
        }
    };
}
pub(crate) use ipc_commands;

/// The exportable types met in the commands' arguments and results: a type, or the types
/// inside a `Vec`/`Option`.
pub struct Imports<'a> {
    cfg: &'a ts_rs::Config,
    pub found: std::collections::BTreeMap<String, std::path::PathBuf>,
}

impl<'a> Imports<'a> {
    pub fn new(cfg: &'a ts_rs::Config) -> Self {
        Self { cfg, found: Default::default() }
    }

    pub fn add<T: ts_rs::TS + 'static + ?Sized>(&mut self) -> Result<(), ts_rs::ExportError> {
        struct Generics<'v, 'a>(&'v mut Imports<'a>, Result<(), ts_rs::ExportError>);
        impl ts_rs::TypeVisitor for Generics<'_, '_> {
            fn visit<T: ts_rs::TS + 'static + ?Sized>(&mut self) {
                if self.1.is_ok() {
                    self.1 = self.0.add::<T>();
                }
            }
        }
        if let Some(dependency) = ts_rs::Dependency::from_ty::<T>(self.cfg) {
            T::export_all(self.cfg)?;
            self.found.insert(dependency.ts_name, dependency.output_path);
        }
        let mut generics = Generics(self, Ok(()));
        T::visit_generics(&mut generics);
        generics.1
    }
}

/// `rename_from` -> `renameFrom`: how Tauri names a command's arguments in JavaScript.
fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

/// The UI's typed client: one function per command, its arguments named and typed as
/// declared (trailing `Option`s may be left out), its result typed.
pub fn typescript_client(commands: &[Declared], imports: &std::collections::BTreeMap<String, std::path::PathBuf>) -> String {
    let mut out = String::from(
        "// Generated from src-tauri/src/commands/list.rs (`UPDATE_BINDINGS=1 cargo test --workspace bindings`).\n\
         // Do not edit: change the declaration, and the test that compares this file follows.\n\
         import { call } from \"../lib/ipc\";\n",
    );
    // Commands that stream back take channels the window makes.
    if commands.iter().any(|c| c.args.iter().any(|(_, ts, _)| ts.starts_with("Channel<"))) {
        out.push_str("import type { Channel } from \"@tauri-apps/api/core\";\n");
    }
    for (name, path) in imports {
        let module = path.with_extension("");
        out.push_str(&format!("import type {{ {name} }} from \"./{}\";\n", module.display()));
    }
    out.push_str("\nexport const commands = {\n");
    for command in commands {
        if !command.docs.is_empty() {
            let lines: Vec<&str> = command.docs.iter().map(|d| d.trim()).collect();
            out.push_str(&format!("  /** {} */\n", lines.join(" ")));
        }
        // Arguments after the last required one may be left out (Tauri reads them as None).
        let required = command.args.iter().rposition(|(_, _, optional)| !optional).map_or(0, |i| i + 1);
        let params: Vec<String> =
            command.args.iter().enumerate().map(|(i, (arg, ts, _))| format!("{}{}: {ts}", camel(arg), if i >= required { "?" } else { "" })).collect();
        let names: Vec<String> = command.args.iter().map(|(arg, _, _)| camel(arg)).collect();
        let args = if names.is_empty() { String::new() } else { format!(", {{ {} }}", names.join(", ")) };
        out.push_str(&format!("  {}: ({}): Promise<{}> => call(\"{}\"{args}),\n", camel(command.name), params.join(", "), command.returns, command.name));
    }
    out.push_str("};\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_named_as_tauri_names_them() {
        assert_eq!(camel("rename_from"), "renameFrom");
        assert_eq!(camel("public_key_path"), "publicKeyPath");
        assert_eq!(camel("name"), "name");
    }

    #[test]
    fn trailing_options_may_be_left_out_and_others_may_not() {
        let commands = [Declared {
            name: "check_name",
            docs: &[" Why a name cannot be used."],
            args: vec![("name", "string".into(), false), ("rename_from", "string | null".into(), true)],
            returns: "NameProblem | null".into(),
        }];
        let imports = [("NameProblem".to_string(), std::path::PathBuf::from("NameProblem.ts"))].into();
        let client = typescript_client(&commands, &imports);
        assert!(client.contains("import type { NameProblem } from \"./NameProblem\";"), "{client}");
        assert!(client.contains("  /** Why a name cannot be used. */\n"), "{client}");
        assert!(
            client.contains(
                "  checkName: (name: string, renameFrom?: string | null): Promise<NameProblem | null> => call(\"check_name\", { name, renameFrom }),"
            ),
            "{client}"
        );
    }
}
