import { defineConfig } from "vite";

// Two apps from one source tree: `--mode desktop` (inside Tauri) and `--mode mobile`
// (the phone companion, served by xin-server at /m/).
export default defineConfig(({ mode }) => {
  const mobile = mode === "mobile";
  return {
    root: mobile ? "mobile" : "desktop",
    base: mobile ? "/m/" : "./",
    publicDir: false,
    esbuild: { jsx: "automatic" },
    build: {
      outDir: mobile ? "../dist/mobile" : "../dist/desktop",
      emptyOutDir: true,
      target: "es2021",
    },
    server: mobile ? { proxy: { "/api": { target: "http://127.0.0.1:7420", ws: true } } } : {},
    test: {
      root: ".",
      include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    },
  };
});
