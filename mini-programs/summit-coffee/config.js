// Where the shop's backend is. `xin-demo` replaces this file with the address of the backend it
// started (crates/xin-coffee) when it publishes the package.
window.COFFEE_API = "https://coffee.summit.example";
