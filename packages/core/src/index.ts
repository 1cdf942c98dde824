/**
 * The tiny shared contract of \@aio: the interfaces every package programs
 * against, asyncio's error classes, and the running-loop context. No
 * scheduling logic lives here.
 *
 * @packageDocumentation
 */
export {
  _className,
  brandError,
  CancelledError,
  describeValue,
  InvalidStateError,
  isCancelledError,
  isInvalidStateError,
  isRuntimeError,
  isTimeoutError,
  isValueError,
  RuntimeError,
  TimeoutError,
  ValueError,
} from "./errors.js";
export { ExceptionGroup, isExceptionGroup } from "./exception-group.js";
export {
  _ContextScope,
  _clearImmediate,
  _contextPropagates,
  _env,
  _hostTurnCount,
  _newTaskContext,
  _setImmediate,
  _stepContext,
  type ContextScope,
  type TaskContextStorage,
} from "./host.js";
export type {
  EventLoop,
  ExceptionContext,
  ExceptionHandler,
  Executor,
  FutureLike,
  Handle,
  Instrument,
  TaskFactory,
  TaskLike,
  TaskOptions,
  TimerHandle,
} from "./interfaces.js";
export {
  kAwaits as _kAwaits,
  kModuleRef as _kModuleRef,
  kScheduleItem as _kScheduleItem,
  kStepEnded as _kStepEnded,
  kStepStarted as _kStepStarted,
  kTaskBrand as _kTaskBrand,
  type ModuleRef as _ModuleRef,
  type NamedClass as _NamedClass,
  type ReadyItem as _ReadyItem,
  SELF as _SELF,
  type StepAwareLoop as _StepAwareLoop,
  type SuspensionSite as _SuspensionSite,
  suspensionSites as _suspensionSites,
  type TaskInternals as _TaskInternals,
} from "./internal-contract.js";
export {
  _currentTask,
  _getRunningLoop,
  _inGeneratorStep,
  _resourceOpened,
  addInstrument,
  getRunningLoop,
  getRuntime,
  type Runtime,
  removeInstrument,
} from "./runtime.js";
export {
  _checkFunction,
  _checkInteger,
  _checkMs,
  _checkOneOf,
  _checkOptions,
  _checkSignal,
  type CheckIntegerOptions,
  type CheckMsOptions,
  isFailed,
} from "./validate.js";
