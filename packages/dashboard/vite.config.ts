import react from "@vitejs/plugin-react"
import { defineConfig } from "vite"

// Served by the API under /dashboard/; everything bundled, nothing fetched from elsewhere at run time.
export default defineConfig({
  base: "/dashboard/",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1500 }
})
