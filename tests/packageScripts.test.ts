import * as assert from "assert";
import { addScripts } from "../revocation/packageScripts";

const SCRIPTS = { plan: "revocable-roles plan", ci: "revocable-roles ci" };

describe("adding npm scripts to an existing package.json (init)", () => {
    it("adds a scripts object at the end, in the file's own indentation, changing no other byte", () => {
        const cases: [string, string, string][] = [
            [
                "two spaces, no scripts",
                '{\n  "name": "x",\n  "version": "1.0.0",\n  "dependencies": {\n    "a": "1"\n  }\n}\n',
                '{\n  "name": "x",\n  "version": "1.0.0",\n  "dependencies": {\n    "a": "1"\n  },\n  "scripts": {\n    "plan": "revocable-roles plan",\n    "ci": "revocable-roles ci"\n  }\n}\n',
            ],
            [
                "tabs, scripts with others, no final newline",
                '{\n\t"name": "x",\n\t"scripts": {\n\t\t"test": "mocha"\n\t},\n\t"files": ["a", "b"]\n}',
                '{\n\t"name": "x",\n\t"scripts": {\n\t\t"test": "mocha",\n\t\t"plan": "revocable-roles plan",\n\t\t"ci": "revocable-roles ci"\n\t},\n\t"files": ["a", "b"]\n}',
            ],
            [
                "four spaces, CRLF, empty scripts",
                '{\r\n    "name": "x",\r\n    "scripts": {}\r\n}\r\n',
                '{\r\n    "name": "x",\r\n    "scripts": {\r\n        "plan": "revocable-roles plan",\r\n        "ci": "revocable-roles ci"\r\n    }\r\n}\r\n',
            ],
            ["one line", '{"name":"x"}', '{"name":"x","scripts":{"plan":"revocable-roles plan","ci":"revocable-roles ci"}}'],
            [
                "a byte-order mark",
                '\uFEFF{\n  "name": "x"\n}\n',
                '\uFEFF{\n  "name": "x",\n  "scripts": {\n    "plan": "revocable-roles plan",\n    "ci": "revocable-roles ci"\n  }\n}\n',
            ],
            [
                "an empty object",
                "{\n}\n",
                '{\n  "scripts": {\n    "plan": "revocable-roles plan",\n    "ci": "revocable-roles ci"\n  }\n}\n',
            ],
        ];
        for (const [name, before, after] of cases) {
            assert.deepStrictEqual(addScripts(before, SCRIPTS), { text: after, added: ["plan", "ci"], different: [] }, name);
        }
    });

    it("keeps a script of the same name that runs something else, and reports it", () => {
        assert.deepStrictEqual(addScripts('{"scripts":{"plan":"tsc && pulumi preview","ci":"revocable-roles ci"}}', SCRIPTS), {
            added: [],
            different: [{ name: "plan", command: "tsc && pulumi preview" }],
        });
        assert.deepStrictEqual(addScripts('{"scripts":{"plan":"pulumi preview"}}', SCRIPTS), {
            text: '{"scripts":{"plan":"pulumi preview","ci":"revocable-roles ci"}}',
            added: ["ci"],
            different: [{ name: "plan", command: "pulumi preview" }],
        });
    });

    it("adds nothing when every script is there", () => {
        assert.deepStrictEqual(
            addScripts('{\n  "scripts": {\n    "ci": "revocable-roles ci",\n    "plan": "revocable-roles plan"\n  }\n}\n', SCRIPTS),
            {
                added: [],
                different: [],
            },
        );
    });

    it("leaves alone, with the reason, a file that is not a JSON object, whose scripts is no object, or that writes scripts twice", () => {
        const problem = (text: string) => addScripts(text, SCRIPTS).problem;
        const jsonError = (() => {
            try {
                return JSON.parse("{") as never;
            } catch (error) {
                return (error as Error).message;
            }
        })();
        assert.deepStrictEqual(["{", "[1]", '{"scripts":["plan"]}', '{"scripts":{},"scripts":{}}'].map(problem), [
            `it is not JSON (${jsonError})`,
            "it is not a JSON object",
            '"scripts" is not an object',
            '"scripts" is written twice',
        ]);
    });
});
