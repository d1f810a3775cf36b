import { z } from 'zod';

/**
 * Type groups a file policy talks about. Every true type belongs to at most one group;
 * types in no group (executables, HTML, unknown…) are never allowed.
 */
export const TYPE_GROUPS = ['pdf', 'image', 'svg', 'office', 'text', 'csv', 'archive'] as const;
/** One of {@link TYPE_GROUPS}. */
export type TypeGroup = (typeof TYPE_GROUPS)[number];

const MB = 1024 * 1024;

const sizeLimits = z
  .object({
    pdf: z.number().int().positive().default(100 * MB),
    image: z.number().int().positive().default(30 * MB),
    svg: z.number().int().positive().default(5 * MB),
    office: z.number().int().positive().default(50 * MB),
    text: z.number().int().positive().default(20 * MB),
    csv: z.number().int().positive().default(50 * MB),
    archive: z.number().int().positive().default(200 * MB),
  })
  .strict();

const archiveLimits = z
  .object({
    maxMembers: z.number().int().positive().default(500),
    /** 1 = a ZIP may not contain another ZIP; 2 = one level of nesting, … */
    maxDepth: z.number().int().min(1).max(8).default(2),
    /** Total uncompressed size divided by the archive's size. */
    maxExpansionRatio: z.number().positive().default(100),
    maxTotalBytes: z.number().int().positive().default(500 * MB),
  })
  .strict();

const spreadsheetLimits = z
  .object({
    maxSheets: z.number().int().positive().default(100),
    maxRows: z.number().int().positive().max(1_048_576).default(1_048_576),
    maxColumns: z.number().int().positive().max(16_384).default(16_384),
    /** Cells with content or formatting, merged areas counted in full. */
    maxCells: z.number().int().positive().default(500_000),
    maxSharedStrings: z.number().int().positive().default(500_000),
    /** Decompressed size of the parts read (sheets, styles, strings): zip bombs stop here. */
    maxUncompressedBytes: z.number().int().positive().default(200 * MB),
    /** V8 heap of the worker thread that parses one workbook. */
    workerHeapMb: z.number().int().min(64).max(4096).default(1024),
  })
  .strict();

/**
 * Spreadsheets rebuilt as new, editable .xlsx files instead of page images in a PDF
 * (docs/sanitizer.md, "Spreadsheets"). `xlsx` covers .xlsx and, where `macroOffice`
 * allows macro documents at all, .xlsm (the macros are left out).
 */
const spreadsheets = z
  .object({
    /** .xlsx/.xlsm: `xlsx` = rebuilt as a new .xlsx (default), `pdf` = LibreOffice → PDF like other Office files. */
    xlsx: z.enum(['xlsx', 'pdf']).default('xlsx'),
    /** .xls/.ods: `pdf` (default) or `xlsx` = LibreOffice converts to .xlsx in its limited worker, then the same rebuild. */
    xls: z.enum(['pdf', 'xlsx']).default('pdf'),
    /** .csv/.tsv: `csv` (default: neutralised CSV) or `xlsx` = a one-sheet .xlsx. */
    csv: z.enum(['csv', 'xlsx']).default('csv'),
    /** Formula cells: `values` = their last computed (cached) values, `drop` = empty cells. */
    formulas: z.enum(['values', 'drop']).default('values'),
    limits: spreadsheetLimits.default({}),
  })
  .strict();

/** zod schema of the file policy; `parse({})` yields the defaults. */
export const filePolicySchema = z
  .object({
    allowedGroups: z.array(z.enum(TYPE_GROUPS)).default([...TYPE_GROUPS]),
    /** What to do with Office documents (docx, xlsx, pptx, doc, xls, ppt, odt, ods, odp, rtf). */
    office: z.enum(['convert-to-pdf', 'block']).default('convert-to-pdf'),
    /** Macro-enabled Office documents (docm, xlsm, pptm, OLE2 with VBA); never passed as-is. */
    macroOffice: z.enum(['convert-to-pdf', 'block']).default('block'),
    maxBytes: sizeLimits.default({}),
    maxPages: z.number().int().positive().default(300),
    /** Pixels per image, and per rendered PDF page. */
    maxPixels: z.number().int().positive().default(60_000_000),
    pdfDpi: z.number().int().min(50).max(300).default(150),
    archive: archiveLimits.default({}),
    spreadsheets: spreadsheets.default({}),
    timeouts: z
      .object({
        renderMs: z.number().int().positive().default(120_000),
        convertMs: z.number().int().positive().default(120_000),
        imageMs: z.number().int().positive().default(30_000),
        /** One spreadsheet rebuild (parse and write, in its worker thread). */
        spreadsheetMs: z.number().int().positive().default(60_000),
      })
      .strict()
      .default({}),
    /** Address-space limit of worker processes (pdftoppm, LibreOffice). */
    workerMemoryMb: z.number().int().min(256).default(2048),
  })
  .strict();

/** Validated file policy (all fields present). */
export type FilePolicy = z.infer<typeof filePolicySchema>;
/** File policy as written in YAML or sent by the admin console (fields optional). */
export type FilePolicyInput = z.input<typeof filePolicySchema>;

/** The default file policy, frozen. */
export const DEFAULT_FILE_POLICY: FilePolicy = Object.freeze(filePolicySchema.parse({}));

/** Validate a policy and fill in defaults; throws a ZodError naming the bad key. */
export function parseFilePolicy(input: FilePolicyInput | undefined): FilePolicy {
  return filePolicySchema.parse(input ?? {});
}
