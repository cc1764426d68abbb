//! The desktop's commands, read from where they are declared: each `#[tauri::command]` function
//! in `src-tauri/*.rs`. `build.rs` turns that one list into the handler list `lib.rs` installs,
//! the permission each command gets, the capability that grants them to the main window, and
//! `ui/src/desktop/commands.ts`, the UI's typed callers. Nothing else names a command by hand,
//! so a command cannot be callable from the UI without a handler, or installed without a caller
//! that type-checks against its arguments.
//!
//! Compiled into the build script only (std and syn).

use std::{fmt::Write as _, path::Path};

use syn::{FnArg, GenericArgument, Item, Pat, PathArguments, ReturnType, Type};

/// Commands only a mini-program's sandbox window may call; every other goes to the main window.
pub const SANDBOX_COMMANDS: &[&str] = &["mini_program_bridge"];

/// Arguments Tauri supplies itself: never sent from the UI.
const INJECTED: &[&str] = &["State", "AppHandle", "Webview", "Window", "WebviewWindow"];

/// One `#[tauri::command]`.
pub struct Command {
    /// The file (module) it is in.
    pub module: String,
    pub name: String,
    /// The first line of its doc comment.
    pub doc: Option<String>,
    /// What the UI passes, in order: name and TypeScript type.
    pub args: Vec<(String, String)>,
    /// Raw bytes in the body, the arguments in a header (for pasted images and voice).
    pub raw_body: bool,
    /// What it answers, in TypeScript.
    pub answer: String,
}

impl Command {
    fn for_main_window(&self) -> bool {
        !SANDBOX_COMMANDS.contains(&self.name.as_str())
    }
}

/// Every command in the `.rs` files of `dir`, sorted by module then source order.
pub fn read(dir: &Path) -> Result<Vec<Command>, String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    let mut commands = Vec::new();
    for path in files {
        let module = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        commands
            .extend(commands_in(&module, &text).map_err(|e| format!("{}: {e}", path.display()))?);
    }
    Ok(commands)
}

/// The commands in one file's text.
pub fn commands_in(module: &str, text: &str) -> Result<Vec<Command>, String> {
    let file = syn::parse_file(text).map_err(|e| e.to_string())?;
    let mut commands = Vec::new();
    for item in file.items {
        let Item::Fn(f) = item else { continue };
        if f.attrs.iter().any(|a| is_command_attribute(a.path())) {
            commands.push(command(module, &f)?);
        }
    }
    Ok(commands)
}

fn is_command_attribute(path: &syn::Path) -> bool {
    let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    names == ["tauri", "command"]
}

fn command(module: &str, f: &syn::ItemFn) -> Result<Command, String> {
    let name = f.sig.ident.to_string();
    let doc = f.attrs.iter().find_map(|a| {
        let syn::Meta::NameValue(nv) = &a.meta else {
            return None;
        };
        if !nv.path.is_ident("doc") {
            return None;
        }
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) = &nv.value
        else {
            return None;
        };
        Some(s.value().trim().to_string())
    });
    let mut args = Vec::new();
    let mut raw_body = false;
    for input in &f.sig.inputs {
        let FnArg::Typed(arg) = input else {
            return Err(format!("{name} takes self"));
        };
        let Pat::Ident(ident) = &*arg.pat else {
            return Err(format!("{name}: arguments are plain names"));
        };
        let ty = &*arg.ty;
        let last = last_segment(ty).unwrap_or_default();
        if INJECTED.contains(&last.as_str()) {
            continue;
        }
        if last == "Raw" {
            // `Raw<Args>`: the bytes first, then the fields of `Args` as named arguments.
            raw_body = true;
            args.push(("bytes".to_string(), "Uint8Array".to_string()));
            args.push((
                "args".to_string(),
                ts(first_generic(ty).ok_or(format!("{name}: Raw<Args> names its Args"))?)?,
            ));
            continue;
        }
        args.push((camel(&ident.ident.to_string()), ts(ty)?));
    }
    let answer = match &f.sig.output {
        ReturnType::Default => "void".to_string(),
        ReturnType::Type(_, ty) if last_segment(ty).as_deref() == Some("Result") => {
            ts(first_generic(ty).ok_or(format!("{name}: Result<T> names its T"))?)?
        }
        ReturnType::Type(_, ty) => ts(ty)?,
    };
    Ok(Command {
        module: module.to_string(),
        name,
        doc,
        args,
        raw_body,
        answer,
    })
}

fn last_segment(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        Type::Reference(r) => last_segment(&r.elem),
        _ => None,
    }
}

