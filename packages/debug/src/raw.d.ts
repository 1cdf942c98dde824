/** A file imported as text (`import page from "../viewer/index.html?raw"`): vite and the build (tsup.config.ts) inline it. */
declare module "*?raw" {
  const text: string;
  export default text;
}
