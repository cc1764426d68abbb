//! Prints the UI's TypeScript types; `cargo xtask gen-types` writes them to `ui/src/bindings.ts`.
fn main() {
    print!("{}", xin_core::typescript::bindings());
}
