/**
 * Public API of the URL policy module: normalization, address ranges, the policy schema
 * and YAML format, evaluation, shadowing and category list import. Pure code; only
 * `importUt1Directory` reads files.
 */
export {
  canonicalAddress,
  canonicalize,
  cidrContains,
  cidrWithin,
  classifyAddress,
  embeddedIpv4,
  formatIp,
  isDeniedByDefault,
  isIpLiteral,
  parseCidr,
  parseIp,
  type AddressClass,
  type Cidr,
  type IpAddress,
} from './address-ranges.js';
export {
  DEFAULT_PORTS,
  normalizeHost,
  normalizePath,
  normalizeUrl,
  type NormalizedHost,
  type NormalizedUrl,
  type NormalizeResult,
  type RefusalReason,
  type WebScheme,
  type WrapperScheme,
} from './url-normalize.js';
export {
  policySchema,
  type Capabilities,
  type Policy,
  type PolicyMatch,
  type PolicyRule,
  type PolicyScope,
  type RuleAction,
  type Schedule,
  type Weekday,
} from './policy-schema.js';
export { formatPath, validatePolicy, type PolicyIssue, type PolicyResult } from './policy-validate.js';
export { formatIssues, parsePolicyYaml, policyToYaml } from './policy-yaml.js';
export { inSchedule, tokyoTime } from './schedule.js';
export { compilePolicy, type CompiledPolicy } from './rule-match.js';
export { MAX_REGEX_INPUT, regexSafetyProblem, type RegexProblem } from './regex-safety.js';
export { DEFAULT_CAPABILITIES, SYSTEM_RULES, evaluate, type EvaluationContext, type RuleRef, type Verdict } from './evaluate.js';
export { explainShadowing, findShadowingRules, type Shadowing, type ShadowingOptions } from './shadowing.js';
export {
  importUt1Directory,
  normalizeListDomain,
  parseCategoryList,
  type ImportedCategories,
  type ImportedList,
  type ListFileSystem,
  type ListFormat,
} from './category-lists.js';
