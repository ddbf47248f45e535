// ESLint with typed linting: the rules that matter here need TypeScript's types (is this value a
// Promise? a pulumi.Output?), so every TypeScript file is linted against the root tsconfig.json.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

export default defineConfig(
    { ignores: ["node_modules/", "package/node_modules/", "schema/", "package/schema.json", "dist/"] },
    js.configs.recommended,
    tseslint.configs.recommended,
    {
        // The benchmark's children and preload are plain CommonJS, so the processes it times load no compiler.
        files: ["**/*.cjs"],
        languageOptions: {
            sourceType: "commonjs",
            globals: {
                require: "readonly",
                module: "writable",
                __dirname: "readonly",
                process: "readonly",
                performance: "readonly",
                setImmediate: "readonly",
            },
        },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        files: ["**/*.ts"],
        languageOptions: {
            parserOptions: { project: ["./tsconfig.json"], tsconfigRootDir: import.meta.dirname },
        },
        plugins: { "@pulumi": pulumi },
        rules: {
            // An Output in a template string renders as a warning text, never as its value.
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            // A promise nobody awaits loses its failure: a deploy step would report success.
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-misused-promises": "error",
            // `const { omitted, ...rest } = value` is how a key is left out.
            "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }],
        },
    },
);