fn generics(ty: &Type) -> Vec<&Type> {
    let Type::Path(p) = ty else { return Vec::new() };
    let Some(last) = p.path.segments.last() else {
        return Vec::new();
    };
    let PathArguments::AngleBracketed(a) = &last.arguments else {
        return Vec::new();
    };
    a.args
        .iter()
        .filter_map(|g| match g {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        })
        .collect()
}

fn first_generic(ty: &Type) -> Option<&Type> {
    generics(ty).into_iter().next()
}

/// The TypeScript for a Rust type as serde sends it; named types are those `bindings.ts` exports.
fn ts(ty: &Type) -> Result<String, String> {
    match ty {
        Type::Tuple(t) if t.elems.is_empty() => Ok("void".to_string()),
        Type::Tuple(t) => {
            let parts: Result<Vec<_>, _> = t.elems.iter().map(ts).collect();
            Ok(format!("[{}]", parts?.join(", ")))
        }
        Type::Reference(r) => ts(&r.elem),
        Type::Path(_) => {
            let name = last_segment(ty).unwrap_or_default();
            let inner = || first_generic(ty).ok_or(format!("{name} without its type"));
            Ok(match name.as_str() {
                "String" | "str" | "PathBuf" | "Uuid" => "string".to_string(),
                "bool" => "boolean".to_string(),
                "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "f32"
                | "f64" => "number".to_string(),
                "Option" => format!("{} | null", ts(inner()?)?),
                "Vec" => {
                    let t = ts(inner()?)?;
                    if t.contains(' ') {
                        format!("({t})[]")
                    } else {
                        format!("{t}[]")
                    }
                }
                "Value" => "unknown".to_string(),
                // `tauri::ipc::Response`: bytes, which arrive as an ArrayBuffer.
                "Response" => "ArrayBuffer".to_string(),
                _ if !generics(ty).is_empty() => {
                    return Err(format!("no TypeScript for {name}<…>"))
                }
                _ => name,
            })
        }
        _ => Err("no TypeScript for this type".to_string()),
    }
}

/// Tauri's own rule for argument names: the UI sends them in camelCase.
fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

const PRIMITIVES: &[&str] = &[
    "string",
    "boolean",
    "number",
    "void",
    "unknown",
    "null",
    "ArrayBuffer",
    "Uint8Array",
];

/// `tauri::generate_handler![…]` over every command.
pub fn handlers(commands: &[Command]) -> String {
    let paths: Vec<String> = commands
        .iter()
        .map(|c| format!("crate::{}::{}", c.module, c.name))
        .collect();
    format!(
        "tauri::generate_handler![\n    {}\n]\n",
        paths.join(",\n    ")
    )
}

/// The capability granting the main window its commands (and the events it listens to).
pub fn main_capability(commands: &[Command]) -> String {
    let mut permissions = vec![
        "core:event:allow-listen".to_string(),
        "core:event:allow-unlisten".to_string(),
    ];
    permissions.extend(
        commands
            .iter()
            .filter(|c| c.for_main_window())
            .map(|c| format!("allow-{}", c.name.replace('_', "-"))),
    );
    let list: Vec<String> = permissions.iter().map(|p| format!("    \"{p}\"")).collect();
    format!(
        "{{\n  \"identifier\": \"main\",\n  \"description\": \"The main window and the call window may call Xin's own commands and listen to its events; nothing else. Written by build.rs from the #[tauri::command] functions.\",\n  \"windows\": [\n    \"main\",\n    \"call\"\n  ],\n  \"permissions\": [\n{}\n  ]\n}}\n",
        list.join(",\n")
    )
}

