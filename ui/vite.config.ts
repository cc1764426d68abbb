import { defineConfig } from "vite";

// Three apps from one source tree: `--mode desktop` (inside Tauri), `--mode mobile` (the phone
// companion, served by xin-server at /m/) and `--mode console` (the official accounts' console,
// served at /console/).
export default defineConfig(({ mode }) => {
  const web = mode === "mobile" ? { root: "mobile", base: "/m/" } : mode === "console" ? { root: "console", base: "/console/" } : null;
  return {
    root: web?.root ?? "desktop",
    base: web?.base ?? "./",
    publicDir: false,
    esbuild: { jsx: "automatic" },
    build: {
      outDir: `../dist/${web?.root ?? "desktop"}`,
      emptyOutDir: true,
      target: "es2021",
    },
    server: web ? { proxy: { "/api": { target: "http://127.0.0.1:7420", ws: true } } } : {},
    test: {
      root: ".",
      include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    },
  };
});
