import { access, constants, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runLimited } from './limited-process.js';
import { TYPE_INFO } from './type-table.js';
import type { TrueType } from './type-table.js';
import type { Outcome } from './verdict.js';
import { pass, refuse } from './verdict.js';

/** Limits for one conversion. */
export interface ConvertOptions {
  /** Empty private directory for the input, the output and a throw-away profile. */
  workDir: string;
  timeoutMs: number;
  memoryBytes: number;
}

/** Port for "Office document → PDF, outside this process". */
export interface OfficeConverter {
  convert(bytes: Uint8Array, type: TrueType, opts: ConvertOptions): Promise<Outcome<{ pdf: Uint8Array; isolation: string }>>;
  /** Spreadsheet (xls, ods) → .xlsx, for the spreadsheet rebuild; absent where the engine cannot. */
  toXlsx?(bytes: Uint8Array, type: TrueType, opts: ConvertOptions): Promise<Outcome<{ xlsx: Uint8Array; isolation: string }>>;
}

const CANDIDATES = ['/usr/bin/soffice', '/usr/lib/libreoffice/program/soffice', '/opt/libreoffice/program/soffice'];

/** Path of a LibreOffice `soffice` binary, or null when none is installed. */
export async function findLibreOffice(candidates = CANDIDATES): Promise<string | null> {
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return c;
    } catch {
      // try the next one
    }
  }
  return null;
}

// A fresh profile per conversion: macros disabled outright, links never updated.
const PROFILE = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>1</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>1</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseOpenCL" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
`;

/**
 * LibreOffice headless (MPL-2.0, run as a separate program) in a {@link runLimited}
 * worker with a throw-away profile in which macro execution is disabled.
 */
export class LibreOfficeConverter implements OfficeConverter {
  constructor(private readonly soffice: string) {}

  async convert(bytes: Uint8Array, type: TrueType, o: ConvertOptions): Promise<Outcome<{ pdf: Uint8Array; isolation: string }>> {
    const r = await this.run(bytes, type, o, 'pdf');
    return r.ok ? pass({ pdf: r.value.bytes, isolation: r.value.isolation }) : r;
  }

  async toXlsx(bytes: Uint8Array, type: TrueType, o: ConvertOptions): Promise<Outcome<{ xlsx: Uint8Array; isolation: string }>> {
    const r = await this.run(bytes, type, o, 'xlsx');
    return r.ok ? pass({ xlsx: r.value.bytes, isolation: r.value.isolation }) : r;
  }

  private async run(bytes: Uint8Array, type: TrueType, o: ConvertOptions, target: 'pdf' | 'xlsx'): Promise<Outcome<{ bytes: Uint8Array; isolation: string }>> {
    const inDir = join(o.workDir, 'in');
    const outDir = join(o.workDir, 'out');
    const profile = join(o.workDir, 'profile');
    await mkdir(inDir, { mode: 0o700 });
    await mkdir(outDir, { mode: 0o700 });
    await mkdir(join(profile, 'user'), { recursive: true, mode: 0o700 });
    await writeFile(join(profile, 'user', 'registrymodifications.xcu'), PROFILE);
    // The extension picks LibreOffice's import filter; it comes from the true type, not the name.
    const input = join(inDir, `input.${TYPE_INFO[type].ext}`);
    await writeFile(input, bytes, { mode: 0o600 });
    const r = await runLimited({
      command: this.soffice,
      args: ['--headless', '--norestore', '--nolockcheck', '--nodefault', '--nologo', '--invisible',
        `-env:UserInstallation=file://${profile}`, '--convert-to', target, '--outdir', outDir, input],
      cwd: o.workDir,
      timeoutMs: o.timeoutMs,
      memoryBytes: o.memoryBytes,
      maxFileBytes: 512 * 1024 * 1024,
      // Links in the document to local files must find nothing (issue 9): only the work directory is visible.
      privateView: true,
    });
    if (!r.ok) {
      if (r.kind === 'timeout') return refuse('timeout', `libreoffice: ${r.detail}`);
      return refuse('conversion-failed', `libreoffice: ${r.detail}: ${r.stderr.trim().slice(-300)}`);
    }
    const produced = (await readdir(outDir)).filter((f) => f.endsWith(`.${target}`));
    if (produced.length !== 1) {
      const hint = /password/i.test(r.stderr) ? 'encrypted' : 'conversion-failed';
      return refuse(hint, `libreoffice produced no ${target.toUpperCase()}: ${r.stderr.trim().slice(-300)}`);
    }
    return pass({ bytes: await readFile(join(outDir, produced[0]!)), isolation: r.isolation });
  }
}