/// `ui/src/desktop/commands.ts`: one typed caller per main-window command.
pub fn typescript(commands: &[Command]) -> String {
    let commands: Vec<&Command> = commands.iter().filter(|c| c.for_main_window()).collect();
    let mut types = std::collections::BTreeSet::new();
    for c in &commands {
        for t in c.args.iter().map(|(_, t)| t).chain([&c.answer]) {
            for word in t.split(|ch: char| !ch.is_alphanumeric() && ch != '_') {
                if word.chars().next().is_some_and(char::is_uppercase)
                    && !PRIMITIVES.contains(&word)
                {
                    types.insert(word.to_string());
                }
            }
        }
    }
    let mut out = String::from(
        "// Written by src-tauri/build.rs from the #[tauri::command] functions; `cargo xtask gen-types`\n// puts it here and a test fails when it drifts. Do not edit.\n\nimport { invoke } from \"@tauri-apps/api/core\";\n",
    );
    let types: Vec<String> = types.into_iter().collect();
    let _ = writeln!(
        out,
        "import type {{ {} }} from \"../bindings\";",
        types.join(", ")
    );
    out.push_str(concat!(
        "\n/** A raw-body command's arguments ride in a header: JSON, every non-ASCII character escaped. */\n",
        "function header(args: object): string {\n",
        "  return JSON.stringify(args).replace(/[\\u007f-\\uffff]/g, (c) => \"\\\\u\" + c.charCodeAt(0).toString(16).padStart(4, \"0\"));\n",
        "}\n",
    ));
    out.push_str("\n/** The desktop shell's commands. Errors arrive as `UiError`. */\nexport const commands = {\n");
    for c in commands {
        if let Some(doc) = &c.doc {
            let _ = writeln!(out, "  /** {} */", doc.replace("*/", "* /"));
        }
        let params: Vec<String> = c.args.iter().map(|(n, t)| format!("{n}: {t}")).collect();
        let call = if c.raw_body {
            format!(
                "invoke<{}>(\"{}\", bytes, {{ headers: {{ \"xin-args\": header(args) }} }})",
                c.answer, c.name
            )
        } else if c.args.is_empty() {
            format!("invoke<{}>(\"{}\")", c.answer, c.name)
        } else {
            let names: Vec<&str> = c.args.iter().map(|(n, _)| n.as_str()).collect();
            format!(
                "invoke<{}>(\"{}\", {{ {} }})",
                c.answer,
                c.name,
                names.join(", ")
            )
        };
        let _ = writeln!(
            out,
            "  {}: ({}) => {call},",
            camel(&c.name),
            params.join(", ")
        );
    }
    out.push_str("};\n");
    out
}

#[cfg(test)]
mod tests {
    use super::{commands_in, handlers, main_capability, read, typescript};

    /// The shell's own files: every command is found, and the committed capability (which
    /// tauri-build reads, and the build rewrites) grants exactly them.
    #[test]
    fn the_committed_capability_grants_the_commands_found() -> Result<(), String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri");
        let commands = read(&dir)?;
        assert!(commands.len() > 100, "{}", commands.len());
        let committed = std::fs::read_to_string(dir.join("capabilities/main.json"))
            .map_err(|e| e.to_string())?;
        assert_eq!(committed, main_capability(&commands));
        Ok(())
    }

    const FILE: &str = r#"
        /// Sends a text.
        #[tauri::command]
        pub async fn send_text(engine: State<'_, Engine>, reply_to: Option<String>, ids: Vec<String>) -> Result<ChatMessage> { todo!() }
        #[tauri::command]
        pub fn envelope(app: AppHandle, envelope: String) -> Result<(Envelope, Option<bool>)> { todo!() }
        #[tauri::command]
        pub async fn send_voice(engine: State<'_, Engine>, voice: Raw<VoiceRecording>) -> Result<()> { todo!() }
        #[tauri::command]
        pub async fn mini_program_bridge(webview: Webview, call: BridgeCall) -> Result<Value> { todo!() }
        pub fn not_a_command(x: u8) {}
    "#;

    /// What the UI calls is what the shell declares: names in camelCase as Tauri converts them,
    /// the types as serde sends them, injected arguments left out, and the sandbox's bridge
    /// neither callable from the main window nor granted to it.
    #[test]
    fn callers_handlers_and_permissions_follow_the_declarations() -> Result<(), String> {
        let commands = commands_in("chat_commands", FILE)?;
        assert_eq!(commands.len(), 4);
        let ts = typescript(&commands);
        assert!(ts.contains("  /** Sends a text. */\n  sendText: (replyTo: string | null, ids: string[]) => invoke<ChatMessage>(\"send_text\", { replyTo, ids }),"), "{ts}");
        assert!(ts.contains("envelope: (envelope: string) => invoke<[Envelope, boolean | null]>(\"envelope\", { envelope }),"), "{ts}");
        assert!(ts.contains("sendVoice: (bytes: Uint8Array, args: VoiceRecording) => invoke<void>(\"send_voice\", bytes, { headers: { \"xin-args\": header(args) } }),"), "{ts}");
        assert!(
            ts.contains(
                "import type { ChatMessage, Envelope, VoiceRecording } from \"../bindings\";"
            ),
            "{ts}"
        );
        assert!(!ts.contains("miniProgramBridge"));
        let capability = main_capability(&commands);
        assert!(capability.contains("\"allow-send-text\"") && !capability.contains("bridge"));
        assert!(handlers(&commands).contains("crate::chat_commands::mini_program_bridge"));
        Ok(())
    }

    /// A type the generator cannot say in TypeScript stops the build instead of becoming `any`.
    #[test]
    fn an_unknown_generic_type_is_an_error() {
        let file = "#[tauri::command] pub fn f(m: HashMap<String, u8>) {}";
        assert!(commands_in("m", file).is_err());
    }
}
