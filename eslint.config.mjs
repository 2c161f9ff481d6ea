// ESLint for the dashboard's browser code (static/js) and its unit tests (tests/js).
import js from "@eslint/js";
import globals from "globals";

export default [
    js.configs.recommended,
    {
        files: ["static/js/**/*.js"],
        languageOptions: {
            ecmaVersion: 2020,
            sourceType: "script",
            globals: {...globals.browser, L: "readonly", module: "readonly", Buffer: "readonly"},
        },
        rules: {
            "no-unused-vars": ["error", {args: "none", caughtErrors: "none"}],
            "eqeqeq": ["error", "always"],
            "no-implicit-globals": "error",
            "no-var": "off",
        },
    },
    {
        files: ["tests/js/**/*.mjs", "tests/js/**/*.js"],
        languageOptions: {ecmaVersion: 2022, sourceType: "module", globals: {...globals.node}},
    },
];
