// Vite bundles the front end into ui/dist, which the Tauri shell embeds at compile time.
// Everything (scripts, styles, fonts) is bundled: the app must work with no network at all.
import { defineConfig } from "vite";

export default defineConfig({
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK 2.40+ (Debian 12) and WebView2 both handle ES2021.
    target: "es2021",
    // Fonts stay separate files rather than base64 in the CSS.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: { port: 1420, strictPort: true },
});
