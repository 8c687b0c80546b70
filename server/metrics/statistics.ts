// The statistics behind the metrics pages, in one import. Pure functions, no I/O and no
// `server-only`, so chart components may use them as well as the metrics services.
//   distributions: drift (Jensen–Shannon for the action mix, Kolmogorov–Smirnov for numbers),
//                  quantiles and summaries
//   proportions:   failure-rate drift with Wilson / Newcombe intervals
//   calibration:   Brier score, reliability diagram, ECE, the auto-execution threshold
//   interventions: human intervention rate, rubber-stamp approvals
export {
  jensenShannonDivergence,
  kolmogorovSmirnov,
  kolmogorovSurvival,
  quantile,
  summarize,
  type KolmogorovSmirnovResult,
  type Summary,
} from "./distributions";
export { normalQuantile, proportionDifference, twoSidedZ, wilsonInterval, type Interval, type ProportionDifference } from "./proportions";
export { autoExecutionThreshold, brierScore, expectedCalibrationError, reliabilityBins, type CalibrationSample, type ReliabilityBin } from "./calibration";
export {
  INTERVENTION_FLAG_RATE,
  RUBBER_STAMP_MS,
  interventionRate,
  isRubberStamp,
  type InterventionCounts,
  type InterventionLeaning,
  type InterventionRate,
} from "./interventions";
