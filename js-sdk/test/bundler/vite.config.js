export default {
  // Served from any directory the test picks.
  base: "./",
  build: { emptyOutDir: true, target: "es2022" },
  logLevel: "warn",
};
