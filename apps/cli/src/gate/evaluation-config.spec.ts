import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { METRIC_NAMES } from '@evalvault/evaluation';
import { evaluationConfig, refuseUnlearnableBaselineRules } from './evaluation-config.js';

const dir = mkdtempSync(join(tmpdir(), 'evalvault-cli-gates-'));

describe('metrics and gate rules', () => {
  it('scores the named metrics and every metric a rule judges, once each', async () => {
    const config = await evaluationConfig(
      ['token_f1,rouge_l', 'token_f1'],
      ['mean(faithfulness_lexical) >= 0.8', 'p10(token_f1) > 0.2'],
      undefined,
    );
    expect(config).toEqual({
      metrics: ['token_f1', 'rouge_l', 'faithfulness_lexical'],
      gateRules: ['mean(faithfulness_lexical) >= 0.8', 'p10(token_f1) > 0.2'],
    });
  });

  it('refuses unknown metrics with the list of known ones', async () => {
    await expect(evaluationConfig(['accuracy'], [], undefined)).rejects.toMatchObject({
      kind: 'usage',
      message:
        `unknown metric accuracy; known: ${METRIC_NAMES.join(', ')}` +
        " (a plugin's metric: set EVALVAULT_PLUGINS here as on the server)",
    });
    await expect(evaluationConfig([], ['mean(acuracy) >= 1'], undefined)).rejects.toThrow(
      /unknown metric acuracy; known: .*token_f1/,
    );
    await expect(evaluationConfig(['faithfullness', 'tokenf1'], [], undefined)).rejects.toThrow(
      /^unknown metrics faithfullness \(did you mean faithfulness\?\), tokenf1 \(did you mean token_f1\?\); known: /,
    );
  });

  it('names the line of a gate file that holds a bad rule or an unknown metric', async () => {
    const text = join(dir, 'lines.txt');
    writeFileSync(text, '# gate\nmean(token_f1) >= 0.6\n\nmean(token_f1) >=\n');
    await expect(evaluationConfig([], [], text)).rejects.toThrow(
      `invalid gate rule: ${text}:4: "mean(token_f1) >=" column 18: expected a number or 'baseline', found end of rule`,
    );
    writeFileSync(text, 'mean(token_f1) >= 0.6\nmin(contxt_recall) >= 0.5\n');
    await expect(evaluationConfig([], [], text)).rejects.toThrow(
      `unknown metric contxt_recall at ${text}:2 (did you mean context_recall?); known: `,
    );
    const json = join(dir, 'lines.json');
    writeFileSync(json, '{\n  "rules": [\n    "mean(token_f1) >= 0.6",\n    "p10(token_f1) > x"\n  ]\n}\n');
    await expect(evaluationConfig([], [], json)).rejects.toThrow(`invalid gate rule: ${json}:4: "p10(token_f1) > x"`);
  });

  it('refuses a bad rule with its column, and a request with nothing to evaluate', async () => {
    await expect(evaluationConfig([], ['mean(token_f1) >= 0.6x'], undefined)).rejects.toThrow(
      'invalid gate rule: "mean(token_f1) >= 0.6x" column 22: expected end of rule, found \'x\'',
    );
    await expect(evaluationConfig([], [], undefined)).rejects.toThrow(/nothing to evaluate/);
  });

  it('reads gate files as text (comments, blank lines) or JSON, and says what is wrong with a bad one', async () => {
    const text = join(dir, 'gate.txt');
    writeFileSync(
      text,
      '# release gate\nmean(token_f1) >= 0.6   # agreement\n\npass_rate(context_recall, 0.5) >= 0.85\n',
    );
    expect((await evaluationConfig([], ['min(token_f1) >= 0'], text)).gateRules).toEqual([
      'mean(token_f1) >= 0.6',
      'pass_rate(context_recall, 0.5) >= 0.85',
      'min(token_f1) >= 0',
    ]);
    const json = join(dir, 'gate.json');
    writeFileSync(json, '{"rules": ["mean(rouge_l) >= 0.5"]}');
    expect((await evaluationConfig([], [], json)).metrics).toEqual(['rouge_l']);
    writeFileSync(json, '{"rules": [1]}');
    await expect(evaluationConfig([], [], json)).rejects.toThrow(/expected a list of rules/);
    await expect(evaluationConfig([], [], join(dir, 'none.txt'))).rejects.toThrow(/none.txt: no such file/);
  });
});

describe('--memory: baseline rules a learned baseline can judge', () => {
  it('accepts mean, percentiles and pass_rate at 0.5 against the baseline, and fixed thresholds', () => {
    expect(() =>
      refuseUnlearnableBaselineRules([
        'mean(token_f1) >= baseline - 0.05',
        'p10(token_f1) >= baseline',
        'pass_rate(token_f1, 0.5) >= baseline',
        'min(token_f1) >= 0.1',
      ]),
    ).not.toThrow();
  });

  it('refuses min, max and pass_rate at another threshold before anything is sent, naming rule and column', () => {
    expect(() => refuseUnlearnableBaselineRules(['max(token_f1) >= baseline'])).toThrow(
      `--memory: "max(token_f1) >= baseline" column 1: memory's learned baseline has no max`,
    );
    // pass_rate( is columns 1-10, token_f1 11-18, the comma 19, a space 20: the threshold starts at 21.
    expect(() => refuseUnlearnableBaselineRules(['pass_rate(token_f1, 0.7) >= baseline'])).toThrow(
      /"pass_rate\(token_f1, 0\.7\) >= baseline" column 21: memory learns pass_rate at 0\.5 only/,
    );
  });
});
