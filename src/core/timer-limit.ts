/**
 * @module core/timer-limit
 * The longest delay Node's setTimeout keeps: past 2^31 - 1 ms (~24.8 days) it warns and fires
 * after 1 ms instead. A timeout or deadline that far away is, for a request, no timeout at all.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1
